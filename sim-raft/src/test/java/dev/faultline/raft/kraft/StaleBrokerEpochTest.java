package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.Violation;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.KafkaClusterBuilder;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkFault;
import dev.faultline.raft.quorum.QuorumConfig;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * PB-KRC-1 {@code kraftController.isrIgnoresBrokerEpoch} (KIP-903; docs/model.md#planted-bugs):
 * partition [A, B]; B falls out of the ISR and comes back; A's AlterPartition adding B (with B's
 * broker epoch of that time) is delayed beyond B's power loss with a wiped disk, its fencing and its
 * re-registration; B (new epoch, empty log, not fetching) must not join the ISR on the stale request.
 */
class StaleBrokerEpochTest {
    private static final long S = Time.SECOND;

    private static KafkaCluster run(boolean bug, Set<String> disabledKm, String... disabledDataPlane) {
        ClusterSpec spec = ClusterSpec.builder().brokers(2).config("min.insync.replicas", 1)
                .config("kraftController.isrIgnoresBrokerEpoch", bug).topic("orders", 1, 2).build();
        KafkaClusterBuilder builder = KafkaCluster.builder(spec).seed(903)
                .controlPlane(new KRaftControlPlane(3, QuorumConfig.defaults(), disabledKm))
                .producer("producer", ProducerConfig.of(new int[] {0}, 100, Long.MAX_VALUE, "all"))
                .disableInvariant("DP-L2");
        for (String id : disabledDataPlane) {
            builder.disableInvariant(id);
        }
        KafkaCluster c = builder.build().start();
        Simulation sim = c.sim();
        int a = spec.replica(0, 0);
        int b = spec.replica(0, 1);
        NodeId nodeA = c.brokerNode(a);
        NodeId nodeB = c.brokerNode(b);
        List<NodeId> controllers = c.controlPlane().controllerCandidates();
        c.runFor(10 * S);
        c.assertIsr("orders-0", a, b);
        // B drops out of the ISR (fenced after its session times out).
        c.crash(b);
        c.runFor(15 * S);
        c.assertIsr("orders-0", a);
        // A's next AlterPartition (adding B back) will take 40 s to reach the controllers.
        sim.network().addLinkFault(List.of(nodeA), controllers,
                new LinkFault(40 * S, 0, 0, 1.0, Set.of("AlterPartitionMessage")));
        c.restart(b);
        c.runFor(5 * S);
        // (2) B fails hard and loses its disk; (3) it is fenced; (4) it returns empty and re-registers,
        // but cannot fetch from A, so it stays empty.
        sim.traceFault("powerLoss + wipe " + nodeB);
        sim.powerLoss(nodeB);
        sim.wipeDisk(nodeB);
        c.runFor(12 * S);
        sim.network().addLinkFault(List.of(nodeB), List.of(nodeA), new LinkFault(0, 1.0, 0, 0, Set.of("FetchRequest")));
        sim.traceFault("restart " + nodeB + " with an empty disk");
        sim.start(nodeB);
        // (5) The delayed AlterPartition arrives; (6) A fails.
        c.runFor(25 * S);
        if (sim.violation() == null) {
            c.crash(a);
            c.runFor(20 * S);
        }
        return c;
    }

    @Test
    void withTheBugTheStaleEpochJoinsTheIsrAndKmS5Fires() {
        KafkaCluster c = run(true, Set.of());
        Violation v = c.sim().violation();
        assertThat(v).as("violation").isNotNull();
        assertThat(v.invariant()).isEqualTo(KRaftControlPlane.KM_S5);
        assertThat(v.message()).contains("added to the ISR");
    }

    @Test
    void withTheBugAndKmS5OffTheDataPlaneSeesAnEmptyReplicaJoinTheIsr() {
        KafkaCluster c = run(true, Set.of(KRaftControlPlane.KM_S5));
        Violation v = c.sim().violation();
        assertThat(v).as("violation").isNotNull();
        assertThat(v.invariant()).isEqualTo("DP-S6");
    }

    /**
     * With both ISR checks off the empty replica is elected once A fails. No acknowledged record is
     * lost to it beyond those its own power loss cut: A's expansion stayed pending from its first
     * send until the stale copy was applied (its channel re-sends AlterPartition after each time-out
     * rather than failing it), and the pending expansion's maximal ISR held the high watermark, so
     * acks=all writes were not acknowledged meanwhile (KIP-497's maximal ISR). The model used to fail
     * the request at the time-out, and A acknowledged writes that only it held: DP-S1.
     */
    @Test
    void withTheBugAndTheIsrChecksOffTheEmptyReplicaIsElectedButThePendingExpansionHeldTheHighWatermark() {
        KafkaCluster c = run(true, Set.of(KRaftControlPlane.KM_S5), "DP-S6");
        assertThat(c.sim().violation()).as("violation").isNull();
        int b = spec(c).replica(0, 1);
        assertThat(c.controlPlane().partitionStates().state(0).leader()).as("the empty replica leads").isEqualTo(b);
    }

    @Test
    void withBrokerEpochChecksTheStaleRequestIsRejectedAndNothingIsLost() {
        KafkaCluster c = run(false, Set.of());
        assertThat(c.sim().violation()).isNull();
        assertThat(c.controlPlane().partitionStates().state(0).isr().contains(spec(c).replica(0, 1))).isFalse();
    }

    private static ClusterSpec spec(KafkaCluster c) {
        return c.spec();
    }
}
