package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.control.TopicCreation;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.quorum.QuorumConfig;
import org.junit.jupiter.api.Test;

/**
 * Topics created at runtime in KRaft mode (docs/model.md#quorum-controller,
 * docs/model.md#broker-metadata-replay): CreateTopics goes to the active controller, which appends
 * the topic and partition records; the topic exists once they commit and the brokers replay them.
 */
class KRaftTopicCreationTest {
    private static final long S = Time.SECOND;

    /** orders-0 exists from the start; events-0/1 (assignments [1,2,3] and [2,3,1]) are created at runtime. */
    private static KafkaCluster cluster(KRaftControlPlane plane) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("orders", 1, 3)
                .topic("events", new int[] {1, 2, 3}, new int[] {2, 3, 1}).createdAtRuntime("events").build();
        return KafkaCluster.builder(spec).seed(9).controlPlane(plane)
                .producer("producer-1", ProducerConfig.of(new int[] {0}, 50, 100_000, "all"))
                .build().start();
    }

    @Test
    void aTopicIsAbsentUntilItsRecordsCommitThenEveryBrokerReplaysIt() {
        KafkaCluster c = cluster(new KRaftControlPlane(3, QuorumConfig.defaults()));
        c.runFor(10 * S);
        assertThat(c.state("orders-0")).isNotNull();
        assertThat(c.state("events-0")).isNull();
        c.sim().schedule(c.sim().now(), () -> c.createTopic("events"));
        c.runFor(5 * S);
        c.assertNoViolation();
        c.assertLeader("events-0", 1);
        c.assertLeader("events-1", 2);
        c.assertIsr("events-1", 1, 2, 3);
        for (int b = 1; b <= 3; b++) {
            assertThat(c.broker(b).metadataLeader(c.partition("events-1"))).as("broker-%s replayed the creation", b).isEqualTo(2);
        }
        TopicCreation t = c.topicCreations().get(0);
        System.out.println("kraft, no failover: " + t);
        assertThat(t.createdNanos()).isPositive();
        assertThat(t.readyNanos()).isGreaterThanOrEqualTo(t.createdNanos()).isLessThan(S);
    }

    @Test
    void duringAControllerFailoverTheAdminRetriesUntilTheNewActiveControllerCommitsTheTopic() {
        KRaftControlPlane plane = new KRaftControlPlane(3, QuorumConfig.defaults());
        KafkaCluster c = cluster(plane);
        c.runFor(10 * S);
        NodeId old = plane.activeController();
        c.sim().crash(old);
        c.sim().schedule(c.sim().now() + 100 * Time.MILLISECOND, () -> c.createTopic("events"));
        c.runFor(20 * S);
        c.assertNoViolation();
        assertThat(plane.activeController()).isNotNull().isNotEqualTo(old);
        TopicCreation t = c.topicCreations().get(0);
        System.out.println("kraft, active controller " + old.name() + " crashed 100 ms before: " + t);
        assertThat(t.ready()).isTrue();
        // No broker was fenced: every replica is in the ISR, the first one leads.
        c.assertLeader("events-0", 1);
        c.assertIsr("events-0", 1, 2, 3);
        assertThat(t.readyNanos()).isLessThan(10 * S);
    }

    @Test
    void aFencedReplicaIsLeftOutOfTheIsrAndTheFirstUnfencedReplicaLeads() {
        KRaftControlPlane plane = new KRaftControlPlane(3, QuorumConfig.defaults());
        KafkaCluster c = cluster(plane);
        c.runFor(10 * S);
        c.crash(1);
        c.runFor(15 * S); // broker.session.timeout.ms (9 s): broker 1 is fenced
        c.sim().schedule(c.sim().now(), () -> c.createTopic("events"));
        c.runFor(5 * S);
        c.assertNoViolation();
        PartitionState s = c.state("events-0");
        assertThat(s.leader()).isEqualTo(2);
        assertThat(s.isr().toIntArray()).containsExactly(2, 3);
        c.assertLeader("events-0", 2);
    }

    @Test
    void withoutAControllerQuorumTheAdminKeepsRetryingAndTheTopicIsCreatedOnceAQuorumIsBack() {
        KRaftControlPlane plane = new KRaftControlPlane(3, QuorumConfig.defaults());
        KafkaCluster c = cluster(plane);
        c.runFor(10 * S);
        NodeId active = plane.activeController();
        NodeId other = plane.controllerCandidates().stream().filter(n -> !n.equals(active)).findFirst().orElseThrow();
        c.sim().crash(active);
        c.sim().crash(other);
        c.sim().schedule(c.sim().now(), () -> c.createTopic("events"));
        c.runFor(30 * S); // longer than the AdminClient's request.timeout.ms (30 s) would allow one attempt
        assertThat(plane.activeController()).isNull();
        assertThat(c.state("events-0")).isNull();
        assertThat(c.topicCreations().get(0).ready()).isFalse();
        c.sim().restart(other);
        c.runFor(20 * S);
        c.assertNoViolation();
        TopicCreation t = c.topicCreations().get(0);
        System.out.println("kraft, controller quorum lost for 30 s: " + t);
        assertThat(t.ready()).isTrue();
        assertThat(t.readyNanos()).isGreaterThan(30 * S);
        c.assertLeader("events-1", c.state("events-1").leader());
    }

    @Test
    void aControllerThatLosesLeadershipBeforeTheRecordsCommitAnswersNotControllerAndTheAdminRetriesAtOnce() {
        KRaftControlPlane plane = new KRaftControlPlane(3, QuorumConfig.defaults());
        KafkaCluster c = cluster(plane);
        c.runFor(10 * S);
        NodeId active = plane.activeController();
        java.util.List<NodeId> others = plane.controllerCandidates().stream().filter(n -> !n.equals(active)).toList();
        // The active controller still hears the admin but no longer its fellow voters: it appends the
        // topic's records, cannot commit them, and resigns on check-quorum (1.5 x fetch timeout).
        c.sim().network().partition(new dev.faultline.core.net.PartitionSpec.Split(java.util.List.of(java.util.List.of(active), others), false));
        c.sim().schedule(c.sim().now(), () -> c.createTopic("events"));
        c.runFor(20 * S);
        c.assertNoViolation();
        assertThat(plane.activeController()).isIn(others);
        TopicCreation t = c.topicCreations().get(0);
        System.out.println("kraft, active controller cut off from the other voters: " + t);
        // Answered NOT_CONTROLLER on resignation: far sooner than the AdminClient's 30 s request timeout.
        assertThat(t.ready()).isTrue();
        assertThat(t.readyNanos()).isLessThan(10 * S);
        c.assertLeader("events-0", 1);
    }

    @Test
    void combinedModeVotersAnswerCreateTopics() {
        KafkaCluster c = cluster(KRaftControlPlane.combined(3, QuorumConfig.defaults()));
        c.runFor(10 * S);
        c.sim().schedule(c.sim().now(), () -> c.createTopic("events"));
        c.runFor(5 * S);
        c.assertNoViolation();
        c.assertLeader("events-0", 1);
        assertThat(c.topicCreations().get(0).ready()).isTrue();
    }
}
