package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.LeaderElection;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.quorum.RaftNode;
import it.unimi.dsi.fastutil.ints.IntList;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KM-S4: a newly named partition leader was registered and unfenced in the image the active
 * controller generated the record from, or is unfenced in the same batch.
 */
class IneligibleLeaderTest {
    private static final long S = Time.SECOND;

    /** Two brokers; partition "solo-0" lives on broker-1 alone. */
    private static KafkaCluster cluster(boolean electFencedLeader, long seed) {
        ClusterSpec spec = ClusterSpec.builder().brokers(2).config("min.insync.replicas", 1)
                .config("kraftController.electFencedLeader", electFencedLeader).topic("solo", new int[] {1}).build();
        return KafkaCluster.builder(spec).seed(seed).controlPlane(new KRaftControlPlane()).build().start();
    }

    private static KRaftControlPlane plane(KafkaCluster c) {
        return (KRaftControlPlane) c.controlPlane();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aControllerThatReElectsTheFencedLastIsrMemberBreaksKmS4(boolean electFencedLeader) {
        KafkaCluster c = cluster(electFencedLeader, 1);
        c.runFor(10 * S);
        c.assertNoViolation();
        c.assertLeader("solo-0", 1);
        // broker.session.timeout.ms (9 s) later the controller fences broker-1, the last ISR
        // member of solo-0: with the bug it names it leader again in the fencing batch.
        c.crash(1);
        c.runFor(15 * S);
        if (electFencedLeader) {
            assertThat(c.sim().violation()).as("violation").isNotNull();
            assertThat(c.sim().violation().invariant()).isEqualTo(KRaftControlPlane.KM_S4);
            assertThat(c.sim().violation().message()).contains("named broker-1 leader of solo-0")
                    .contains("while it was fenced");
            return;
        }
        c.assertNoViolation();
        assertThat(plane(c).partitionStates().leader(c.partition("solo-0"))).isEqualTo(LeaderElection.NO_LEADER);
        // Restarted, re-registered and unfenced, broker-1 is elected again in the unfencing batch: no KM-S4.
        c.restart(1);
        c.runFor(15 * S);
        c.assertNoViolation();
        c.assertLeader("solo-0", 1);
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aLeaderNamedWhileFencedIsAllowedOnlyWhenTheSameBatchUnfencesIt(boolean unfenceInSameBatch) {
        KafkaCluster c = cluster(false, 2);
        c.runFor(10 * S);
        c.crash(1);
        c.runFor(15 * S);
        c.assertNoViolation();
        int partition = c.partition("solo-0");
        PartitionState offline = plane(c).partitionStates().state(partition);
        assertThat(offline.hasLeader()).isFalse();
        NodeId active = plane(c).activeController();
        RaftNode raft = plane(c).process(active.index());
        // The active controller's Raft leader appends one batch naming the fenced broker-1 leader,
        // followed (or not) by the record that unfences it at its current registration.
        c.sim().schedule(c.sim().now() + Time.MILLISECOND, () -> {
            MetadataRecord.PartitionChange named = new MetadataRecord.PartitionChange(offline.withLeader(1, IntList.of(1)), false);
            raft.appendAsLeader(named.contentHash(), named);
            if (unfenceInSameBatch) {
                MetadataRecord.BrokerFencing unfence = new MetadataRecord.BrokerFencing(1, plane(c).committedBrokerEpoch(1), false);
                raft.appendAsLeader(unfence.contentHash(), unfence);
            }
        });
        c.runFor(S / 5);
        if (unfenceInSameBatch) {
            c.assertNoViolation();
        } else {
            assertThat(c.sim().violation()).as("violation").isNotNull();
            assertThat(c.sim().violation().invariant()).isEqualTo(KRaftControlPlane.KM_S4);
            assertThat(c.sim().violation().message()).contains(active + " (epoch " + raft.epoch() + ") named broker-1 leader of solo-0");
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aLeaderNamedWhileInControlledShutdownBreaksKmS4EvenIfTheBatchUnfencesIt(boolean inControlledShutdown) {
        KafkaCluster c = cluster(false, 3);
        c.runFor(10 * S);
        c.assertNoViolation();
        c.assertLeader("solo-0", 1);
        PartitionState online = plane(c).partitionStates().state(c.partition("solo-0"));
        NodeId active = plane(c).activeController();
        RaftNode raft = plane(c).process(active.index());
        long brokerEpoch = plane(c).committedBrokerEpoch(1);
        // One batch re-elects broker-1 (a new leader epoch) and then repeats its unfencing; with
        // the controlled-shutdown record first, broker-1 is not an acceptable leader (KIP-841).
        c.sim().schedule(c.sim().now() + Time.MILLISECOND, () -> {
            if (inControlledShutdown) {
                MetadataRecord.BrokerControlledShutdown shutdown = new MetadataRecord.BrokerControlledShutdown(1, brokerEpoch);
                raft.appendAsLeader(shutdown.contentHash(), shutdown);
            }
            MetadataRecord.PartitionChange named = new MetadataRecord.PartitionChange(online.withLeader(1, IntList.of(1)), false);
            raft.appendAsLeader(named.contentHash(), named);
            MetadataRecord.BrokerFencing unfence = new MetadataRecord.BrokerFencing(1, brokerEpoch, false);
            raft.appendAsLeader(unfence.contentHash(), unfence);
        });
        c.runFor(S / 5);
        if (inControlledShutdown) {
            assertThat(c.sim().violation()).as("violation").isNotNull();
            assertThat(c.sim().violation().invariant()).isEqualTo(KRaftControlPlane.KM_S4);
            assertThat(c.sim().violation().message()).contains("named broker-1 leader of solo-0").contains("in controlled shutdown");
        } else {
            c.assertNoViolation();
        }
    }
}
