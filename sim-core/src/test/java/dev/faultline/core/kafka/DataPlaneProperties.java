package dev.faultline.core.kafka;

import dev.faultline.core.check.classify.ViolationClass;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.PartitionSpec;
import dev.faultline.core.trace.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;

/**
 * Random crash, restart, power-loss and network-partition schedules on the oracle control plane
 * (unclean election disabled) keep DP-S1..S7; after the faults stop and everything is healed and
 * restarted, the in-sync replicas converge (DP-L3). jqwik only supplies seeds; the schedule is drawn
 * from the simulation's own {@code faults} stream, so a failing seed replays exactly.
 */
class DataPlaneProperties {

    @Property(tries = 25, seed = "20261125")
    void randomFaultSchedulesKeepDataPlaneSafety(@ForAll long seed) {
        KafkaCluster c = runSchedule(seed);
        String replay = "replay with DataPlaneProperties.runSchedule(" + seed + "L)";
        assertThat(c.sim().violation()).as(replay).isNull();
        assertThat(c.losses()).as(replay)
                .allSatisfy(l -> assertThat(l.classification()).isEqualTo(ViolationClass.EXPECTED));
        assertThat(c.checkConverged()).as(replay).isNull();
    }

    @Property(tries = 3, seed = "7")
    void theSameSeedReplaysTheSameRun(@ForAll long seed) {
        long first = runSchedule(seed).sim().tracer().fingerprint();
        long second = runSchedule(seed).sim().tracer().fingerprint();
        assertThat(second).isEqualTo(first);
    }

    /** Builds the cluster, runs a random 40 s fault schedule, then 30 s of healing. */
    static KafkaCluster runSchedule(long seed) {
        return runSchedule(seed, null);
    }

    static KafkaCluster runSchedule(long seed, dev.faultline.core.trace.TraceSink sink) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", 2)
                .config("replica.lag.time.max.ms", 5000)
                .config("faultline.page.cache.flush.delay.ms", 2000)
                .topic("orders", 3, 3).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(seed)
                .producer("producer", ProducerConfig.of(new int[] {0, 1, 2}, 120, Long.MAX_VALUE,
                        Map.of("acks", "all", "request.timeout.ms", "3000", "delivery.timeout.ms", "10000")))
                .consumer("consumer", "orders-0", "orders-1", "orders-2")
                .build();
        if (sink != null) {
            c.sim().tracer().addSink(sink);
        }
        c.start();
        SimRandom random = c.sim().random("faults");
        List<Integer> cuts = new ArrayList<>();
        long t = Time.seconds(2);
        while (t < Time.seconds(40)) {
            t += Time.millis(200 + random.nextInt(4000));
            long at = t;
            int broker = 1 + random.nextInt(3);
            int kind = random.nextInt(6);
            c.sim().schedule(at, () -> {
                NodeId node = c.brokerNode(broker);
                switch (kind) {
                    case 0 -> {
                        if (c.sim().isUp(node)) {
                            c.crash(broker);
                        }
                    }
                    case 1 -> {
                        if (c.sim().isUp(node)) {
                            c.powerLoss(broker);
                        }
                    }
                    case 2, 3 -> {
                        if (!c.sim().isUp(node)) {
                            c.restart(broker);
                        }
                    }
                    case 4 -> {
                        c.sim().traceFault("isolate broker-" + broker);
                        cuts.add(c.sim().network().partition(new PartitionSpec.Isolate(node)));
                    }
                    default -> {
                        c.sim().traceFault("heal");
                        c.sim().network().healAll();
                    }
                }
            });
        }
        c.sim().schedule(Time.seconds(42), () -> {
            c.sim().traceFault("heal all, restart all");
            c.sim().network().healAll();
            for (int b = 1; b <= 3; b++) {
                if (!c.sim().isUp(c.brokerNode(b))) {
                    c.restart(b);
                }
            }
        });
        RunResult run = c.sim().run(Time.seconds(70), 5_000_000);
        assertThat(run.stopReason()).isIn(RunResult.StopReason.TIME_LIMIT, RunResult.StopReason.VIOLATION);
        return c;
    }
}
