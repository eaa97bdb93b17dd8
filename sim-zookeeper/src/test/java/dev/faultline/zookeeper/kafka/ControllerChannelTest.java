package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkFault;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The controller's request channel ({@link ControllerChannel}, {@code ControllerChannelManager}):
 * a LeaderAndIsr lost on the way (a link that silently drops controller requests, no connection
 * reset) is re-sent once {@code controller.socket.timeout.ms} (30 s) passes without an answer, so
 * the broker it names leader takes over after all; before, the request was never re-sent and the
 * partition stayed without an applied leader.
 */
class ControllerChannelTest {
    private static final long SESSION = 18 * Time.SECOND;

    @Test
    void aLostLeaderAndIsrIsResentAfterTheSocketTimeout() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("p", new int[] {2, 3}, new int[] {1, 3}, new int[] {1, 2}).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(6).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(20 * Time.SECOND);
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        int p = controller - 1; // the partition whose replicas exclude the controller
        int leader = kafka.controlPlane().partitionStates().state(p).leader();
        int follower = 6 - controller - leader;
        // Every controller request to the follower is dropped silently; then its leader dies.
        int lost = kafka.sim().network().addLinkFault(List.of(kafka.brokerNode(controller)), List.of(kafka.brokerNode(follower)),
                new LinkFault(0, 1.0, 0, 0, Set.of("Envelope")));
        kafka.crash(leader);
        kafka.runFor(SESSION + 6 * Time.SECOND);
        assertThat(kafka.controlPlane().partitionStates().state(p).leader()).as("ZooKeeper names the follower").isEqualTo(follower);
        assertThat(kafka.broker(follower).isLeader(p)).as("the LeaderAndIsr was lost").isFalse();
        kafka.sim().network().removeLinkFault(lost);
        kafka.runFor(5 * Time.SECOND);
        assertThat(kafka.broker(follower).isLeader(p)).as("no re-send before the socket timeout").isFalse();
        kafka.runFor(ControllerChannel.resendNanos(spec));
        assertThat(kafka.broker(follower).isLeader(p)).as("the re-sent LeaderAndIsr was applied").isTrue();
        kafka.assertNoViolation();
    }
}
