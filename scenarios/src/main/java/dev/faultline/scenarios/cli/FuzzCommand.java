package dev.faultline.scenarios.cli;

import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.fuzz.FuzzFailure;
import dev.faultline.scenarios.fuzz.Campaign;
import dev.faultline.scenarios.fuzz.ScheduleGenerator;
import dev.faultline.scenarios.spec.ConfigKeys;
import dev.faultline.scenarios.spec.Scenario;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code faultline fuzz}: generated clusters and fault schedules, run on worker threads; every
 * distinct failure is shrunk and written as a replayable YAML scenario as soon as it is found.
 * Ctrl-C stops cleanly and keeps everything found.
 *
 * <p>Spreading one campaign over machines: give each machine the same {@code --seed} and
 * {@code --shard i/n} with its own i (a CI matrix index, or {@code JOB_COMPLETION_INDEX} in a
 * Kubernetes Indexed Job); shard i runs seeds {@code seed + i + k·n}, so shards never overlap.
 */
@Command(name = "fuzz", mixinStandardHelpOptions = true, description = "Fuzz fault schedules; failures come back as minimal, replayable YAML scenarios.")
final class FuzzCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Option(names = "--time", description = "stop after this much wall time, e.g. 10m (default: 10m unless --runs is given)")
    String time;

    @Option(names = "--runs", description = "stop after this many runs")
    Long runs;

    @Option(names = "--workers", description = "simulations at once (default: the number of cores)")
    Integer workers;

    @Option(names = "--mode", description = "kraft, zookeeper or oracle (default: every mode this build runs, chosen per seed)")
    String mode;

    @Option(names = "--plant", paramLabel = "SWITCH", description = "turn on a planted bug, e.g. raft.commitPriorEpochByCount (repeatable)")
    List<String> plant = new ArrayList<>();

    @Option(names = "--shard", paramLabel = "i/n", defaultValue = "0/1", description = "this machine's slice of the seed space (default: ${DEFAULT-VALUE})")
    String shard;

    @Option(names = "--seed", defaultValue = "1", description = "first seed of the campaign (default: ${DEFAULT-VALUE})")
    long seed;

    @Option(names = "--out", paramLabel = "DIR", defaultValue = "runs/fuzz", description = "where failures go (default: ${DEFAULT-VALUE})")
    Path out;


    @Option(names = "--junit-xml", paramLabel = "FILE", description = "also write a JUnit XML report for CI (one test case per finding, "
            + "each failure with its replay command), whole or not at all")
    Path junitXml;

    @Option(names = "--fail-on", paramLabel = "CLASS", defaultValue = "bug",
            description = "exit 1 when the campaign found a case of this class or worse: bug (default), hazard or expected "
                    + "(docs/invariants.md#classification)")
    String failOn;

    @Override
    public Integer call() throws Exception {
        PrintWriter o = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long maxWall;
        try {
            maxWall = time != null ? Time.parseDuration(time) : runs != null ? Long.MAX_VALUE : 10 * Time.MINUTE;
        } catch (IllegalArgumentException e) {
            err.println("faultline fuzz: --time " + e.getMessage());
            return Main.BAD_INPUT;
        }
        if (maxWall <= 0) {
            err.println("faultline fuzz: --time must be positive, e.g. --time 10m, not '" + time + "'");
            return Main.BAD_INPUT;
        }
        if (runs != null && runs < 1) {
            err.println("faultline fuzz: --runs must be at least 1, not " + runs);
            return Main.BAD_INPUT;
        }
        if (workers != null && (workers < 1 || workers > CompareCommand.MAX_WORKERS)) {
            err.println("faultline fuzz: --workers must be between 1 and " + CompareCommand.MAX_WORKERS + ", not " + workers);
            return Main.BAD_INPUT;
        }
        String where = Outputs.checkDirectory("--out", out);
        if (where == null && junitXml != null) {
            where = Outputs.checkFile("--junit-xml", junitXml);
        }
        if (where != null) {
            err.println("faultline fuzz: " + where);
            return Main.BAD_INPUT;
        }
        String[] parts = shard.split("/");
        int shardIndex;
        int shards;
        try {
            shardIndex = Integer.parseInt(parts[0]);
            shards = Integer.parseInt(parts[1]);
            if (parts.length != 2 || shards < 1 || shardIndex < 0 || shardIndex >= shards) {
                throw new NumberFormatException();
            }
        } catch (RuntimeException e) {
            err.println("faultline fuzz: --shard takes i/n with 0 <= i < n, e.g. 3/8, not '" + shard + "'");
            return Main.BAD_INPUT;
        }
        ViolationClass threshold = ViolationClass.parse(failOn);
        if (threshold == null) {
            err.println("faultline fuzz: --fail-on must be bug, hazard or expected, not '" + failOn + "'");
            return Main.BAD_INPUT;
        }
        for (String p : plant) {
            if (!ConfigKeys.PLANTED_BUGS.contains(p)) {
                err.println("faultline fuzz: unknown planted bug '" + p + "'; valid: " + ConfigKeys.PLANTED_BUGS);
                return Main.BAD_INPUT;
            }
        }
        Scenario.Mode m = null;
        if (mode != null) {
            m = Scenario.Mode.parse(mode);
            if (m == null) {
                err.println("faultline fuzz: --mode must be kraft, zookeeper or oracle, not '" + mode + "'");
                return Main.BAD_INPUT;
            }
        } else {
            m = modeFor(plant);
        }
        int k = workers != null ? workers : Runtime.getRuntime().availableProcessors();
        Campaign.Options options = new Campaign.Options(ScheduleGenerator.Options.of(m, plant), seed, shardIndex, shards,
                runs != null ? runs : Long.MAX_VALUE, maxWall, k, out, 300);
        Campaign campaign = new Campaign(options, err);
        CountDownLatch finished = new CountDownLatch(1);
        Thread hook = new Thread(() -> {
            campaign.stop();
            try {
                finished.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, "faultline-fuzz-stop");
        Runtime.getRuntime().addShutdownHook(hook);
        long start = System.nanoTime();
        boolean terminal = System.console() != null;
        Thread progress = new Thread(() -> {
            long last = System.nanoTime();
            while (!Thread.currentThread().isInterrupted()) {
                try {
                    Thread.sleep(terminal ? 1000 : 100);
                } catch (InterruptedException e) {
                    return;
                }
                if (terminal) {
                    err.print("\r" + campaign.progress(start) + "   ");
                    err.flush();
                } else if (System.nanoTime() - last > 30 * Time.SECOND) {
                    last = System.nanoTime();
                    err.println(campaign.progress(start));
                    err.flush();
                }
            }
        }, "faultline-fuzz-progress");
        progress.setDaemon(true);
        progress.start();
        Campaign.Summary summary;
        try {
            summary = campaign.run();
        } finally {
            progress.interrupt();
            finished.countDown();
        }
        try {
            Runtime.getRuntime().removeShutdownHook(hook);
        } catch (IllegalStateException shuttingDown) {
            // Ctrl-C: the hook is already running and waits for us.
        }
        if (terminal) {
            err.print("\r\033[K");
        }
        o.printf(Locale.ROOT, "fuzz %s%s, shard %d/%d: %d runs in %.1f s on %d worker(s): %.2f runs/s, %.0f simulated seconds per wall second%n",
                m == null ? "all modes" : m.yamlName(), plant.isEmpty() ? "" : " with " + plant, shardIndex, shards, summary.runs(),
                summary.wallNanos() / 1e9, k, summary.runsPerSecond(), summary.simulatedPerWall());
        if (summary.firstRun() > 0) {
            o.println("continued from run " + summary.firstRun() + " of this campaign (runs before it had finished before the restart)");
        }
        if (junitXml != null) {
            try {
                JunitXml.write(junitXml, "faultline fuzz", junitCases(summary, threshold, out));
                o.println("JUnit XML report: " + junitXml);
            } catch (IOException e) {
                err.println("faultline fuzz: cannot write " + junitXml + ": " + e.getMessage());
                return Main.BAD_INPUT;
            }
        }
        for (ViolationClass c : ViolationClass.values()) {
            List<String> mine = summary.failures().keySet().stream().filter(sig -> FuzzFailure.classOf(sig) == c).toList();
            String heading = c == ViolationClass.BUG ? "failures (BUG)" : c == ViolationClass.HAZARD ? "hazards (HAZARD)" : "expected (EXPECTED)";
            long runsWith = mine.stream().mapToLong(sig -> summary.occurrences().getOrDefault(sig, 0L)).sum();
            o.println(heading + ": " + (mine.isEmpty() ? "none" : mine.size() + " distinct" + (runsWith > 0 ? ", in " + runsWith + " run(s) of this campaign" : ""))
                    + (c.failsUnder(threshold) ? "" : " (do not fail the campaign: --fail-on " + threshold.yamlName() + ")"));
            String word = c == ViolationClass.BUG ? "failure" : c.yamlName();
            for (String signature : mine) {
                FuzzFailure f = summary.failures().get(signature);
                String reference = FuzzFailure.referenceOf(signature);
                Long after = summary.runsToFind().get(signature);
                o.println(word + " " + signature + (reference.isEmpty() ? "" : " (" + reference + ")") + ": "
                        + (after == null ? "found before the restart (seed " + f.seed() + "), under " + out
                        : "found after " + after + " runs (seed " + f.seed() + "), written under " + out + "; seen in "
                        + summary.occurrences().getOrDefault(signature, 1L) + " run(s)"));
            }
        }
        return fails(summary, threshold) ? Main.FAILED : Main.OK;
    }

    /**
     * One JUnit test case per distinct finding: a failure when its class fails the campaign under
     * {@code threshold}, skipped (with its class and reference) when it does not; one passing case
     * for a campaign that found nothing.
     */
    static List<JunitXml.Case> junitCases(Campaign.Summary summary, ViolationClass threshold, Path out) {
        List<JunitXml.Case> cases = new ArrayList<>();
        String totals = String.format(Locale.ROOT, "%d runs in %.1f s", summary.runs(), summary.wallNanos() / 1e9);
        if (summary.failures().isEmpty()) {
            cases.add(JunitXml.Case.passed("faultline.fuzz", "campaign", summary.wallNanos() / 1e9, totals + ", nothing found"));
        }
        for (java.util.Map.Entry<String, FuzzFailure> e : summary.failures().entrySet()) {
            FuzzFailure f = e.getValue();
            String sig = e.getKey();
            ViolationClass c = FuzzFailure.classOf(sig);
            String reference = FuzzFailure.referenceOf(sig);
            Path dir = out.resolve(sig + "-seed-" + f.seed());
            String replay = "replay: ./faultline run " + dir.resolve(java.nio.file.Files.exists(dir.resolve("scenario.yaml")) ? "scenario.yaml" : "original.yaml");
            String what = f.result() == null ? sig : f.result().violation() != null ? f.result().violation().headline()
                    : f.result().expectations().stream().filter(v -> !v.held()).map(Object::toString).findFirst().orElse(sig);
            String message = c + (reference.isEmpty() ? "" : " (" + reference + ")") + ": " + sig + ", generator seed " + f.seed();
            String details = what + "\n" + replay + "\n" + summary.occurrences().getOrDefault(sig, 0L) + " run(s) of " + totals;
            cases.add(new JunitXml.Case("faultline.fuzz." + c.yamlName(), sig, 0, c.failsUnder(threshold) ? JunitXml.Outcome.FAILED
                    : JunitXml.Outcome.SKIPPED, c.failsUnder(threshold) ? message : message + "; does not fail under --fail-on " + threshold.yamlName(),
                    c.name(), details));
        }
        return cases;
    }

    /** Whether a campaign fails under {@code --fail-on threshold}: it found a case of that class or worse. */
    static boolean fails(Campaign.Summary summary, ViolationClass threshold) {
        return summary.failures().keySet().stream().anyMatch(sig -> FuzzFailure.classOf(sig).failsUnder(threshold));
    }

    /** The mode a planted bug lives in. */
    static Scenario.Mode modeFor(List<String> bugs) {
        for (String b : bugs) {
            if (b.startsWith("raft.") || b.startsWith("kraftController.")) {
                return Scenario.Mode.KRAFT;
            }
            if (b.startsWith("zab.") || b.startsWith("zkController.")) {
                return Scenario.Mode.ZOOKEEPER;
            }
        }
        return null;
    }
}
