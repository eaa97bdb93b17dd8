package dev.faultline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.TopicCreation;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/** Topics created at runtime with the oracle control plane: absent until created, then led at once. */
class OracleTopicCreationTest {

    /** orders-0 exists from the start; events-0 and events-1 (partitions 1 and 2) are created at runtime. */
    private static KafkaCluster cluster() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", 2)
                .topic("orders", 1, 3).topic("events", 2, 3).createdAtRuntime("events").build();
        return KafkaCluster.builder(spec).seed(11)
                .producer("producer-1", ProducerConfig.roundRobin(new int[] {1, 2}, 200, 800, "all"))
                .build().start();
    }

    @Test
    void aRuntimeTopicHasNoStateNoLeaderAndNoAcksUntilCreated() {
        KafkaCluster c = cluster();
        c.runFor(Time.seconds(3));
        assertThat(c.state("orders-0")).isNotNull();
        assertThat(c.state("events-0")).isNull();
        assertThat(c.state("events-1")).isNull();
        for (int b = 1; b <= 3; b++) {
            assertThat(c.broker(b).isLeader(c.partition("events-0"))).isFalse();
            assertThat(c.broker(b).isFollower(c.partition("events-0"))).isFalse();
        }
        assertThat(c.history().ackedAllCount(1)).isZero();
        c.assertNoViolation();
    }

    @Test
    void creationElectsThePreferredReplicaAtOnceAndProducersThenSucceed() {
        KafkaCluster c = cluster();
        c.runFor(Time.seconds(2));
        c.sim().schedule(c.sim().now(), () -> c.createTopic("events"));
        c.runFor(Time.seconds(5));
        c.assertNoViolation();
        int first = c.spec().replica(c.partition("events-0"), 0);
        c.assertLeader("events-0", first);
        c.assertIsr("events-0", 1, 2, 3);
        assertThat(c.history().ackedAllCount(1)).isPositive();
        assertThat(c.topicCreations()).hasSize(1);
        TopicCreation t = c.topicCreations().get(0);
        assertThat(t.topic()).isEqualTo("events");
        assertThat(t.requestedAtNanos()).isEqualTo(Time.seconds(2));
        assertThat(t.createdNanos()).isZero();
        assertThat(t.readyNanos()).isZero();
        System.out.println(t);
    }

    @Test
    void aTopicCreatedWhileAReplicaIsDownLeavesItOutOfTheIsrAndElectsALiveReplica() {
        KafkaCluster c = cluster();
        c.runFor(Time.seconds(1));
        int preferred = c.spec().replica(c.partition("events-0"), 0);
        c.crash(preferred);
        c.sim().schedule(c.sim().now() + Time.SECOND, () -> c.createTopic("events"));
        c.runFor(Time.seconds(3));
        c.assertNoViolation();
        int second = c.spec().replica(c.partition("events-0"), 1);
        c.assertLeader("events-0", second);
        assertThat(c.state("events-0").isr().toIntArray()).doesNotContain(preferred).hasSize(2);
        assertThat(c.topicCreations().get(0).ready()).isTrue();
    }

    @Test
    void onlyTopicsMarkedCreatedAtRuntimeCanBeCreated() {
        KafkaCluster c = cluster();
        assertThatThrownBy(() -> c.createTopic("orders")).isInstanceOf(IllegalArgumentException.class);
        assertThatThrownBy(() -> ClusterSpec.builder().brokers(1).topic("a", 1, 1).createdAtRuntime("b").build())
                .isInstanceOf(IllegalArgumentException.class);
    }
}
