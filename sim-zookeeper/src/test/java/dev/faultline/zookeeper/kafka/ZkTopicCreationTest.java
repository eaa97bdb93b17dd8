package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.control.TopicCreation;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * Topics created at runtime in ZooKeeper mode
 * (docs/model.md#the-controllers-event-queue-and-request-channels,
 * docs/model.md#topic-creation-at-runtime): CreateTopics reaches the controller broker, which
 * writes {@code /brokers/topics/T}; the controller's TopicChange event writes the partition state
 * znodes and sends LeaderAndIsr.
 */
class ZkTopicCreationTest {

    /** orders-0 exists from the start; events-0/1 (assignments [1,2,3] and [2,3,1]) are created at runtime. */
    private static KafkaCluster cluster(ZkControlPlane plane) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("orders", 1, 3)
                .topic("events", new int[] {1, 2, 3}, new int[] {2, 3, 1}).createdAtRuntime("events").build();
        return KafkaCluster.builder(spec).seed(5).controlPlane(plane)
                .producer("producer-1", ProducerConfig.roundRobin(new int[] {1, 2}, 100, 200_000, "all"))
                .build().start();
    }

    private static int controllerId(KafkaCluster kafka) {
        return ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
    }

    @Test
    void aTopicIsAbsentUntilCreatedThenLedByItsFirstReplicaWithinAFewRoundTrips() {
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = cluster(plane);
        kafka.runFor(10 * Time.SECOND);
        assertThat(kafka.state("events-0")).isNull();
        assertThat(kafka.broker(1).isLeader(kafka.partition("events-0"))).isFalse();
        assertThat(kafka.history().ackedAllCount(kafka.partition("events-0"))).isZero();
        kafka.sim().schedule(kafka.sim().now(), () -> kafka.createTopic("events"));
        kafka.runFor(5 * Time.SECOND);
        kafka.assertNoViolation();
        kafka.assertLeader("events-0", 1);
        kafka.assertLeader("events-1", 2);
        kafka.assertIsr("events-0", 1, 2, 3);
        TopicCreation t = kafka.topicCreations().get(0);
        System.out.println("zookeeper, no failover: " + t);
        assertThat(t.createdNanos()).isPositive();
        assertThat(t.readyNanos()).isGreaterThanOrEqualTo(t.createdNanos()).isLessThan(Time.SECOND);
        kafka.runFor(5 * Time.SECOND);
        assertThat(kafka.history().ackedAllCount(kafka.partition("events-0"))).isPositive();
    }

    @Test
    void duringAControllerFailoverTheAdminRetriesUntilTheNewControllerCreatesTheTopic() {
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = cluster(plane);
        kafka.runFor(10 * Time.SECOND);
        int old = controllerId(kafka);
        kafka.crash(old);
        kafka.sim().schedule(kafka.sim().now() + Time.SECOND, () -> kafka.createTopic("events"));
        kafka.runFor(40 * Time.SECOND);
        kafka.assertNoViolation();
        assertThat(controllerId(kafka)).isNotEqualTo(old);
        TopicCreation t = kafka.topicCreations().get(0);
        System.out.println("zookeeper, controller broker-" + old + " crashed 1 s before: " + t);
        // /controller disappears only when the crashed controller's session expires (18 s after the crash).
        assertThat(t.readyNanos()).isGreaterThan(15 * Time.SECOND).isLessThan(25 * Time.SECOND);
        for (String p : new String[] {"events-0", "events-1"}) {
            PartitionState s = kafka.state(p);
            assertThat(s.isr().contains(old)).as("crashed broker kept out of the ISR: %s", s).isFalse();
            kafka.assertLeader(p, s.leader());
        }
    }

    @Test
    void aNewControllerCreatesThePartitionsOfATopicItsPredecessorWroteButNeverProcessed() {
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = cluster(plane);
        kafka.runFor(10 * Time.SECOND);
        int old = controllerId(kafka);
        // The controller's event thread stalls, so the TopicChange the admin's write triggers waits
        // in its queue; then the controller dies with /brokers/topics/events written.
        plane.pauseControllerThread(old, 60 * Time.SECOND);
        kafka.sim().schedule(kafka.sim().now(), () -> kafka.createTopic("events"));
        kafka.runFor(2 * Time.SECOND);
        assertThat(kafka.state("events-0")).isNull();
        kafka.crash(old);
        kafka.runFor(40 * Time.SECOND);
        kafka.assertNoViolation();
        assertThat(controllerId(kafka)).isNotEqualTo(old);
        TopicCreation t = kafka.topicCreations().get(0);
        System.out.println("zookeeper, controller stalled then crashed: " + t);
        assertThat(t.ready()).isTrue();
        assertThat(kafka.state("events-0").isr().contains(old)).isFalse();
    }
}
