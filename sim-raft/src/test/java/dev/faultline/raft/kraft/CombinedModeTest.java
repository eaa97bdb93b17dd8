package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.QuorumConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** KRaft combined mode: the first K brokers also run a Raft voter and a quorum controller. */
class CombinedModeTest {
    private static final long S = Time.SECOND;

    private static KafkaCluster cluster(int brokers, int voters, long seed) {
        ClusterSpec spec = ClusterSpec.builder().brokers(brokers).config("min.insync.replicas", 2).topic("orders", 3, 3).build();
        return KafkaCluster.builder(spec).seed(seed).controlPlane(KRaftControlPlane.combined(voters, QuorumConfig.defaults()))
                .producer("producer-1", ProducerConfig.roundRobin(new int[] {0, 1, 2}, 600, Long.MAX_VALUE, "all"))
                .build().start();
    }

    private static KRaftControlPlane plane(KafkaCluster c) {
        return (KRaftControlPlane) c.controlPlane();
    }

    private static int brokerIdOf(NodeId node) {
        assertThat(node.name()).startsWith("broker-");
        return Integer.parseInt(node.name().substring("broker-".length()));
    }

    @Test
    void theFirstBrokersVoteAndOneOfThemIsTheActiveController() {
        KafkaCluster c = cluster(5, 3, 1);
        c.runFor(10 * S);
        c.assertNoViolation();
        KRaftControlPlane p = plane(c);
        assertThat(p.isCombined()).isTrue();
        assertThat(c.sim().node("controller-1")).as("no dedicated controller nodes").isNull();
        assertThat(p.controllerCandidates()).containsExactly(c.brokerNode(1), c.brokerNode(2), c.brokerNode(3));
        List<NodeId> voters = new ArrayList<>();
        for (int v : p.voterIds()) {
            voters.add(p.nodeId(v));
        }
        assertThat(voters).containsExactlyElementsOf(p.controllerCandidates());
        NodeId active = p.activeController();
        assertThat(active).isIn(p.controllerCandidates());
        assertThat(p.process(active.index()).state()).isInstanceOf(LeaderState.class);
        // Brokers 4 and 5 replay as observers.
        assertThat(p.process(c.brokerNode(4).index())).as("observers are not voters").isNull();
        c.assertLeader("orders-0", 1);
        c.assertIsr("orders-0", 1, 2, 3);
        assertThat(c.history().ackedAllCount(0)).isGreaterThan(500);
        assertThat(c.checkConverged()).isNull();
    }

    @Test
    void crashingTheBrokerThatIsActiveControllerAndPartitionLeaderFailsBothOver() {
        KafkaCluster c = cluster(3, 3, 2);
        c.runFor(10 * S);
        c.assertNoViolation();
        NodeId active = plane(c).activeController();
        int victim = brokerIdOf(active);
        String led = null;
        for (String name : List.of("orders-0", "orders-1", "orders-2")) {
            if (c.state(name).leader() == victim) {
                led = name;
            }
        }
        assertThat(led).as("the active controller's broker leads a partition").isNotNull();
        long crashedAt = c.sim().now();
        c.crash(victim);
        NodeId next = null;
        while (next == null && c.sim().now() - crashedAt < 8 * S) {
            c.runFor(Time.MILLISECOND * 100);
            next = plane(c).activeController();
        }
        c.assertNoViolation();
        assertThat(next).as("a surviving broker took over the controller").isNotNull().isNotEqualTo(active);
        System.out.println("combined: new active controller " + next + " " + Time.format(c.sim().now() - crashedAt)
                + " after crashing " + active);
        c.runFor(12 * S);
        c.assertNoViolation();
        // Fenced after broker.session.timeout.ms by the new controller: leadership moved.
        assertThat(c.state(led).leader()).isNotEqualTo(victim).isNotEqualTo(-1);
        c.restart(victim);
        c.runFor(15 * S);
        c.assertNoViolation();
        assertThat(c.checkConverged()).isNull();
    }

    @Test
    void runsRepeatTheirFingerprint() {
        KafkaCluster a = cluster(3, 3, 7);
        KafkaCluster b = cluster(3, 3, 7);
        a.crash(1);
        b.crash(1);
        a.runFor(4 * S);
        b.runFor(4 * S);
        a.restart(1);
        b.restart(1);
        a.runFor(6 * S);
        b.runFor(6 * S);
        assertThat(a.sim().tracer().fingerprint()).isEqualTo(b.sim().tracer().fingerprint());
    }

    @Test
    void moreVotersThanBrokersIsRejected() {
        ClusterSpec spec = ClusterSpec.builder().brokers(2).topic("orders", 1, 2).build();
        assertThatThrownBy(() -> KafkaCluster.builder(spec).seed(1).controlPlane(KRaftControlPlane.combined(3, QuorumConfig.defaults()))
                .build()).hasMessageContaining("needs at least that many brokers");
    }
}
