package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.PartitionSpec;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * KZ-S7 compares a controller's cache with ZooKeeper only while that controller is active: the
 * committed {@code /controller_epoch} names it and its session is valid (docs/invariants.md). Found
 * by the fuzzer (zookeeper seed 42): a controller isolated past its session timeout is replaced;
 * the replacement moves leadership and then crashes; when the old controller reconnects, its client
 * fails the requests still outstanding ({@code SESSIONEXPIRED}) just before it reports
 * {@code Expired}, so the old controller's event in progress ends once more before it resigns. It
 * was then the highest-epoch controller still up that believed itself active, and the checker
 * compared its stale cache with ZooKeeper.
 */
class DeposedControllerCacheTest {

    @Test
    void aDeposedControllerFinishingAnEventAfterItsSessionExpiredIsNotChecked() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3)
                .topic("t", new int[] {1, 2, 3}, new int[] {2, 3, 1}, new int[] {3, 1, 2})
                .config("min.insync.replicas", "1").config("replica.lag.time.max.ms", "5000").build();
        // DP-L1 is off: the old controller's broker is also a deposed partition leader cut off from
        // every controller here, so it cannot shrink its ISR within the bound (not what this tests).
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(42).controlPlane(new ZkControlPlane()).disableInvariant("DP-L1")
                .producer("producer-1", ProducerConfig.of(new int[] {0, 1, 2}, 60, Long.MAX_VALUE, Map.of("acks", "1", "partitioner.class", ProducerConfig.ROUND_ROBIN)))
                .build().start();
        kafka.runFor(20 * Time.SECOND);
        NodeId old = kafka.controlPlane().activeController();
        ZkControlPlane plane = (ZkControlPlane) kafka.controlPlane();
        // Cut off (with the producer only) well past zookeeper.session.timeout.ms (18 s). Its own
        // partition's followers fall behind, so its leader asks its own controller to shrink the
        // ISR: a controller event whose ZooKeeper write stays outstanding while it is cut off.
        int cut = kafka.sim().network().partition(new PartitionSpec.Split(
                java.util.List.of(java.util.List.of(old, kafka.sim().node("producer-1"))), true));
        kafka.runFor(25 * Time.SECOND);
        NodeId replacement = kafka.controlPlane().activeController();
        assertThat(replacement).as("a new controller took over").isNotEqualTo(old);
        assertThat(plane.agent(ClusterSpec.brokerIdOf(old.name())).isActiveController())
                .as("the isolated controller does not know yet").isTrue();
        kafka.crash(ClusterSpec.brokerIdOf(replacement.name()));
        kafka.sim().network().heal(cut);
        kafka.runFor(10 * Time.SECOND);
        assertThat(plane.agent(ClusterSpec.brokerIdOf(old.name())).isActiveController())
                .as("the old controller resigned on its expired session").isFalse();
        kafka.assertNoViolation();
    }
}
