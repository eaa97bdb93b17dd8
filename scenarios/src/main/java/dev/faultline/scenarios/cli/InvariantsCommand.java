package dev.faultline.scenarios.cli;

import dev.faultline.core.check.catalog.CatalogMarkdown;
import dev.faultline.core.check.catalog.InvariantCatalog;
import dev.faultline.core.check.catalog.InvariantInfo;
import dev.faultline.scenarios.spec.Suggest;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code faultline invariants [ID...] [--markdown]}: the invariant catalogue. Without ids, one line
 * per invariant and a summary; with ids, each entry in full (an unknown id is bad input, with a
 * suggestion); {@code --markdown} prints {@code docs/invariants.md}.
 */
@Command(name = "invariants", mixinStandardHelpOptions = true,
        description = "List the invariants the checkers report (id, kind, module, what makes it fire, title), or show some in full.")
final class InvariantsCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "ID", description = "invariant ids to show in full, e.g. DP-S1")
    List<String> ids = new ArrayList<>();

    @Option(names = "--markdown", description = "print the catalogue as docs/invariants.md")
    boolean markdown;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        InvariantCatalog catalog = InvariantCatalog.standard();
        if (markdown && !ids.isEmpty()) {
            err.println("faultline invariants: --markdown prints the whole catalogue; give no ids with it");
            return Main.BAD_INPUT;
        }
        if (markdown) {
            out.print(CatalogMarkdown.render(catalog));
            out.flush();
            return Main.OK;
        }
        if (ids.isEmpty()) {
            list(out, catalog);
            return Main.OK;
        }
        List<InvariantInfo> shown = new ArrayList<>();
        for (String id : ids) {
            String normal = id.toUpperCase(Locale.ROOT);
            if (!catalog.contains(normal)) {
                err.println("faultline invariants: unknown invariant '" + id + "'" + Suggest.didYouMean(normal, catalog.ids())
                        + "; 'faultline invariants' lists them");
                return Main.BAD_INPUT;
            }
            shown.add(catalog.find(normal).orElseThrow());
        }
        for (int i = 0; i < shown.size(); i++) {
            if (i > 0) {
                out.println();
            }
            details(out, shown.get(i));
        }
        out.flush();
        return Main.OK;
    }

    private static void list(PrintWriter out, InvariantCatalog catalog) {
        String format = "%-7s %-9s %-14s %-36s %s%n";
        out.printf(Locale.ROOT, format, "ID", "KIND", "MODULE", "PROVEN BY", "TITLE");
        List<String> unproven = new ArrayList<>();
        int safety = 0;
        for (InvariantInfo i : catalog.entries()) {
            out.printf(Locale.ROOT, format, i.id(), i.kind().name().toLowerCase(Locale.ROOT), i.module(), provenBy(i), i.title());
            if (i.kind() == InvariantInfo.Kind.SAFETY) {
                safety++;
            }
            if (i.proofs().isEmpty()) {
                unproven.add(i.id());
            }
        }
        int all = catalog.entries().size();
        out.printf(Locale.ROOT, "%d invariants (%d safety, %d liveness); with no test that makes them fire: %s%n", all, safety, all - safety,
                unproven.isEmpty() ? "none" : String.join(", ", unproven));
        out.println("'faultline invariants ID' shows one in full.");
        out.flush();
    }

    /** The kinds of proof, strongest first, or "none yet". */
    private static String provenBy(InvariantInfo i) {
        List<String> kinds = new ArrayList<>();
        for (InvariantInfo.ProofKind k : InvariantInfo.ProofKind.values()) {
            if (i.proofs().stream().anyMatch(p -> p.kind() == k)) {
                kinds.add(k.label());
            }
        }
        return kinds.isEmpty() ? "none yet" : String.join(", ", kinds);
    }

    private static void details(PrintWriter out, InvariantInfo i) {
        out.println(i.id() + ": " + i.title());
        out.println("  " + i.kind().name().toLowerCase(Locale.ROOT) + ", checked in " + i.module());
        for (String line : wrap(i.meaningLine(), 96)) {
            out.println("  " + line);
        }
        if (!i.exemptions().isEmpty()) {
            out.println("  exemptions:");
            for (InvariantInfo.Exemption e : i.exemptions()) {
                out.println("    " + e.exemptionClass() + ": " + e.when());
            }
        }
        out.println("  proven by:");
        if (i.proofs().isEmpty()) {
            out.println("    none yet");
        }
        for (InvariantInfo.Proof p : i.proofs()) {
            out.println("    " + p.kind().label() + ": " + p.shortName() + (p.isTest() ? " (" + p.module() + ")" : "")
                    + (p.note().isEmpty() ? "" : "; " + p.note()));
        }
    }

    private static List<String> wrap(String text, int width) {
        List<String> lines = new ArrayList<>();
        StringBuilder line = new StringBuilder();
        for (String word : text.split(" ")) {
            if (line.length() > 0 && line.length() + 1 + word.length() > width) {
                lines.add(line.toString());
                line.setLength(0);
            }
            line.append(line.length() == 0 ? "" : " ").append(word);
        }
        if (line.length() > 0) {
            lines.add(line.toString());
        }
        return lines;
    }
}
