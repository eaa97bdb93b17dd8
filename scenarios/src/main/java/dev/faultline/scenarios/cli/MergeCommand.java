package dev.faultline.scenarios.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeMap;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code faultline merge DIR...}: joins the {@code --out} directories of the shards of one
 * {@code faultline compare --shard i/n} sweep into the tables, CSV, JSON and HTML that one machine
 * running the whole sweep writes (byte for byte: both build the report from the runs in run order).
 * Refuses directories of different sweeps, and a sweep with runs missing or run twice.
 */
@Command(name = "merge", mixinStandardHelpOptions = true, description = "Join the result directories of compare --shard runs into one report.")
final class MergeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "DIR", description = "the shards' --out directories (each holds runs.json)")
    List<Path> dirs;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/compare", description = "where the merged report goes (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        String where = Outputs.checkDirectory("--out", out);
        if (where != null) {
            err.println("faultline merge: " + where);
            return Main.BAD_INPUT;
        }
        SweepHeader identity = null;
        Path first = null;
        TreeMap<Integer, SweepRun> runs = new TreeMap<>();
        TreeMap<Integer, Path> from = new TreeMap<>();
        TreeMap<String, Path> scenarios = new TreeMap<>();
        for (Path d : dirs) {
            Path f = Files.isDirectory(d) ? d.resolve(SweepHeader.File.NAME) : d;
            if (!Files.isRegularFile(f)) {
                err.println("faultline merge: " + d + " holds no " + SweepHeader.File.NAME + " (give the --out directory of a compare run)");
                return Main.BAD_INPUT;
            }
            SweepHeader.File file;
            try {
                file = SweepHeader.File.read(d);
            } catch (IOException | RuntimeException e) {
                err.println("faultline merge: " + f + " is not a compare result: " + oneLine(e.getMessage()));
                return Main.BAD_INPUT;
            }
            if (file.header() == null || file.header().format() != SweepHeader.FORMAT) {
                err.println("faultline merge: " + f + " has format " + (file.header() == null ? "none" : file.header().format()) + "; this faultline "
                        + "reads format " + SweepHeader.FORMAT + " (run the shards with the same faultline)");
                return Main.BAD_INPUT;
            }
            if (identity == null) {
                identity = file.header().identity();
                first = f;
            } else if (!identity.equals(file.header().identity())) {
                err.println("faultline merge: " + f + " is from another sweep than " + first + " (" + difference(identity, file.header().identity()) + ")");
                return Main.BAD_INPUT;
            }
            for (SweepRun r : file.runs()) {
                if (r.index() < 0 || r.index() >= identity.total()) {
                    err.println("faultline merge: " + f + " has run " + r.index() + ", outside the sweep's " + identity.total() + " runs");
                    return Main.BAD_INPUT;
                }
                SweepRun before = runs.put(r.index(), r);
                if (before != null) {
                    err.println("faultline merge: run " + r.index() + " is in both " + from.get(r.index()) + " and " + f + " (the same shard twice?)");
                    return Main.BAD_INPUT;
                }
                from.put(r.index(), f);
                Path scenario = f.resolveSibling(r.scenarioFile());
                if (Files.isRegularFile(scenario)) {
                    scenarios.put(r.scenarioFile(), scenario);
                }
            }
        }
        if (runs.size() != identity.total()) {
            List<Integer> missing = new ArrayList<>();
            for (int i = 0; i < identity.total() && missing.size() < 10; i++) {
                if (!runs.containsKey(i)) {
                    missing.add(i);
                }
            }
            err.println("faultline merge: " + (identity.total() - runs.size()) + " of the sweep's " + identity.total() + " runs are missing (runs "
                    + missing + (identity.total() - runs.size() > missing.size() ? ", ..." : "") + "); a shard i/n holds runs i, i+n, ...: "
                    + "give every shard's directory");
            return Main.BAD_INPUT;
        }
        SweepHeader whole = new SweepHeader(identity.format(), identity.title(), identity.notes(), identity.scenarios(), identity.modes(),
                identity.seeds(), identity.partitions(), identity.total(), "0/1");
        List<SweepRun> all = new ArrayList<>(runs.values());
        try {
            for (java.util.Map.Entry<String, Path> e : scenarios.entrySet()) {
                Path to = out.resolve(e.getKey());
                if (!to.toAbsolutePath().normalize().equals(e.getValue().toAbsolutePath().normalize())) {
                    dev.faultline.core.trace.AtomicFileWriter.write(to, Files.readString(e.getValue()));
                }
            }
            new SweepHeader.File(whole, all).write(out);
        } catch (IOException e) {
            err.println("faultline merge: cannot write " + out.resolve(SweepHeader.File.NAME) + ": " + e.getMessage());
            return Main.INTERNAL;
        }
        o.println("merged " + dirs.size() + " director" + (dirs.size() == 1 ? "y" : "ies") + ": " + all.size() + " runs");
        return CompareCommand.report(o, err, whole, all, out, null);
    }

    private static String difference(SweepHeader a, SweepHeader b) {
        if (!a.title().equals(b.title())) {
            return "'" + a.title() + "' vs '" + b.title() + "'";
        }
        if (a.total() != b.total()) {
            return a.total() + " runs vs " + b.total();
        }
        return "their scenarios or settings differ";
    }

    private static String oneLine(String s) {
        if (s == null) {
            return "unreadable";
        }
        String t = s.replaceAll("\\s+", " ");
        return t.length() > 200 ? t.substring(0, 200) + "..." : t;
    }
}
