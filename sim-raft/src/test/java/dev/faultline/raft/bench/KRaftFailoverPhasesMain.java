package dev.faultline.raft.bench;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import dev.faultline.raft.harness.Distribution;
import dev.faultline.raft.kraft.KRaftControlPlane;
import it.unimi.dsi.fastutil.longs.LongArrayList;

/**
 * KRaft failover phases with default settings (not run by surefire): 6 brokers, 3 dedicated
 * controller voters, one topic of 12 partitions with RF 3 and a producer with {@code acks=all}.
 * For each seed: crash the active controller, or crash a broker that leads partitions, at a random
 * instant after the cluster settled; print the distribution of each phase. Runs stopped by a
 * violation are listed with their seed and headline, kept out of the distributions, and make the
 * program exit with status 1. Args: {@code [seeds]}.
 */
public final class KRaftFailoverPhasesMain {
    private KRaftFailoverPhasesMain() {
    }

    public static void main(String[] args) {
        int seeds = args.length > 0 ? Integer.parseInt(args[0]) : 100;
        LongArrayList[] controller = {new LongArrayList(), new LongArrayList(), new LongArrayList(), new LongArrayList()};
        LongArrayList[] broker = {new LongArrayList(), new LongArrayList(), new LongArrayList(), new LongArrayList()};
        int incomplete = 0;
        int noClient = 0;
        java.util.List<String> violations = new java.util.ArrayList<>();
        for (int i = 0; i < seeds; i++) {
            for (boolean crashController : new boolean[] {true, false}) {
                Trial t = trial(i + 1, crashController);
                if (t.violation() != null) {
                    // Not a failover time: a run the checkers stopped. Reported below, never folded into
                    // (or silently dropped from) the distributions.
                    violations.add("seed " + (i + 1) + " (" + (crashController ? "controller" : "broker") + " crash): " + t.violation());
                    continue;
                }
                FailoverMeasurement f = t.measurement();
                if (f == null || !f.complete()) {
                    incomplete++;
                    continue;
                }
                LongArrayList[] into = crashController ? controller : broker;
                into[0].add(f.detectNanos());
                into[1].add(f.electNanos());
                if (crashController) {
                    into[2].add(f.readyNanos());
                } else if (f.clientNanos() >= 0) {
                    into[2].add(f.clientNanos());
                } else {
                    noClient++; // -1 = no produce succeeded within the run; it used to enter the minimum as "-0.0"
                }
                into[3].add(f.propagateNanos());
            }
        }
        System.out.println("KRaft, 6 brokers, 3 dedicated controllers, default settings, " + seeds + " seeds each ("
                + incomplete + " incomplete measurements, " + violations.size() + " runs stopped by a violation); ms after the crash");
        System.out.println("controller crash:");
        System.out.println("  detect    (a voter becomes Prospective/Candidate): " + new Distribution(controller[0].toLongArray()).describeMillis());
        System.out.println("  elect     (a voter becomes Raft leader):           " + new Distribution(controller[1].toLongArray()).describeMillis());
        System.out.println("  ready     (the new controller claimed):            " + new Distribution(controller[2].toLongArray()).describeMillis());
        System.out.println("  propagate (every live broker knows it):            " + new Distribution(controller[3].toLongArray()).describeMillis());
        System.out.println("broker crash (a partition leader):");
        System.out.println("  detect    (fence record committed):                " + new Distribution(broker[0].toLongArray()).describeMillis());
        System.out.println("  elect     (new leaders committed):                 " + new Distribution(broker[1].toLongArray()).describeMillis());
        System.out.println("  propagate (new leaders applied them):              " + new Distribution(broker[3].toLongArray()).describeMillis());
        System.out.println("  client    (first acks=all produce succeeded):      " + new Distribution(broker[2].toLongArray()).describeMillis()
                + (noClient > 0 ? "  (" + noClient + " broker crashes without a successful produce within 30 s)" : ""));
        if (!violations.isEmpty()) {
            System.out.println(violations.size() + " runs stopped by a violation, not in the distributions above:");
            violations.forEach(v -> System.out.println("  " + v));
            System.exit(1);
        }
    }

    /** One trial: its failover measurement (null when none was made), or the violation that stopped it. */
    private record Trial(FailoverMeasurement measurement, String violation) {
    }

    private static Trial trial(long seed, boolean crashController) {
        ClusterSpec spec = ClusterSpec.builder().brokers(6).config("min.insync.replicas", 2).topic("orders", 12, 3).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(seed).controlPlane(new KRaftControlPlane())
                .producer("producer", ProducerConfig.roundRobin(new int[] {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, 1440, Long.MAX_VALUE, "all"))
                .build().start();
        c.runFor(15 * Time.SECOND);
        SimRandom random = c.sim().random("failover-phases");
        c.runFor(random.nextLong(2 * Time.SECOND));
        if (crashController) {
            NodeId active = c.controlPlane().activeController();
            if (active == null) {
                return new Trial(null, null);
            }
            c.sim().traceFault("crash " + active);
            c.sim().crash(active);
        } else {
            c.crash(1 + random.nextInt(6));
        }
        RunResult run = c.runFor(30 * Time.SECOND);
        if (run.violation() != null) {
            return new Trial(null, run.violation().headline());
        }
        var failovers = c.result(run).control().failovers();
        return new Trial(failovers.isEmpty() ? null : failovers.get(0), null);
    }
}
