package dev.faultline.core.check.catalog;

import dev.faultline.core.check.classify.Classifier;
import dev.faultline.core.check.classify.Evidence;
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
                Every invariant a Faultline checker can report, by id. Every violation is classified BUG, HAZARD or
                EXPECTED ([below](#classification)): a run stops at the first BUG, and records each HAZARD and EXPECTED
                case and goes on. A violation whose id is not in this catalogue is an internal error. Scenario files
                may name only these ids in `expect-violation:`.

                - **Safety** invariants are checked after every event: a bad state must never be reached.
                - **Liveness** checks are bounded: a timer armed by a condition, which fails only if the condition held
                  for the whole bound and the good state was not reached.

                An exemption is **EXPECTED** or **HAZARD** (the case is recorded with that class, by the classification
                rule it names, and the run goes on) or **NOT_CHECKED** (the check is not applied in that case).

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
        classification(sb);
        return sb.toString();
    }

    /** The classes and every rule of the {@link Classifier}. */
    private static void classification(StringBuilder sb) {
        sb.append("""

                ## Classification

                Every violation is classified in one place (sim-core, `dev.faultline.core.check.classify.Classifier`):

                - **BUG**: the model broke a guarantee that Kafka and ZooKeeper keep under these faults: a simulator or
                  protocol bug. The run stops.
                - **HAZARD**: real Kafka of the modelled versions behaves this way under these faults; the rule names the
                  KIP or JIRA issue. The run records the case and goes on.
                - **EXPECTED**: the configuration permits it (an unclean election, acknowledging before the disk has the
                  write). The run records the case and goes on.

                A checker attaches what it established about a case's cause (its evidence: which election, which cut,
                which replica) and the first rule whose invariant, mode and evidence all match gives the class. A
                violation no rule matches is a BUG. `faultline run` and the run reports show each case with its class and
                rule; `faultline fuzz` counts and deduplicates HAZARD and EXPECTED cases apart from failures and exits 1
                only on a BUG unless `--fail-on hazard` or `--fail-on expected` says otherwise; a scenario expects a class
                with `expect-violation: {invariant: ID, class: hazard}` ([scenarios.md](scenarios.md#expectations)).

                | Rule | Class | Reference | Invariants | Modes | Evidence |
                |---|---|---|---|---|---|
                """);
        for (Classifier.Rule r : Classifier.rules()) {
            sb.append("| ").append(r.name()).append(" | ").append(r.violationClass()).append(" | ").append(r.reference()).append(" | ")
                    .append(String.join(", ", new java.util.TreeSet<>(r.invariants()))).append(" | ")
                    .append(String.join(", ", new java.util.TreeSet<>(r.modes()))).append(" | ")
                    .append(String.join(", ", r.requires().stream().map(Enum::name).sorted().toList())).append(" |\n");
        }
        for (Classifier.Rule r : Classifier.rules()) {
            sb.append("\n### ").append(r.name()).append("\n\n").append(r.why()).append("\n");
        }
        sb.append("\nEvidence:\n\n");
        for (Evidence e : Evidence.values()) {
            sb.append("- `").append(e.name()).append("`: ").append(EVIDENCE.get(e)).append('\n');
        }
    }

    /** What each kind of evidence means, for the generated document. */
    private static final java.util.Map<Evidence, String> EVIDENCE = java.util.Map.of(
            Evidence.UNCLEAN_ELECTION, "the records left the partition's lineage through an unclean election that came after they "
                    + "were acknowledged or committed",
            Evidence.LAST_COPY_LOST_OUTSIDE_PROTOCOL, "a power loss or a lost disk cut the records from the replica now leading, and no "
                    + "ISR member held them any more",
            Evidence.LEADER_LOST_DATA_BEFORE_TAKEOVER, "the replica now leading lost the records to a power loss or a lost disk and took "
                    + "over before fetching again, while it still counted as in sync",
            Evidence.SOLE_IN_SYNC_REPLICA, "the replica now leading was the ISR's only member when it took over");

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
