package dev.faultline.scenarios.cli;

import dev.faultline.core.kernel.Time;
import dev.faultline.reports.Comparison;
import dev.faultline.reports.ComparisonReport;
import dev.faultline.scenarios.run.HeapEstimate;
import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Problem;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioException;
import dev.faultline.scenarios.spec.ScenarioLoader;
import dev.faultline.scenarios.spec.ScenarioWriter;
import dev.faultline.core.trace.AtomicFileWriter;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/**
 * {@code faultline compare [FILE...]}: runs scenarios in several metadata modes over many seeds
 * (and, with {@code --partitions}, over partition counts) and reports every failover phase as a
 * distribution. Runs are independent simulations, spread over worker threads; each is
 * single-threaded and deterministic, and results are collected in a fixed order, so the report does
 * not depend on the number of workers, nor on how many machines ran it: {@code --shard i/n} runs
 * every n-th run and {@code faultline merge} joins the shards' {@code runs.json} into the same
 * report one machine writes.
 */
@Command(name = "compare", mixinStandardHelpOptions = true, description = "Compare failover timings of metadata modes on the same faults, over seeds "
        + "and partition counts.")
final class CompareCommand implements Callable<Integer> {
    static final String DEFAULT = "/dev/faultline/scenarios/default-comparison.yaml";
    static final int MAX_SEEDS = 10_000;
    /** Worker threads at most: each holds a whole simulation. */
    static final int MAX_WORKERS = 1024;
    static final int DEFAULT_SEEDS = 20;
    static final String DEFAULT_MODES = "zookeeper,kraft,oracle";

    @Spec
    CommandSpec spec;

    @Parameters(arity = "0..*", paramLabel = "FILE", description = "scenario YAML files (default: the built-in comparison)")
    List<Path> files;

    @Option(names = "--preset", paramLabel = "NAME", description = "a named comparison: kip-500, combined, dedicated, multi-dc (scenarios/library/scale/)")
    String preset;

    @Option(names = "--modes", split = ",", description = "modes to compare, each at the scenario's cluster.version (3.9 unless it says; "
            + "MODE-VERSION, e.g. kraft-4.0, for another) (default: " + DEFAULT_MODES + ", or the preset's)")
    List<String> modes;

    @Option(names = "--seeds", description = "seeds per mode (default: " + DEFAULT_SEEDS + ", or the preset's)")
    Integer seeds;

    @Option(names = "--partitions", split = ",", paramLabel = "N", description = "sweep the total partition count, e.g. 1k,10k,100k,1m,2m "
            + "(faults and run length adapt to each size)")
    List<String> partitions;

    @Option(names = "--workers", description = "simulations run at once (default: the number of cores, fewer when the heap cannot hold them)")
    Integer workers;

    @Option(names = "--shard", paramLabel = "i/n", defaultValue = "0/1", description = "run only runs i, i+n, i+2n, ... of the sweep (default: ${DEFAULT-VALUE}); "
            + "join the shards' --out directories with faultline merge")
    String shard;

    @Option(names = "--junit-xml", paramLabel = "FILE", description = "also write a JUnit XML report for CI (one test case per run (scenario, size, mode, seed), "
            + "each failure with its replay command), whole or not at all")
    Path junitXml;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/compare", description = "where the CSV, JSON, HTML, runs.json and the scenarios "
            + "run go (default: ${DEFAULT-VALUE})")
    Path out;

    /** One run of the sweep; {@code file}: its resolved scenario, relative to the output directory; {@code column}: its mode column. */
    record Item(int index, Scenario scenario, Integer partitions, String file, String label, String column) {
    }

    /**
     * One column of the comparison: {@code --modes} entry {@code MODE} runs the scenario's own
     * version ({@code cluster.version}, 3.9 unless it says otherwise), {@code MODE-VERSION}
     * ({@code kraft-4.0}) that version.
     *
     * @param version the version it runs, or {@code null} for the scenario's
     */
    record Column(Scenario.Mode mode, dev.faultline.core.mode.KafkaVersion version, String name) {
        /** An entry of {@code --modes}, or {@code null} when it names no mode or no version. */
        static Column parse(String text) {
            String t = text.trim();
            Scenario.Mode m = Scenario.Mode.parse(t);
            if (m != null) {
                return new Column(m, null, m.yamlName());
            }
            int dash = t.indexOf('-');
            if (dash < 0) {
                return null;
            }
            m = Scenario.Mode.parse(t.substring(0, dash));
            dev.faultline.core.mode.KafkaVersion v = dev.faultline.core.mode.KafkaVersion.parse(t.substring(dash + 1));
            return m == null || v == null ? null : new Column(m, v, m.yamlName() + "-" + v.text());
        }
    }

    /**
     * What a valid command line asks for: the sweep's header, every run of the sweep, this shard's
     * runs, and the resolved scenarios to write.
     */
    record Plan(SweepHeader header, List<Item> all, List<Item> mine, java.util.Map<Path, Scenario> toWrite, int[] shard) {
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        Object planned = plan(err);
        if (planned instanceof Integer code) {
            return code;
        }
        Plan plan = (Plan) planned;
        List<Item> mine = plan.mine();
        int[] sh = plan.shard();
        SweepHeader header = plan.header();
        // The heap: every run must fit on its own, and runs at once must fit together.
        long heap = Runtime.getRuntime().maxMemory();
        long budget = heap - HeapEstimate.BASE_BYTES;
        for (Item it : mine) {
            long need = HeapEstimate.bytes(it.scenario());
            if (need > heap) {
                err.println(tooBig(it.scenario(), need, heap));
                return Main.BAD_INPUT;
            }
        }
        for (java.util.Map.Entry<Path, Scenario> e : plan.toWrite().entrySet()) {
            AtomicFileWriter.write(e.getKey(), ScenarioWriter.write(e.getValue()));
        }
        int threads = threads(mine.size());
        return execute(o, err, plan, mine, sh, header, budget, threads);
    }

    /** Runs this shard's runs on the worker pool, writes runs.json, and reports. */
    private Integer execute(PrintWriter o, PrintWriter err, Plan plan, List<Item> mine, int[] sh, SweepHeader header, long budget, int threads)
            throws Exception {
        long start = System.nanoTime();
        List<SweepRun> runs = new ArrayList<>();
        HeapBudget heapBudget = new HeapBudget(budget);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try (SweepProgress progress = new SweepProgress(err, "compare" + (sh[1] > 1 ? " shard " + shard : ""), mine.size())) {
            List<Future<SweepRun>> futures = new ArrayList<>();
            for (Item it : mine) {
                futures.add(pool.submit(() -> {
                    long need = Math.min(budget, HeapEstimate.bytes(it.scenario()));
                    heapBudget.acquire(need);
                    SweepProgress.Slot slot = progress.begin(it.index(), it.label());
                    try {
                        ScenarioResult r = ScenarioRunner.run(it.scenario(), ScenarioRunner.Options.defaults().withProgress(slot.simulatedNanos::set));
                        return SweepRun.of(it.index(), it.partitions(), it.file(), it.scenario(), r, ScenarioRunner.clientPhaseMeasured(it.scenario()),
                                it.column());
                    } finally {
                        progress.end(slot);
                        heapBudget.release(need);
                    }
                }));
            }
            for (Future<SweepRun> f : futures) {
                try {
                    runs.add(f.get());
                } catch (ExecutionException e) {
                    if (e.getCause() instanceof Exception ex) {
                        throw ex;
                    }
                    throw (Error) e.getCause();
                }
            }
        } finally {
            pool.shutdownNow();
        }
        long wall = System.nanoTime() - start;
        SweepHeader.File file = new SweepHeader.File(header, runs);
        try {
            file.write(out);
        } catch (IOException e) {
            err.println("faultline compare: cannot write " + out.resolve(SweepHeader.File.NAME) + ": " + e.getMessage());
            return Main.INTERNAL;
        }
        if (junitXml != null) {
            try {
                JunitXml.write(junitXml, "faultline compare", junitCases(runs, out));
                o.println("JUnit XML report: " + junitXml);
            } catch (IOException e) {
                err.println("faultline compare: cannot write " + junitXml + ": " + e.getMessage());
                return Main.BAD_INPUT;
            }
        }
        long simulated = runs.stream().mapToLong(SweepRun::simulatedNanos).sum();
        String wallLine = String.format(Locale.ROOT, "wall time: %.1f s on %d worker(s), %.0fx real time overall", wall / 1e9, threads,
                simulated / (double) Math.max(1, wall));
        if (sh[1] > 1) {
            o.printf(Locale.ROOT, "shard %s: %d of the sweep's %d runs (%d failed an expectation)%n", shard, runs.size(), plan.all().size(),
                    runs.stream().filter(r -> !r.passed()).count());
            o.println(wallLine);
            o.println("wrote " + out.resolve(SweepHeader.File.NAME) + "; join the shards with: faultline merge DIR... --out DIR");
            return printFailures(o, runs, out);
        }
        return report(o, err, header, runs, out, wallLine);
    }

    /** One JUnit test case per run of the sweep: passed when every expectation held, else its failure and replay command. */
    static List<JunitXml.Case> junitCases(List<SweepRun> runs, Path out) {
        List<JunitXml.Case> cases = new ArrayList<>();
        for (SweepRun r : runs.stream().sorted(java.util.Comparator.comparingInt(SweepRun::index)).toList()) {
            String name = r.mode() + (r.partitions() == null ? "" : " " + r.partitions() + " partitions") + " seed " + r.seed();
            String replay = "replay: ./faultline run " + out.resolve(r.scenarioFile()) + " --seed " + r.seed();
            cases.add(r.passed() ? JunitXml.Case.passed("faultline.compare." + r.scenario(), name, 0, "")
                    : new JunitXml.Case("faultline.compare." + r.scenario(), name, 0, JunitXml.Outcome.FAILED,
                    r.failure().lines().findFirst().orElse("an expectation failed"), "expectation", r.failure() + "\n" + replay));
        }
        return cases;
    }

    /** Simulations at once: --workers, or the cores; never more than the runs. */
    int threads(int runs) {
        return Math.min(Math.max(1, runs), workers != null ? workers : Runtime.getRuntime().availableProcessors());
    }

    /**
     * The heap this command line needs (for the launcher's -Xmx): the largest runs that go at once
     * (one per worker), or -1 when the command line is not valid (the command itself says why).
     */
    long heapNeed() {
        Object planned;
        try {
            planned = plan(new PrintWriter(java.io.Writer.nullWriter()));
        } catch (RuntimeException e) {
            return -1;
        }
        if (!(planned instanceof Plan plan) || plan.mine().isEmpty()) {
            return -1;
        }
        List<Long> needs = new ArrayList<>();
        for (Item it : plan.mine()) {
            needs.add(HeapEstimate.bytes(it.scenario()) - HeapEstimate.BASE_BYTES);
        }
        needs.sort(java.util.Comparator.reverseOrder());
        long total = HeapEstimate.BASE_BYTES;
        for (int i = 0; i < Math.min(threads(needs.size()), needs.size()); i++) {
            total += needs.get(i);
        }
        return total;
    }

    /** Validates the command line and plans the sweep: a {@link Plan}, or the exit code after saying what is wrong. */
    private Object plan(PrintWriter err) {
        // The command line first: nothing is read or run when it is wrong.
        Presets.Preset p = null;
        if (preset != null) {
            p = Presets.ALL.get(preset);
            if (p == null) {
                err.println("faultline compare: unknown preset '" + preset + "'" + dev.faultline.scenarios.spec.Suggest.didYouMean(preset,
                        Presets.ALL.keySet()) + "; presets: " + Presets.names());
                return Main.BAD_INPUT;
            }
            if (files != null && !files.isEmpty()) {
                err.println("faultline compare: give either scenario files or --preset, not both");
                return Main.BAD_INPUT;
            }
        }
        int seedCount = seeds != null ? seeds : p != null ? p.seeds() : DEFAULT_SEEDS;
        if (seedCount < 1 || seedCount > MAX_SEEDS) {
            err.println("faultline compare: --seeds must be between 1 and " + MAX_SEEDS + " (every run's result is kept for the report), not " + seedCount);
            return Main.BAD_INPUT;
        }
        if (workers != null && (workers < 1 || workers > MAX_WORKERS)) {
            err.println("faultline compare: --workers must be between 1 and " + MAX_WORKERS + ", not " + workers);
            return Main.BAD_INPUT;
        }
        int[] sh = parseShard(shard);
        if (sh == null) {
            err.println("faultline compare: --shard takes i/n with 0 <= i < n <= 10000, e.g. 3/8, not '" + shard + "'");
            return Main.BAD_INPUT;
        }
        String where = Outputs.checkDirectory("--out", out);
        if (where == null && junitXml != null) {
            where = Outputs.checkFile("--junit-xml", junitXml);
        }
        if (where != null) {
            err.println("faultline compare: " + where);
            return Main.BAD_INPUT;
        }
        List<String> modeNames = modes != null ? modes : p != null ? p.modes() : List.of(DEFAULT_MODES.split(","));
        List<Column> modeList = new ArrayList<>();
        for (String m : modeNames) {
            Column column = Column.parse(m);
            if (column == null) {
                err.println("faultline compare: unknown mode '" + m + "'; valid: zookeeper, kraft, oracle, each optionally with a Kafka version "
                        + "(kraft-4.0, kraft-3.9; versions: " + String.join(", ", dev.faultline.core.mode.KafkaVersion.texts()) + ")");
                return Main.BAD_INPUT;
            }
            if (modeList.stream().anyMatch(c -> c.name().equals(column.name()))) {
                err.println("faultline compare: mode '" + m.trim() + "' is listed twice in --modes");
                return Main.BAD_INPUT;
            }
            modeList.add(column);
        }
        List<Integer> sizes = new ArrayList<>();
        if (partitions != null) {
            for (String s : partitions) {
                Integer n = parseCount(s);
                if (n == null) {
                    err.println("faultline compare: --partitions takes counts such as 1000, 10k or 1m, not '" + s + "'");
                    return Main.BAD_INPUT;
                }
                if (sizes.contains(n)) {
                    err.println("faultline compare: --partitions lists " + n + " twice");
                    return Main.BAD_INPUT;
                }
                sizes.add(n);
            }
        }
        // The scenarios.
        List<Scenario> bases = new ArrayList<>();
        List<String> sources = new ArrayList<>();
        try {
            if (p != null) {
                for (String f : p.files()) {
                    String source = "scenarios/library/scale/" + f;
                    bases.add(ScenarioLoader.parse(source, resource(Presets.RESOURCES + f)));
                    sources.add(source);
                }
            } else if (files == null || files.isEmpty()) {
                bases.add(ScenarioLoader.parse("built-in default comparison", resource(DEFAULT)));
                sources.add("built-in default comparison");
            } else {
                boolean bad = false;
                for (Path f : files) {
                    try {
                        bases.add(ScenarioLoader.load(f));
                        sources.add(f.toString());
                    } catch (ScenarioException e) {
                        bad = true;
                        for (Problem pr : e.problems()) {
                            err.println(pr);
                        }
                    }
                }
                if (bad) {
                    return Main.BAD_INPUT;
                }
            }
        } catch (ScenarioException e) {
            for (Problem pr : e.problems()) {
                err.println(pr);
            }
            return Main.BAD_INPUT;
        }
        for (int i = 0; i < bases.size(); i++) {
            for (int j = 0; j < i; j++) {
                if (bases.get(i).name().equals(bases.get(j).name())) {
                    err.println("faultline compare: " + sources.get(i) + " and " + sources.get(j) + " have the same name '" + bases.get(i).name()
                            + "'; the report names cases by scenario");
                    return Main.BAD_INPUT;
                }
            }
        }
        // Every (scenario, size, mode, seed) run, in a fixed order; each sized scenario written for replay.
        List<Item> plan = new ArrayList<>();
        java.util.Map<Path, Scenario> toWrite = new java.util.LinkedHashMap<>();
        for (int b = 0; b < bases.size(); b++) {
            Scenario base = bases.get(b);
            for (Integer size : sizes.isEmpty() ? java.util.Collections.<Integer>singletonList(null) : sizes) {
                for (Column column : modeList) {
                    Scenario s;
                    try {
                        s = Overrides.apply(sized(base, size), sources.get(b), null, column.mode().yamlName(), column.version());
                    } catch (ScenarioException e) {
                        for (Problem pr : e.problems()) {
                            err.println(pr);
                        }
                        return Main.BAD_INPUT;
                    }
                    String file = "scenarios/" + s.name() + (size == null ? "" : "-" + size) + "-" + column.name() + ".yaml";
                    toWrite.put(out.resolve(file), s);
                    for (int i = 0; i < seedCount; i++) {
                        Scenario run = s.withSeed(base.seed() + i);
                        String label = (bases.size() > 1 ? s.name() + " " : "") + column.name() + (size == null ? "" : " " + size + " partitions")
                                + " seed " + run.seed();
                        plan.add(new Item(plan.size(), run, size, file, label, column.name()));
                    }
                }
            }
        }
        List<Item> mine = new ArrayList<>();
        for (Item it : plan) {
            if (it.index() % sh[1] == sh[0]) {
                mine.add(it);
            }
        }
        return new Plan(header(bases, sources, modeList, seedCount, sizes, plan.size(), sh), plan, mine, toWrite, sh);
    }

    static int report(PrintWriter o, PrintWriter err, SweepHeader header, List<SweepRun> runs, Path out, String wallLine) {
        Comparison c = SweepReport.build(header, runs);
        o.print(ComparisonReport.table(c));
        o.print(ComparisonReport.sweepTable(c));
        if (wallLine != null) {
            o.println(wallLine);
        }
        try {
            ComparisonReport.writeAll(c, out);
            o.println("wrote " + out.resolve("comparison.csv") + ", " + out.resolve("comparison.json") + ", " + out.resolve("report.html"));
        } catch (IOException e) {
            err.println("faultline: cannot write the report: " + e.getMessage());
            return Main.INTERNAL;
        }
        return printFailures(o, runs, out);
    }

    /** The failed runs (up to ten), each with its replay command; the exit code. */
    static int printFailures(PrintWriter o, List<SweepRun> runs, Path out) {
        List<SweepRun> failed = runs.stream().filter(r -> !r.passed()).sorted(java.util.Comparator.comparingInt(SweepRun::index)).toList();
        for (int i = 0; i < Math.min(10, failed.size()); i++) {
            SweepRun r = failed.get(i);
            o.println("failed: " + r.scenario() + " " + r.mode() + (r.partitions() == null ? "" : " " + r.partitions() + " partitions") + " seed "
                    + r.seed() + ": " + r.failure() + " — replay: ./faultline run " + out.resolve(r.scenarioFile()) + " --seed " + r.seed());
        }
        if (failed.size() > 10) {
            o.println("... and " + (failed.size() - 10) + " more failed runs (runs.json has them all)");
        }
        return failed.isEmpty() ? Main.OK : Main.FAILED;
    }

    /** The sweep's header: title and notes from the scenarios and options (the same on every shard). */
    static SweepHeader header(List<Scenario> bases, List<String> sources, List<Column> modes, int seeds, List<Integer> sizes, int total,
                              int[] shard) {
        List<String> names = new ArrayList<>();
        for (Scenario b : bases) {
            names.add(b.name());
        }
        List<String> modeNames = new ArrayList<>();
        List<String> versions = new ArrayList<>();
        for (Column m : modes) {
            modeNames.add(m.name());
            java.util.TreeSet<String> v = new java.util.TreeSet<>();
            for (Scenario b : bases) {
                v.add((m.version() != null ? m.version() : b.cluster().version()).text());
            }
            versions.add(m.name() + " " + String.join("/", v));
        }
        String title = String.join(", ", names) + ": " + String.join(", ", modeNames) + "; " + seeds + " seed(s) per mode"
                + (sizes.isEmpty() ? "" : "; partitions " + String.join(", ", sizes.stream().map(x -> ComparisonReport.count(x)).toList()));
        List<SweepHeader.Note> notes = new ArrayList<>();
        notes.add(new SweepHeader.Note(bases.size() > 1 ? "scenarios" : "scenario", String.join(", ", sources)));
        Scenario base = bases.get(0);
        java.util.Map<String, String> cfg = base.cluster().config();
        StringBuilder costs = new StringBuilder("broker per partition touched " + cfg.getOrDefault("faultline.broker.partition.cost.ns", "2000") + " ns");
        for (dev.faultline.core.mode.MetadataMode m : dev.faultline.scenarios.spec.Modes.all()) {
            String c = m.costs(cfg);
            if (c != null) {
                costs.append("; ").append(c);
            }
        }
        notes.add(new SweepHeader.Note("cost model", costs + "; fsync " + Time.format(Time.MILLISECOND) + "; link "
                + base.cluster().network().latency().describe()));
        for (Scenario b : bases) {
            notes.add(new SweepHeader.Note(bases.size() > 1 ? "faults of " + b.name() : "faults", describeFaults(b)));
        }
        boolean adaptive = !sizes.isEmpty() || bases.stream().anyMatch(b -> b.adaptive() != null);
        if (adaptive) {
            notes.add(new SweepHeader.Note("timing", "adaptive: a fault fires at its written time or, when later, once the cluster has settled and "
                    + "the failover before it has completed; each run lasts until every failover completed plus a margin; cases are named by "
                    + "written times"));
        }
        notes.add(new SweepHeader.Note("Kafka version", String.join(", ", versions) + " (cluster.version; README: Version profiles)"));
        notes.add(new SweepHeader.Note("start", bases.stream().anyMatch(b -> b.cluster().warmStart())
                ? "warm (an established cluster at time 0)" : "cold (every process starts at time 0)"));
        return new SweepHeader(SweepHeader.FORMAT, title, notes, names, modeNames, seeds, sizes, total, shard[0] + "/" + shard[1]);
    }

    /** The message for a run that needs more heap than this JVM has: how much, and how to give it. */
    static String tooBig(Scenario s, long need, long heap) {
        return "faultline: " + s.name() + " (" + s.cluster().mode().yamlName() + ", " + s.partitionCount() + " partitions, " + s.replicaCount()
                + " replicas) needs about " + HeapEstimate.format(need) + " of heap; this JVM has " + HeapEstimate.format(heap) + ". Give it more: "
                + "FAULTLINE_HEAP=" + HeapEstimate.xmx(need) + " ./faultline ... (the launcher otherwise sizes the heap from the scenario, up to "
                + "the machine's memory), or run fewer partitions.";
    }

    private static String resource(String path) throws ScenarioException {
        try (InputStream in = CompareCommand.class.getResourceAsStream(path)) {
            if (in == null) {
                throw new ScenarioException(List.of(new Problem(path, 1, 1, "missing from the jar; rebuild it")));
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ScenarioException(List.of(new Problem(path, 1, 1, "cannot read: " + e.getMessage())));
        }
    }

    /** {@code i/n} as {i, n}, or {@code null} when it is not 0 <= i < n <= 10000. */
    static int[] parseShard(String text) {
        String[] parts = text.trim().split("/", -1);
        if (parts.length != 2) {
            return null;
        }
        try {
            int i = Integer.parseInt(parts[0].trim());
            int n = Integer.parseInt(parts[1].trim());
            return n < 1 || n > 10_000 || i < 0 || i >= n ? null : new int[] {i, n};
        } catch (NumberFormatException e) {
            return null;
        }
    }

    static String describeFaults(Scenario s) {
        List<String> out = new ArrayList<>();
        for (Scenario.FaultEntry f : s.faults()) {
            out.add(f.fault().key() + " " + f.fault() + " at " + Time.format(f.atNanos()));
        }
        return String.join("; ", out).replaceAll("NodeFault\\[action=[A-Z_]+, targets=", "").replace("]]", "]");
    }

    /**
     * The scenario sized for a sweep: partitions scaled so that all topics together hold
     * {@code total}, and adaptive timing on (unless the scenario sets its own), since set-up and
     * failovers take longer at larger sizes.
     */
    static Scenario sized(Scenario s, Integer total) {
        if (total == null) {
            return s;
        }
        Scenario out = withPartitions(s, total);
        return out.adaptive() != null ? out
                : out.withAdaptive(new Scenario.Adaptive(Scenario.Adaptive.DEFAULT.marginNanos(), Math.max(s.durationNanos(), Scenario.Adaptive.DEFAULT.limitNanos())));
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
        return s.withTopics(topics);
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

    /** Bytes of heap handed to runs in progress; a run waits until its estimate fits. */
    static final class HeapBudget {
        private final long capacity;
        private long used;

        HeapBudget(long capacity) {
            this.capacity = capacity;
        }

        synchronized void acquire(long bytes) throws InterruptedException {
            while (used > 0 && used + bytes > capacity) {
                wait();
            }
            used += bytes;
        }

        synchronized void release(long bytes) {
            used -= bytes;
            notifyAll();
        }
    }
}
