package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KM-L1 at scale: fencing a broker costs the active controller one record per partition whose ISR
 * holds it (Kafka's {@code ReplicationControlManager.handleBrokerFenced}), so a broker in many
 * ISRs is fenced later than the session timeout plus commit latency, and that is no liveness bug.
 * Here each of 3 brokers hosts 2,003 partitions and a record costs the controller 2 ms (a stand-in
 * for a million-partition cluster at the default 2 µs): the fence of a crashed broker takes about
 * 4 s of controller CPU. With KM-L1's old fixed bound ({@code broker.session.timeout.ms} plus
 * commit latency) this run failed KM-L1; the bound now adds the fence's own work. The twin with a
 * controller that really fences late (a slow clock) still fires:
 * {@code KRaftClusterTest#controllersWhoseClocksRunAtHalfSpeedFenceACrashedBrokerLateAndKmL1Fires}.
 */
class FenceWorkBoundTest {
    private static final long S = Time.SECOND;

    @ParameterizedTest
    @ValueSource(longs = {2_000_000, 2_000})
    void aBrokerInThousandsOfIsrsIsFencedAsLateAsTheControllersWorkRequiresWithoutKmL1(long recordCostNanos) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", 2)
                .config("faultline.controller.record.cost.ns", recordCostNanos)
                .topic("orders", 3, 3).topic("bulk", 2000, 3).warmStart(true).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(11).controlPlane(new KRaftControlPlane())
                .producer("producer-1", ProducerConfig.roundRobin(new int[] {0, 1, 2}, 300, Long.MAX_VALUE, "all"))
                .build().start();
        c.runFor(10 * S);
        c.assertNoViolation();
        c.assertLeader("orders-0", 1);
        c.crash(1);
        c.runFor(20 * S);
        c.assertNoViolation();
        assertThat(c.controlPlane().partitionStates().leader(c.partition("orders-0"))).isNotEqualTo(1);
        assertThat(c.controlPlane().partitionStates().leader(c.partition("bulk-0"))).isNotEqualTo(1);
    }
}
