package dev.faultline.raft.bench;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.raft.harness.ElectionExperiment;

/**
 * Prints the election experiment's distribution (not run by surefire). Arguments, all optional:
 * {@code seeds voters minMs maxMs heartbeatMs oneWayMs}; defaults 1000 5 150 300 75 7.5.
 */
public final class ElectionExperimentMain {
    private ElectionExperimentMain() {
    }

    public static void main(String[] args) {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 1000;
        int voters = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        long min = (long) ((args.length > 2 ? Double.parseDouble(args[2]) : 150) * Time.MILLISECOND);
        long max = (long) ((args.length > 3 ? Double.parseDouble(args[3]) : 300) * Time.MILLISECOND);
        long hb = (long) ((args.length > 4 ? Double.parseDouble(args[4]) : 75) * Time.MILLISECOND);
        long oneWay = (long) ((args.length > 5 ? Double.parseDouble(args[5]) : 7.5) * Time.MILLISECOND);
        ElectionExperiment.Config config = new ElectionExperiment.Config(voters, min, max, hb,
                new LatencyModel.Normal(oneWay, oneWay / 10), oneWay * 2, seeds, 1);
        ElectionExperiment.Result r = ElectionExperiment.run(config);
        System.out.println(r.summary());
        System.out.println("failures: " + r.failures());
    }
}
