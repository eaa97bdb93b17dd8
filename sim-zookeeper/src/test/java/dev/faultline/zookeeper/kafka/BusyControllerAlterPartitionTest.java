package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkFault;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * DP-L1's AlterPartition-in-flight rule in ZooKeeper mode. A leader's ISR shrink that the
 * controller never gets (dropped on the way, every copy) stays in flight while the controller sits
 * idle: DP-L1 fires once it has been in flight for {@code controller.socket.timeout.ms} plus the
 * bound. Twin: the controller's event thread cannot take the shrink for a minute (here its thread
 * is stopped; at scale it is busy with a failover or broker-change batch of tens of thousands of
 * ZooKeeper writes, as in a cold 100,000-partition start): the request waits in the controller's
 * queue as in Kafka, that time is not counted, and the shrink is applied once the controller gets
 * to it.
 */
class BusyControllerAlterPartitionTest {
    private static final long BOUND = 30 * Time.SECOND + 5 * Time.SECOND * 3 / 2 + Time.SECOND;

    private record Setup(KafkaCluster kafka, int controller, int partition, int leader, int follower) {
    }

    private static Setup setup() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3)
                .topic("t", new int[] {1, 2, 3}, new int[] {2, 3, 1}, new int[] {3, 1, 2})
                .config("min.insync.replicas", "1").config("replica.lag.time.max.ms", "5000").build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(3).controlPlane(new ZkControlPlane())
                .producer("producer-1", ProducerConfig.of(new int[] {0, 1, 2}, 60, Long.MAX_VALUE, Map.of("acks", "1", "partitioner.class", ProducerConfig.ROUND_ROBIN)))
                .build().start();
        kafka.runFor(20 * Time.SECOND);
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        int p = -1;
        for (int q = 0; q < 3; q++) {
            if (kafka.controlPlane().partitionStates().state(q).leader() != controller) {
                p = q;
                break;
            }
        }
        int leader = kafka.controlPlane().partitionStates().state(p).leader();
        int follower = 6 - leader - controller;
        assertThat(List.copyOf(kafka.controlPlane().partitionStates().state(p).isr())).as("ISR before").contains(follower);
        // The follower (not the controller's broker) stops fetching from the leader.
        kafka.sim().network().addLinkFault(List.of(kafka.brokerNode(follower)), List.of(kafka.brokerNode(leader)),
                new LinkFault(0, 1.0, 0, 0, Set.of("FetchRequest")));
        return new Setup(kafka, controller, p, leader, follower);
    }

    @Test
    void dpl1FiresWhenEveryCopyOfTheShrinkIsDroppedWhileTheControllerIsIdle() {
        Setup s = setup();
        NodeId leaderNode = s.kafka().brokerNode(s.leader());
        s.kafka().sim().network().addLinkFault(List.of(leaderNode), List.of(s.kafka().brokerNode(s.controller())),
                new LinkFault(0, 1.0, 0, 0, Set.of("AlterPartition")));
        s.kafka().runFor(BOUND + 20 * Time.SECOND);
        assertThat(s.kafka().sim().violation()).as("the shrink never reached the idle controller").isNotNull();
        assertThat(s.kafka().sim().violation().invariant()).isEqualTo("DP-L1");
        assertThat(s.kafka().sim().violation().message()).contains("AlterPartition has been in flight for");
    }

    @Test
    void dpl1HoldsWhileTheShrinkWaitsInTheQueueOfABusyController() {
        Setup s = setup();
        ZkControlPlane plane = (ZkControlPlane) s.kafka().controlPlane();
        // The controller's event thread cannot take the shrink for longer than the bound.
        plane.pauseControllerThread(s.controller(), BOUND + 10 * Time.SECOND);
        s.kafka().runFor(BOUND + 5 * Time.SECOND);
        assertThat(List.copyOf(s.kafka().controlPlane().partitionStates().state(s.partition()).isr()))
                .as("the shrink is still queued").contains(s.follower());
        s.kafka().runFor(15 * Time.SECOND);
        assertThat(List.copyOf(s.kafka().controlPlane().partitionStates().state(s.partition()).isr()))
                .as("ISR of partition %d once the controller took the shrink", s.partition()).doesNotContain(s.follower());
        s.kafka().assertNoViolation();
    }
}
