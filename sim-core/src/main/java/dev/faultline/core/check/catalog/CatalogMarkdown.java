package dev.faultline.core.check.catalog;

import java.util.Locale;

/** Renders the catalogue as {@code docs/invariants.md}. */
public final class CatalogMarkdown {
    /** The command that writes the file (the sync test names it when the file is stale). */
    public static final String REGENERATE = "./faultline invariants --markdown > docs/invariants.md";

    private CatalogMarkdown() {
    }

    /** The whole document. */
    public static String render(InvariantCatalog catalog) {
        StringBuilder sb = new StringBuilder();
        sb.append("# Invariants\n\n");
        sb.append("<!-- Generated from the invariant catalogue (sim-core, dev.faultline.core.check.catalog) by\n");
        sb.append("     ").append(REGENERATE).append("\n");
        sb.append("     Do not edit by hand: a test fails when this file and the catalogue differ. -->\n\n");
        sb.append("""
                Every invariant a Faultline checker can report, by id. A run stops at the first violation, and a
                violation whose id is not in this catalogue is an internal error. Scenario files may name only these
                ids in `expect-violation:`.

                - **Safety** invariants are checked after every event: a bad state must never be reached.
                - **Liveness** checks are bounded: a timer armed by a condition, which fails only if the condition held
                  for the whole bound and the good state was not reached.

                An exemption is either **EXPECTED** (the case is recorded and classified EXPECTED, because the durability
                contract allows it; a scenario can promote EXPECTED to a failure) or **NOT_CHECKED** (the check is not
                applied in that case).

                "Proven by" names the tests that make the invariant fire: a **planted bug** (a switch of
                [model.md](model.md#planted-bugs) that reverts one fix or, for a test switch, breaks one rule, in a real
                run), a **misbehaving node** (a real run in which the test breaks one node: a test-only fault, a corrupted
                disk, a skewed clock), a **library scenario** that expects the violation, or a **forged record** (hand-made
                history records given to the checker: the check runs, but no node misbehaves). "None yet" means no test
                makes it fire.

                """);
        sb.append("| Id | Title | Kind | Module | Proven by |\n");
        sb.append("|---|---|---|---|---|\n");
        for (InvariantInfo i : catalog.entries()) {
            sb.append("| [").append(i.id()).append("](#").append(anchor(i)).append(") | ").append(i.title()).append(" | ")
                    .append(kind(i)).append(" | ").append(i.module()).append(" | ").append(proofSummary(i)).append(" |\n");
        }
        String group = null;
        for (InvariantInfo i : catalog.entries()) {
            String g = InvariantCatalog.group(i.id());
            if (!g.equals(group)) {
                group = g;
                sb.append("\n## ").append(g).append('\n');
            }
            sb.append("\n### ").append(i.id()).append(": ").append(i.title()).append("\n\n");
            sb.append('*').append(kind(i)).append(", checked in ").append(i.module()).append(".* ").append(i.meaningLine()).append("\n\n");
            if (!i.exemptions().isEmpty()) {
                sb.append("Exemptions:\n\n");
                for (InvariantInfo.Exemption e : i.exemptions()) {
                    sb.append("- **").append(e.exemptionClass()).append("**: ").append(e.when()).append('\n');
                }
                sb.append('\n');
            }
            sb.append("Proven by:\n\n");
            if (i.proofs().isEmpty()) {
                sb.append("- none yet\n");
            }
            for (InvariantInfo.Proof p : i.proofs()) {
                sb.append("- ").append(p.kind().label()).append(": `").append(p.shortName()).append('`');
                if (p.isTest()) {
                    sb.append(" (").append(p.module()).append(')');
                }
                if (!p.note().isEmpty()) {
                    sb.append("; ").append(p.note());
                }
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    private static String kind(InvariantInfo i) {
        String k = i.kind().name().toLowerCase(Locale.ROOT);
        return Character.toUpperCase(k.charAt(0)) + k.substring(1);
    }

    /** "planted bug, library scenario" or "none yet": the kinds of proof, strongest first. */
    static String proofSummary(InvariantInfo i) {
        if (i.proofs().isEmpty()) {
            return "none yet";
        }
        StringBuilder sb = new StringBuilder();
        for (InvariantInfo.ProofKind k : InvariantInfo.ProofKind.values()) {
            if (i.proofs().stream().anyMatch(p -> p.kind() == k)) {
                sb.append(sb.length() == 0 ? "" : ", ").append(k.label());
            }
        }
        return sb.toString();
    }

    /** GitHub's anchor for the entry's heading. */
    private static String anchor(InvariantInfo i) {
        return (i.id() + ": " + i.title()).toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9 -]", "").replace(' ', '-');
    }
}
