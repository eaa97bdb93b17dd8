package dev.faultline.scenarios.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.faultline.core.trace.AtomicFileWriter;
import dev.faultline.core.trace.ChromeTraceSink;
import dev.faultline.core.trace.JsonLinesSink;
import dev.faultline.core.trace.TraceSink;
import dev.faultline.scenarios.run.HeapEstimate;
import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioException;
import dev.faultline.scenarios.spec.ScenarioLoader;
import dev.faultline.scenarios.spec.ScenarioWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code faultline run FILE...}: replays scenarios; exit 0 when every expectation holds, 1 when one fails. */
@Command(name = "run", mixinStandardHelpOptions = true, description = "Run scenarios and judge their expectations. Same file and seed, same run.")
final class RunCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Parameters(arity = "1..*", paramLabel = "FILE", description = "scenario YAML files")
    List<Path> files;

    @Option(names = "--seed", description = "override the scenario's seed")
    Long seed;

    @Option(names = "--mode", description = "override the metadata mode: kraft, zookeeper or oracle")
    String mode;

    @Option(names = "--trace", paramLabel = "FILE", description = "write the trace to FILE")
    Path trace;

    @Option(names = "--trace-format", paramLabel = "FORMAT", defaultValue = "jsonl",
            description = "jsonl (one JSON object per line) or perfetto (Chrome trace-event JSON; opens in ui.perfetto.dev)")
    String traceFormat;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs", description = "where run directories go (default: runs)")
    Path out;

    @Option(names = "--max-events", paramLabel = "N", description = "stop a run after N events (default: 2000000000); a run stopped so fails and says so")
    Long maxEvents;

    @Option(names = "--twice", description = "run each scenario twice and check that the fingerprints agree (determinism)")
    boolean twice;

    @Option(names = "--junit-xml", paramLabel = "FILE", description = "also write a JUnit XML report for CI (one test case per expectation of each scenario, "
            + "each failure with its replay command), whole or not at all")
    Path junitXml;

    /** The JUnit XML test cases, one per expectation of each scenario run (and one per file that could not run). */
    private final List<JunitXml.Case> junit = new ArrayList<>();

    /** Reads one file; tests replace it to prove that one file's internal error does not stop the others. */
    ScenarioSource loader = ScenarioLoader::load;

    @Override
    public Integer call() {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (!traceFormat.equals("jsonl") && !traceFormat.equals("perfetto")) {
            err.println("faultline run: --trace-format must be jsonl or perfetto, not '" + traceFormat + "'");
            return Main.BAD_INPUT;
        }
        if (trace != null && files.size() > 1) {
            err.println("faultline run: --trace takes one scenario file at a time");
            return Main.BAD_INPUT;
        }
        if (maxEvents != null && maxEvents < 1) {
            err.println("faultline run: --max-events must be at least 1, not " + maxEvents);
            return Main.BAD_INPUT;
        }
        if (mode != null && Scenario.Mode.parse(mode) == null) {
            err.println("faultline run: --mode must be kraft, zookeeper or oracle, not '" + mode + "'");
            return Main.BAD_INPUT;
        }
        String where = Outputs.checkDirectory("--out", out);
        if (where == null && trace != null) {
            where = Outputs.checkFile("--trace", trace);
        }
        if (where == null && junitXml != null) {
            where = Outputs.checkFile("--junit-xml", junitXml);
        }
        if (where != null) {
            err.println("faultline run: " + where);
            return Main.BAD_INPUT;
        }
        // Every file gets its own verdict: an invalid file or an internal error in one run does not
        // stop the others. The exit code is the worst verdict.
        Verdicts verdicts = new Verdicts();
        // Long runs (millions of partitions) show the virtual time reached: live on a terminal, every 30 s in logs.
        int code;
        try (SweepProgress progress = new SweepProgress(err, "run", files.size())) {
            code = runAll(o, err, verdicts, progress);
        }
        if (junitXml != null) {
            try {
                JunitXml.write(junitXml, "faultline run", junit);
                o.println("JUnit XML report: " + junitXml);
            } catch (IOException e) {
                err.println("faultline run: cannot write " + junitXml + ": " + e.getMessage());
                return Math.max(code, Main.BAD_INPUT);
            }
        }
        return code;
    }

    private int runAll(PrintWriter o, PrintWriter err, Verdicts verdicts, SweepProgress progress) {
        for (Path f : files) {
            Scenario s;
            try {
                s = Overrides.apply(loader.load(f), f.toString(), seed, mode);
            } catch (ScenarioException e) {
                Verdicts.printProblems(err, e);
                verdicts.add(Main.BAD_INPUT);
                StringBuilder problems = new StringBuilder();
                e.problems().forEach(pr -> problems.append(pr).append('\n'));
                junit.add(new JunitXml.Case("faultline.run." + f.getFileName(), "valid scenario", 0, JunitXml.Outcome.ERROR,
                        "invalid scenario file " + f, "invalid", problems.toString()));
                continue;
            } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
                Verdicts.printInternalError(err, f.toString(), e);
                verdicts.add(Main.INTERNAL);
                junit.add(new JunitXml.Case("faultline.run." + f.getFileName(), "run", 0, JunitXml.Outcome.ERROR,
                        "internal error: " + e, "internal", "an internal error of Faultline, not of " + f + ": " + e));
                continue;
            }
            long need = HeapEstimate.bytes(s);
            if (need > Runtime.getRuntime().maxMemory()) {
                err.println(f + ": " + CompareCommand.tooBig(s, need, Runtime.getRuntime().maxMemory()).replaceFirst("^faultline: ", ""));
                verdicts.add(Main.BAD_INPUT);
                continue;
            }
            SweepProgress.Slot slot = progress.begin(verdicts.files(), f + " seed " + s.seed());
            try {
                verdicts.add(runOne(s, f, o, err, slot, progress));
            } finally {
                progress.end(slot);
            }
            o.flush();
        }
        if (files.size() > 1) {
            o.println(verdicts.summary("passed", "failed"));
        }
        return verdicts.exitCode();
    }

    /** The heap the largest of these scenarios needs (they run one after the other), or -1 when none can be read. */
    long heapNeed() {
        long need = -1;
        for (Path f : files) {
            try {
                need = Math.max(need, HeapEstimate.bytes(Overrides.apply(loader.load(f), f.toString(), seed, mode)));
            } catch (ScenarioException | RuntimeException e) {
                // the run itself reports the file
            }
        }
        return need;
    }

    /** Runs one scenario, prints its summary and writes its run directory; returns its exit code. */
    private int runOne(Scenario s, Path source, PrintWriter o, PrintWriter err, SweepProgress.Slot slot, SweepProgress progress) {
        String replay = "  replay: ./faultline run " + source + " --seed " + s.seed() + " --mode " + s.cluster().mode().yamlName();
        List<TraceSink> sinks = new ArrayList<>();
        try {
            if (trace != null) {
                sinks.add(traceFormat.equals("jsonl") ? new JsonLinesSink(trace) : new ChromeTraceSink(trace));
            }
            long start = System.nanoTime();
            long budget = maxEvents != null ? maxEvents : ScenarioRunner.Options.defaults().maxEvents();
            ScenarioResult r = ScenarioRunner.run(s, new ScenarioRunner.Options(sinks, budget).withProgress(slot.simulatedNanos::set));
            long wall = System.nanoTime() - start;
            for (TraceSink sink : sinks) {
                sink.close();
            }
            sinks.clear();
            progress.clearLine();
            o.println(r.summary());
            o.printf(Locale.ROOT, "  %.1f s wall, %.0fx real time%n", wall / 1e9, r.simulatedNanos() / (double) Math.max(1, wall));
            boolean passed = r.passed();
            if (twice) {
                ScenarioResult again = ScenarioRunner.run(s, new ScenarioRunner.Options(List.of(), budget));
                boolean same = again.fingerprint().equals(r.fingerprint()) && again.events() == r.events();
                o.println("  determinism: second run fingerprint " + again.fingerprint() + (same ? " (same)" : " (DIFFERENT)"));
                passed &= same;
            }
            Path dir = out.resolve(s.name() + "-" + s.seed());
            addJunitCases(s, r, wall, replay.strip(), twice ? passed : true);
            writeRunDirectory(dir, s, r);
            o.println("  run directory: " + dir);
            if (!passed) {
                o.println(replay);
            }
            return passed ? Main.OK : Main.FAILED;
        } catch (IOException e) {
            abort(sinks);
            err.println("faultline run: " + source + ": cannot write output: " + e.getMessage());
            return Main.BAD_INPUT;
        } catch (RuntimeException | StackOverflowError | OutOfMemoryError e) {
            abort(sinks);
            Verdicts.printInternalError(err, source + " (seed " + s.seed() + ")", e);
            err.println(replay);
            junit.add(new JunitXml.Case("faultline.run." + s.name(), "run", 0, JunitXml.Outcome.ERROR, "internal error: " + e, "internal",
                    "an internal error of Faultline, not of " + source + ": " + e + "\n" + replay.strip()));
            return Main.INTERNAL;
        }
    }

    /** One JUnit test case per expectation of the run (and one for --twice), each failure with the run's class and replay command. */
    private void addJunitCases(Scenario s, ScenarioResult r, long wallNanos, String replay, boolean deterministic) {
        String cls = "faultline.run." + s.name();
        boolean first = true;
        for (ScenarioResult.Verdict v : r.expectations()) {
            double seconds = first ? wallNanos / 1e9 : 0;
            first = false;
            String type = r.classification() == null ? "expectation" : r.classification().violationClass().name();
            junit.add(v.held() ? JunitXml.Case.passed(cls, v.expectation(), seconds, v.detail())
                    : new JunitXml.Case(cls, v.expectation(), seconds, JunitXml.Outcome.FAILED, v.detail().lines().findFirst().orElse(v.expectation()),
                    type, v.detail() + "\n" + replay + "\n\n" + r.summary()));
        }
        if (twice) {
            junit.add(deterministic ? JunitXml.Case.passed(cls, "same fingerprint twice", 0, r.fingerprint())
                    : new JunitXml.Case(cls, "same fingerprint twice", 0, JunitXml.Outcome.FAILED, "a second run gave another fingerprint",
                    "determinism", replay + " --twice"));
        }
    }

    private static void abort(List<TraceSink> sinks) {
        for (TraceSink sink : sinks) {
            if (sink instanceof JsonLinesSink j) {
                j.abort();
            } else if (sink instanceof ChromeTraceSink c) {
                c.abort();
            }
        }
    }

    static void writeRunDirectory(Path dir, Scenario s, ScenarioResult r) throws IOException {
        AtomicFileWriter.write(dir.resolve("scenario.yaml"), ScenarioWriter.write(s));
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFileWriter.write(dir.resolve("result.json"), json.writeValueAsString(r) + "\n");
        AtomicFileWriter.write(dir.resolve("report.html"), RunReport.html(s, r));
    }
}
