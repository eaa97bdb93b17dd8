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
 * A partition leader's ISR shrink (AlterPartition) is lost on its way to the controller: a network
 * partition drops it silently, with no connection reset
 * (docs/architecture.md#processes-and-lifecycle). The broker-to-controller channel notices only at
 * its request timeout, {@code controller.socket.timeout.ms} (30 s), after which the leader proposes
 * again. Found by the fuzzer (zookeeper seed 20, DP-L1): the model never timed the request out, so
 * the leader waited for the answer forever and never shrank that ISR again; a follower that then
 * stopped fetching stayed in the ISR for good.
 */
class LostAlterPartitionTest {

    @Test
    void aLeaderWhoseShrinkWasLostProposesAgainAfterTheRequestTimeout() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3)
                .topic("t", new int[] {1, 2, 3}, new int[] {2, 3, 1}, new int[] {3, 1, 2})
                .config("min.insync.replicas", "1").config("replica.lag.time.max.ms", "5000").build();
        // DP-L1 (removed within 1.5 x replica.lag.time.max.ms) cannot hold while the controller
        // never hears of the shrink; this test checks the recovery afterwards instead.
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(3).controlPlane(new ZkControlPlane()).disableInvariant("DP-L1")
                .producer("producer-1", ProducerConfig.of(new int[] {0, 1, 2}, 60, Long.MAX_VALUE, Map.of("acks", "1", "partitioner.class", ProducerConfig.ROUND_ROBIN)))
                .build().start();
        kafka.runFor(20 * Time.SECOND);
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        // The partition led by a broker that is not the controller; its other follower stops fetching.
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
        NodeId leaderNode = kafka.brokerNode(leader);
        int lostShrinks = kafka.sim().network().addLinkFault(List.of(leaderNode), List.of(kafka.brokerNode(controller)),
                new LinkFault(0, 1.0, 0, 0, Set.of("AlterPartition")));
        kafka.sim().network().addLinkFault(List.of(kafka.brokerNode(follower)), List.of(leaderNode),
                new LinkFault(0, 1.0, 0, 0, Set.of("FetchRequest")));
        kafka.runFor(15 * Time.SECOND);
        // The shrink was proposed and lost: ZooKeeper still lists the follower.
        assertThat(List.copyOf(kafka.controlPlane().partitionStates().state(p).isr())).as("ISR while the shrink is lost").contains(follower);
        kafka.sim().network().removeLinkFault(lostShrinks);
        kafka.runFor(30 * Time.SECOND);
        assertThat(List.copyOf(kafka.controlPlane().partitionStates().state(p).isr()))
                .as("ISR of partition %d after the lost AlterPartition timed out (leader %d, follower %d not fetching)", p, leader, follower)
                .doesNotContain(follower);
        kafka.assertNoViolation();
    }
}
