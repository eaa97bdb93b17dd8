package dev.faultline.raft.bench;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.raft.harness.KraftFailoverExperiment;
import dev.faultline.raft.quorum.QuorumConfig;

/** Prints Raft-layer failover phases with Kafka defaults (not run by surefire). Args: {@code [seeds] [voters] [oneWayMs]}. */
public final class KraftFailoverMain {
    private KraftFailoverMain() {
    }

    public static void main(String[] args) {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int voters = args.length > 1 ? Integer.parseInt(args[1]) : 3;
        long oneWay = (long) ((args.length > 2 ? Double.parseDouble(args[2]) : 0.5) * Time.MILLISECOND);
        KraftFailoverExperiment.Result r = KraftFailoverExperiment.run(new KraftFailoverExperiment.Config(voters,
                QuorumConfig.defaults(), LatencyModel.constant(oneWay), oneWay * 2, seeds, 1));
        System.out.println(r.summary());
    }
}
