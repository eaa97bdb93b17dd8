package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkFault;
import dev.faultline.core.trace.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * KRaft mode: an AlterPartition answered NOT_CONTROLLER (by a controller that lost its leadership)
 * stays queued in the broker's channel and goes to the controller the answer names; the partition
 * leader's pending ISR change never sees the error (as in Kafka's broker-to-controller channel).
 * The model used to hand the error to the leader, which proposed again at once. Here the leader's
 * shrinks are dropped on their way to the controllers so that one is always pending, and a
 * deposed controller's NOT_CONTROLLER answer naming the active controller is delivered directly.
 */
class KRaftNotControllerAlterPartitionTest {

    @Test
    void aNotControllerAnswerIsAbsorbedAndTheShrinkGoesToTheNamedController() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", 1)
                .config("replica.lag.time.max.ms", 5000).topic("orders", 3, 3).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(9).controlPlane(new KRaftControlPlane())
                .producer("producer-1", ProducerConfig.of(new int[] {0, 1, 2}, 300, Long.MAX_VALUE, Map.of("acks", "1", "partitioner.class", ProducerConfig.ROUND_ROBIN)))
                .build();
        List<String> leaderSawNotController = new ArrayList<>();
        List<String> shrinkProposals = new ArrayList<>();
        c.sim().tracer().addSink(e -> {
            if (e instanceof TraceEvent.Note n && n.node().equals("broker-1")) {
                if (n.category().equals("isr-rejected") && n.detail().contains("NOT_CONTROLLER")) {
                    leaderSawNotController.add(n.toString());
                }
                if (n.category().equals("isr-shrink") && n.detail().startsWith("orders-0")) {
                    shrinkProposals.add(n.toString());
                }
            }
        });
        c.start();
        c.runFor(10 * Time.SECOND);
        c.assertNoViolation();
        c.assertLeader("orders-0", 1);
        NodeId active = c.controlPlane().activeController();
        List<NodeId> controllers = List.copyOf(c.controlPlane().controllerCandidates());
        int lost = c.sim().network().addLinkFault(List.of(c.brokerNode(1)), controllers,
                new LinkFault(0, 1.0, 0, 0, Set.of("AlterPartitionMessage")));
        c.sim().network().addLinkFault(List.of(c.brokerNode(3)), List.of(c.brokerNode(1)),
                new LinkFault(0, 1.0, 0, 0, Set.of("FetchRequest")));
        c.runFor(10 * Time.SECOND);
        assertThat(shrinkProposals).as("broker-1 proposed to shrink broker-3 out of orders-0").isNotEmpty();
        assertThat(List.copyOf(c.controlPlane().partitionStates().state(c.partition("orders-0")).isr())).contains(3);
        // The shrink in flight is lost; a deposed controller's NOT_CONTROLLER answer names the active one.
        c.sim().network().removeLinkFault(lost);
        int partition = c.partition("orders-0");
        // Answered on the connection the queued copy went out on: its correlation id.
        long sendId = ((KRaftControlPlane) c.controlPlane()).brokerAgent(1).alterSendId(partition);
        assertThat(sendId).as("a shrink of orders-0 is queued").isPositive();
        NodeId deposed = c.sim().addNode("deposed-controller", ctx -> new Node() {
            @Override
            public void onStart() {
                ctx.send(c.brokerNode(1), new ControllerMessage.AlterPartitionReply(
                        new AlterPartitionResult(partition, Errors.NOT_CONTROLLER, null), active.index(), sendId));
            }

            @Override
            public void onMessage(NodeId from, Message message) {
            }
        });
        c.sim().start(deposed);
        c.runFor(Time.millis(500));
        assertThat(leaderSawNotController).as("the leader's pending ISR change never sees NOT_CONTROLLER").isEmpty();
        assertThat(List.copyOf(c.controlPlane().partitionStates().state(partition).isr()))
                .as("the shrink re-sent to the named controller at once, not after the 2 s request timeout").doesNotContain(3);
        c.assertNoViolation();
    }
}
