package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
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
 * The controller broker crashes and restarts at once: its old ZooKeeper session keeps
 * {@code /controller} naming it until the session expires, so the other brokers keep sending
 * their AlterPartitions to a broker that is no longer controller and answers NOT_CONTROLLER.
 * Kafka's broker-to-controller channel absorbs that answer: the request stays queued and is sent
 * again after a back-off (or at once to a newly learnt controller), and the partition's pending
 * ISR change never sees the error. Fuzz zookeeper seed 22: the model handed NOT_CONTROLLER to
 * the leader, which proposed again at once, about 17,000 round trips in 14 s.
 */
class NotControllerAlterPartitionTest {

    @Test
    void aShrinkAnsweredNotControllerStaysPendingAndIsRetriedWithBackoffUntilTheNewController() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3)
                .topic("t", new int[] {1, 2, 3}, new int[] {2, 3, 1}, new int[] {3, 1, 2})
                .config("min.insync.replicas", "1").config("replica.lag.time.max.ms", "5000").build();
        // DP-L1 cannot hold while /controller names a restarted broker that is no controller; this
        // test checks the channel's behaviour, and the shrink once a controller is elected.
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(5).controlPlane(new ZkControlPlane()).disableInvariant("DP-L1")
                .producer("producer-1", ProducerConfig.of(new int[] {0, 1, 2}, 60, Long.MAX_VALUE, Map.of("acks", "1", "partitioner.class", ProducerConfig.ROUND_ROBIN)))
                .build();
        List<Long> notControllerAnswers = new ArrayList<>();
        // Per leader and partition, the times of its NOT_CONTROLLER answers.
        Map<String, List<Long>> answersByRequest = new java.util.TreeMap<>();
        List<String> leaderSawNotController = new ArrayList<>();
        kafka.sim().tracer().addSink(e -> {
            if (e instanceof TraceEvent.Delivered d && d.type().equals("AlterPartitionResponse") && d.message().contains("NOT_CONTROLLER")) {
                notControllerAnswers.add(d.time());
                String partition = d.message().substring(d.message().indexOf("partition="));
                answersByRequest.computeIfAbsent(d.to() + " " + partition.substring(0, partition.indexOf(',')), k -> new ArrayList<>())
                        .add(d.time());
            }
            if (e instanceof TraceEvent.Note n && n.category().equals("isr-rejected") && n.detail().contains("NOT_CONTROLLER")) {
                leaderSawNotController.add(n.toString());
            }
        });
        kafka.start();
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
        NodeId leaderNode = kafka.brokerNode(leader);
        kafka.crash(controller);
        kafka.runFor(1 * Time.SECOND);
        kafka.restart(controller);
        long restartedAt = kafka.sim().now();
        // The follower stops fetching from the leader: the leader proposes to shrink it out.
        kafka.sim().network().addLinkFault(List.of(kafka.brokerNode(follower)), List.of(leaderNode),
                new LinkFault(0, 1.0, 0, 0, Set.of("FetchRequest")));
        kafka.runFor(40 * Time.SECOND);

        assertThat(notControllerAnswers).as("AlterPartitions reached the restarted broker that is no controller").isNotEmpty();
        assertThat(leaderSawNotController).as("the leader's pending ISR change never sees NOT_CONTROLLER").isEmpty();
        assertThat(notControllerAnswers.get(0)).isGreaterThanOrEqualTo(restartedAt);
        // Per pending request, one round trip per retry.backoff.ms (100 ms) at most.
        for (Map.Entry<String, List<Long>> e : answersByRequest.entrySet()) {
            List<Long> times = e.getValue();
            for (int k = 1; k < times.size(); k++) {
                assertThat(times.get(k) - times.get(k - 1)).as("gap between NOT_CONTROLLER answers to %s", e.getKey())
                        .isGreaterThanOrEqualTo(100 * Time.MILLISECOND);
            }
        }
        assertThat(kafka.controlHistory().controllerChanges()).as("a new controller once the old session expired").isEqualTo(2);
        assertThat(List.copyOf(kafka.controlPlane().partitionStates().state(p).isr()))
                .as("ISR of partition %d (leader %d, follower %d not fetching)", p, leader, follower)
                .doesNotContain(follower);
        kafka.assertNoViolation();
    }
}
