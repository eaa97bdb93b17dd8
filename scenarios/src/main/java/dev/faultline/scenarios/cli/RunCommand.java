package dev.faultline.scenarios.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.faultline.core.trace.AtomicFileWriter;
import dev.faultline.core.trace.ChromeTraceSink;
import dev.faultline.core.trace.JsonLinesSink;
import dev.faultline.core.trace.TraceSink;
import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Problem;
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

    @Option(names = "--twice", description = "run each scenario twice and check that the fingerprints agree (determinism)")
    boolean twice;

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
        List<Scenario> scenarios = new ArrayList<>();
        List<Path> sources = new ArrayList<>();
        boolean bad = false;
        for (Path f : files) {
            try {
                scenarios.add(Overrides.apply(ScenarioLoader.load(f), f.toString(), seed, mode));
                sources.add(f);
            } catch (ScenarioException e) {
                bad = true;
                for (Problem p : e.problems()) {
                    err.println(p);
                }
            }
        }
        if (bad) {
            return Main.BAD_INPUT;
        }
        boolean allPassed = true;
        for (int i = 0; i < scenarios.size(); i++) {
            Scenario s = scenarios.get(i);
            Path source = sources.get(i);
            List<TraceSink> sinks = new ArrayList<>();
            try {
                if (trace != null) {
                    sinks.add(traceFormat.equals("jsonl") ? new JsonLinesSink(trace) : new ChromeTraceSink(trace));
                }
                long start = System.nanoTime();
                ScenarioResult r = ScenarioRunner.run(s, new ScenarioRunner.Options(sinks, ScenarioRunner.Options.defaults().maxEvents()));
                long wall = System.nanoTime() - start;
                for (TraceSink sink : sinks) {
                    sink.close();
                }
                o.println(r.summary());
                o.printf(Locale.ROOT, "  %.1f s wall, %.0fx real time%n", wall / 1e9, r.simulatedNanos() / (double) Math.max(1, wall));
                if (twice) {
                    ScenarioResult again = ScenarioRunner.run(s);
                    boolean same = again.fingerprint().equals(r.fingerprint()) && again.events() == r.events();
                    o.println("  determinism: second run fingerprint " + again.fingerprint() + (same ? " (same)" : " (DIFFERENT)"));
                    if (!same) {
                        allPassed = false;
                    }
                }
                Path dir = out.resolve(s.name() + "-" + s.seed());
                writeRunDirectory(dir, s, r);
                o.println("  run directory: " + dir);
                if (!r.passed()) {
                    allPassed = false;
                    o.println("  replay: ./faultline run " + source + " --seed " + s.seed() + " --mode " + s.cluster().mode().yamlName());
                }
            } catch (IOException e) {
                err.println("faultline run: cannot write output: " + e.getMessage());
                return Main.INTERNAL;
            } catch (RuntimeException e) {
                for (TraceSink sink : sinks) {
                    if (sink instanceof JsonLinesSink j) {
                        j.abort();
                    } else if (sink instanceof ChromeTraceSink c) {
                        c.abort();
                    }
                }
                err.println("faultline run: internal error in " + source + " with seed " + s.seed() + ": " + e);
                err.println("  replay: ./faultline run " + source + " --seed " + s.seed() + " --mode " + s.cluster().mode().yamlName());
                return Main.INTERNAL;
            }
        }
        return allPassed ? Main.OK : Main.FAILED;
    }

    static void writeRunDirectory(Path dir, Scenario s, ScenarioResult r) throws IOException {
        AtomicFileWriter.write(dir.resolve("scenario.yaml"), ScenarioWriter.write(s));
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        AtomicFileWriter.write(dir.resolve("result.json"), json.writeValueAsString(r) + "\n");
        AtomicFileWriter.write(dir.resolve("report.html"), RunReport.html(s, r));
    }
}
