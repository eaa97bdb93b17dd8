package dev.faultline.scenarios.cli;

import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kernel.Time;
import dev.faultline.reports.Comparison;
import dev.faultline.reports.ComparisonReport;
import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Problem;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioException;
import dev.faultline.scenarios.spec.ScenarioLoader;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code faultline compare [FILE]}: runs one scenario in several metadata modes over many seeds and
 * reports every failover phase as a distribution. Runs are independent simulations, spread over
 * worker threads; each is single-threaded and deterministic, and results are collected in a fixed
 * order, so the report does not depend on the number of workers.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, description = "Compare failover timings of metadata modes on the same faults, over seeds.")
final class CompareCommand implements Callable<Integer> {
    static final String DEFAULT = "/dev/faultline/scenarios/default-comparison.yaml";
    static final int MAX_SEEDS = 10_000;
    /** Worker threads at most: each holds a whole simulation. */
    static final int MAX_WORKERS = 1024;

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..1", paramLabel = "FILE", description = "scenario YAML file (default: the built-in comparison)")
    Path file;

    @Option(names = "--modes", split = ",", defaultValue = "zookeeper,kraft,oracle", description = "modes to compare (default: ${DEFAULT-VALUE})")
    List<String> modes;

    @Option(names = "--seeds", defaultValue = "20", description = "seeds per mode (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--partitions", split = ",", paramLabel = "N", description = "sweep the total partition count, e.g. 1k,10k,100k,1m")
    List<String> partitions;

    @Option(names = "--workers", description = "simulations run at once (default: the number of cores)")
    Integer workers;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/compare", description = "where the CSV, JSON and HTML go (default: ${DEFAULT-VALUE})")
    Path out;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        // The command line first: nothing is read or run when it is wrong.
        if (seeds < 1 || seeds > MAX_SEEDS) {
            err.println("faultline compare: --seeds must be between 1 and " + MAX_SEEDS + " (every run's result is kept for the report), not " + seeds);
            return Main.BAD_INPUT;
        }
        if (workers != null && (workers < 1 || workers > MAX_WORKERS)) {
            err.println("faultline compare: --workers must be between 1 and " + MAX_WORKERS + ", not " + workers);
            return Main.BAD_INPUT;
        }
        String where = Outputs.checkDirectory("--out", out);
        if (where != null) {
            err.println("faultline compare: " + where);
            return Main.BAD_INPUT;
        }
        Scenario base;
        String source;
        try {
            if (file == null) {
                source = "built-in default comparison";
                try (InputStream in = CompareCommand.class.getResourceAsStream(DEFAULT)) {
                    base = ScenarioLoader.parse(source, new String(in.readAllBytes(), StandardCharsets.UTF_8));
                }
            } else {
                source = file.toString();
                base = ScenarioLoader.load(file);
            }
        } catch (ScenarioException e) {
            for (Problem p : e.problems()) {
                err.println(p);
            }
            return Main.BAD_INPUT;
        }
        List<Scenario.Mode> modeList = new ArrayList<>();
        for (String m : modes) {
            Scenario.Mode mode = Scenario.Mode.parse(m.trim());
            if (mode == null) {
                err.println("faultline compare: unknown mode '" + m + "'; valid: zookeeper, kraft, oracle");
                return Main.BAD_INPUT;
            }
            if (modeList.contains(mode)) {
                err.println("faultline compare: mode '" + m.trim() + "' is listed twice in --modes");
                return Main.BAD_INPUT;
            }
            modeList.add(mode);
        }
        List<Integer> sizes = new ArrayList<>();
        if (partitions != null) {
            for (String p : partitions) {
                Integer n = parseCount(p);
                if (n == null) {
                    err.println("faultline compare: --partitions takes counts such as 1000, 10k or 1m, not '" + p + "'");
                    return Main.BAD_INPUT;
                }
                if (sizes.contains(n)) {
                    err.println("faultline compare: --partitions lists " + n + " twice");
                    return Main.BAD_INPUT;
                }
                sizes.add(n);
            }
        }
        // Every (size, mode, seed) run, in a fixed order.
        List<Scenario> runs = new ArrayList<>();
        List<String> labels = new ArrayList<>();
        for (Integer size : sizes.isEmpty() ? java.util.Collections.<Integer>singletonList(null) : sizes) {
            for (Scenario.Mode mode : modeList) {
                Scenario s;
                try {
                    s = Overrides.apply(withPartitions(base, size), source, null, mode.yamlName());
                } catch (ScenarioException e) {
                    for (Problem p : e.problems()) {
                        err.println(p);
                    }
                    return Main.BAD_INPUT;
                }
                for (int i = 0; i < seeds; i++) {
                    runs.add(s.withSeed(base.seed() + i));
                    labels.add(size == null ? "" : " (" + size + " partitions)");
                }
            }
        }
        int threads = workers != null ? workers : Runtime.getRuntime().availableProcessors();
        Progress progress = new Progress(err, runs.size());
        long start = System.nanoTime();
        List<ScenarioResult> results = new ArrayList<>();
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<ScenarioResult>> futures = new ArrayList<>();
            for (Scenario s : runs) {
                futures.add(pool.submit(() -> {
                    ScenarioResult r = ScenarioRunner.run(s);
                    progress.step();
                    return r;
                }));
            }
            for (Future<ScenarioResult> f : futures) {
                results.add(f.get());
            }
        } finally {
            pool.shutdownNow();
        }
        progress.done();
        long wall = System.nanoTime() - start;

        Comparison c = new Comparison(base.name() + ": " + String.join(", ", modes) + "; " + seeds + " seeds per mode");
        for (String metric : List.of("detect", "elect", "ready", "propagate", "client")) {
            c.metric(metric, Comparison.Unit.NANOS);
        }
        if (results.stream().anyMatch(r -> !r.topicCreations().isEmpty())) {
            c.metric("topic created", Comparison.Unit.NANOS).metric("topic ready", Comparison.Unit.NANOS);
        }
        c.metric("leader elections", Comparison.Unit.COUNT).metric("controllers activated", Comparison.Unit.COUNT)
                .metric("acked writes lost", Comparison.Unit.COUNT);
        int failed = 0;
        long simulated = 0;
        for (int i = 0; i < results.size(); i++) {
            ScenarioResult r = results.get(i);
            simulated += r.simulatedNanos();
            if (!r.passed()) {
                failed++;
            }
            String suffix = labels.get(i);
            for (FailoverMeasurement f : r.failovers()) {
                String kase = (f.kind() == FailoverMeasurement.Kind.CONTROLLER ? "controller failure" : "broker failure") + " at "
                        + Time.format(f.faultAtNanos()) + suffix;
                add(c, kase, "detect", r.mode(), f.detectNanos());
                add(c, kase, "elect", r.mode(), f.electNanos());
                if (f.kind() == FailoverMeasurement.Kind.CONTROLLER) {
                    add(c, kase, "ready", r.mode(), f.readyNanos());
                }
                add(c, kase, "propagate", r.mode(), f.propagateNanos());
                if (f.kind() == FailoverMeasurement.Kind.BROKER) {
                    add(c, kase, "client", r.mode(), f.clientNanos());
                }
            }
            for (dev.faultline.core.control.TopicCreation t : r.topicCreations()) {
                String kase = "topic " + t.topic() + " created at " + Time.format(t.requestedAtNanos()) + suffix;
                add(c, kase, "topic created", r.mode(), t.createdNanos());
                add(c, kase, "topic ready", r.mode(), t.readyNanos());
            }
        }
        // Whole-run counters come last in the report.
        for (int i = 0; i < results.size(); i++) {
            ScenarioResult r = results.get(i);
            String whole = "whole run" + labels.get(i);
            c.add(whole, "leader elections", r.mode(), r.leaderElections());
            c.add(whole, "controllers activated", r.mode(), r.controllerChanges());
            c.add(whole, "acked writes lost", r.mode(), r.losses().size());
        }
        c.note("scenario", source);
        java.util.Map<String, String> cfg = base.cluster().config();
        c.note("cost model", "broker per partition touched " + cfg.getOrDefault("faultline.broker.partition.cost.ns", "2000")
                + " ns; KRaft controller per record " + cfg.getOrDefault("faultline.controller.record.cost.ns", "2000")
                + " ns; ZooKeeper per request " + dev.faultline.zookeeper.ensemble.ZkConfig.Costs.DEFAULT.perRequestNanos()
                + " ns, per znode " + dev.faultline.zookeeper.ensemble.ZkConfig.Costs.DEFAULT.perZnodeNanos() + " ns; fsync "
                + Time.format(Time.MILLISECOND) + "; link " + base.cluster().network().latency().describe());
        c.note("faults", describeFaults(base));
        c.note("runs", results.size() + " (" + failed + " failed an expectation)");
        c.note("wall time", String.format(Locale.ROOT, "%.1f s on %d worker(s), %.0fx real time overall", wall / 1e9, threads,
                simulated / (double) Math.max(1, wall)));
        o.print(ComparisonReport.table(c));
        try {
            ComparisonReport.writeAll(c, out);
            o.println("wrote " + out.resolve("comparison.csv") + ", " + out.resolve("comparison.json") + ", " + out.resolve("report.html"));
        } catch (IOException e) {
            err.println("faultline compare: cannot write the report: " + e.getMessage());
            return Main.INTERNAL;
        }
        if (failed > 0) {
            for (ScenarioResult r : results) {
                if (!r.passed()) {
                    o.println("failed: mode " + r.mode() + " seed " + r.seed() + " — replay: ./faultline run " + (file == null ? "<default>" : file)
                            + " --seed " + r.seed() + " --mode " + r.mode());
                    break;
                }
            }
        }
        return failed == 0 ? Main.OK : Main.FAILED;
    }

    private static void add(Comparison c, String kase, String metric, String mode, long value) {
        if (value < 0) {
            c.addMissing(kase, metric, mode);
        } else {
            c.add(kase, metric, mode, value);
        }
    }

    static String describeFaults(Scenario s) {
        List<String> out = new ArrayList<>();
        for (Scenario.FaultEntry f : s.faults()) {
            out.add(f.fault().key() + " " + f.fault() + " at " + Time.format(f.atNanos()));
        }
        return String.join("; ", out).replaceAll("NodeFault\\[action=[A-Z_]+, targets=", "").replace("]]", "]");
    }

    /** The scenario with its partitions scaled so that all topics together hold {@code total}. */
    static Scenario withPartitions(Scenario s, Integer total) {
        if (total == null) {
            return s;
        }
        List<Scenario.Topic> topics = new ArrayList<>();
        int left = total;
        for (int i = 0; i < s.topics().size(); i++) {
            Scenario.Topic t = s.topics().get(i);
            int n = i == s.topics().size() - 1 ? left : Math.max(1, total / s.topics().size());
            left -= n;
            topics.add(new Scenario.Topic(t.name(), n, t.replicationFactor(), t.config(), t.createAtNanos()));
        }
        return new Scenario(s.name(), s.description(), s.seed(), s.durationNanos(), s.cluster(), topics, s.workload(), s.faults(), s.expectations(), s.bugs());
    }

    static Integer parseCount(String text) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        long scale = 1;
        if (t.endsWith("k")) {
            scale = 1_000;
            t = t.substring(0, t.length() - 1);
        } else if (t.endsWith("m")) {
            scale = 1_000_000;
            t = t.substring(0, t.length() - 1);
        }
        try {
            long v = (long) (Double.parseDouble(t) * scale);
            return v < 1 || v > 10_000_000 ? null : (int) v;
        } catch (NumberFormatException e) {
            return null;
        }
    }
}
