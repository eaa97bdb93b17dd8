package dev.faultline.scenarios.cli;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.raft.harness.ElectionExperiment;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * {@code faultline raft-elections}: the Raft-paper election experiment (classic timers): the leader
 * crashes at a random point of its heartbeat interval; measured from the crash until every
 * surviving voter has heard from the new leader, over many seeds.
 */
@Command(name = "raft-elections", mixinStandardHelpOptions = true, description = "Leader-crash election experiment with classic Raft timers, over seeds.")
final class RaftElectionsCommand implements Callable<Integer> {
    /** Raft quorums are small; every voter talks to every other. */
    static final int MAX_VOTERS = 99;
    static final int MAX_SEEDS = 10_000_000;

    @Spec
    CommandSpec spec;

    @Option(names = "--voters", defaultValue = "5", description = "quorum size (default: ${DEFAULT-VALUE})")
    int voters;

    @Option(names = "--timeout-min", defaultValue = "150ms", description = "lower end of the election timeout (default: ${DEFAULT-VALUE})")
    String timeoutMin;

    @Option(names = "--timeout-max", defaultValue = "300ms", description = "upper end of the election timeout (default: ${DEFAULT-VALUE})")
    String timeoutMax;

    @Option(names = "--heartbeat", defaultValue = "75ms", description = "leader heartbeat interval (default: ${DEFAULT-VALUE})")
    String heartbeat;

    @Option(names = "--latency", defaultValue = "7.5ms", description = "mean one-way latency; normal with a 10%% standard deviation (default: ${DEFAULT-VALUE})")
    String latency;

    @Option(names = "--seeds", defaultValue = "1000", description = "trials (default: ${DEFAULT-VALUE})")
    int seeds;

    @Option(names = "--first-seed", defaultValue = "1", description = "seed of the first trial (default: ${DEFAULT-VALUE})")
    long firstSeed;

    @Override
    public Integer call() {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        long min;
        long max;
        long hb;
        long oneWay;
        try {
            min = Time.parseDuration(timeoutMin);
            max = Time.parseDuration(timeoutMax);
            hb = Time.parseDuration(heartbeat);
            oneWay = Time.parseDuration(latency);
        } catch (IllegalArgumentException e) {
            err.println("faultline raft-elections: " + e.getMessage());
            return Main.BAD_INPUT;
        }
        String problem = voters < 3 || voters > MAX_VOTERS ? "--voters must be between 3 and " + MAX_VOTERS + ", not " + voters
                : seeds < 1 || seeds > MAX_SEEDS ? "--seeds must be between 1 and " + MAX_SEEDS + " (one sample kept per trial), not " + seeds
                : max < min ? "--timeout-min (" + timeoutMin + ") must not be above --timeout-max (" + timeoutMax + ")"
                : hb <= 0 || hb >= min ? "--heartbeat (" + heartbeat + ") must be positive and below --timeout-min (" + timeoutMin + ")"
                : oneWay > Time.HOUR ? "--latency (" + latency + ") must be at most 1h"
                : null;
        if (problem != null) {
            err.println("faultline raft-elections: " + problem);
            return Main.BAD_INPUT;
        }
        ElectionExperiment.Config config = new ElectionExperiment.Config(voters, min, max, hb, new LatencyModel.Normal(oneWay, oneWay / 10),
                oneWay * 2, seeds, firstSeed);
        ElectionExperiment.Result r = ElectionExperiment.run(config);
        out.println(r.summary());
        out.println("trials that elected no leader within the bound: " + r.failures());
        return r.failures() == 0 ? Main.OK : Main.FAILED;
    }
}
