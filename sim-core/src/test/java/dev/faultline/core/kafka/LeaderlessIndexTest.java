package dev.faultline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.Invariant;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * {@link LeaderlessIndex} answers after every event what a scan of every partition answers: through
 * a crash, a pause, a resume and a restart (leaderless windows of 2 s each, the oracle's detection
 * delay), with one topic electing uncleanly.
 */
class LeaderlessIndexTest {

    /** The scan the index replaces: the lowest partition that could have a live leader but has none applied. */
    private static String scan(KafkaCluster c) {
        ClusterSpec spec = c.spec();
        Simulation sim = c.sim();
        for (int p = 0; p < spec.partitionCount(); p++) {
            PartitionState s = c.controlPlane().partitionStates().state(p);
            if (s == null && spec.createdAtRuntime(p)) {
                continue;
            }
            boolean leadable = false;
            boolean unclean = spec.uncleanLeaderElectionEnabled(p);
            for (int replica : spec.replicas(p)) {
                NodeId node = c.brokerNode(replica);
                if (sim.isUp(node) && !sim.isPaused(node) && (unclean || (s != null && s.inIsr(replica)))) {
                    leadable = true;
                }
            }
            if (!leadable) {
                continue;
            }
            if (s == null || !s.hasLeader()) {
                return spec.partitionName(p) + " has no leader";
            }
            KafkaBroker leader = c.broker(s.leader());
            if (leader == null || !leader.isLeader(p)) {
                return spec.partitionName(p) + ": leader broker-" + s.leader() + " has not applied its leadership";
            }
        }
        return null;
    }

    @Test
    void agreesWithAScanOfEveryPartitionAfterEveryEvent() {
        ClusterSpec spec = ClusterSpec.builder().brokers(4).config("faultline.oracle.detection.delay.ms", 2000)
                .topic("safe", 12, 3).topic("unsafe", 6, 2, Map.of("unclean.leader.election.enable", "true")).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(5).build();
        int[] events = new int[3]; // checked, with a leaderless partition, without
        c.sim().addInvariant(Invariant.of("leaderless-index-agrees", ctx -> {
            String expected = scan(c);
            assertThat(c.leaderlessPartition()).as("at %s", Time.format(c.sim().now())).isEqualTo(expected);
            events[0]++;
            events[expected == null ? 2 : 1]++;
        }));
        c.start();
        c.runFor(Time.seconds(3));
        c.crash(1);
        c.runFor(Time.seconds(5));
        NodeId b2 = c.brokerNode(2);
        c.sim().pause(b2);
        c.runFor(Time.seconds(5));
        c.sim().resume(b2);
        c.runFor(Time.seconds(5));
        c.restart(1);
        c.runFor(Time.seconds(10));
        c.crash(3);
        c.crash(4);
        c.runFor(Time.seconds(5));
        assertThat(events[1]).as("events with a leaderless partition").isPositive();
        assertThat(events[2]).as("events with none").isPositive();
    }
}
