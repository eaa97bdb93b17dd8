package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.Violation;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.check.RaftInvariants;
import dev.faultline.raft.quorum.MetadataLogFile;
import dev.faultline.raft.quorum.RaftNode;
import dev.faultline.raft.quorum.RaftSnapshot;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KRaft snapshots (KIP-630): every controller and broker writes its own snapshot after
 * {@code metadata.log.max.record.bytes.between.snapshots} of records, the log start advances to a
 * snapshot once {@code metadata.max.retention.bytes} is exceeded, a restarted process loads its
 * latest snapshot and then the tail, a replica behind the leader's log start fetches the leader's
 * snapshot (FetchSnapshot), and KR-S10 (SnapshotAtLogStart, LeaderNeverLoadSnapshot) fires on a
 * disk that breaks it and stays quiet on its twin. The thresholds are small (2 KiB of records, a
 * NoOp batch every 500 ms is 73 bytes) so that snapshots come every few seconds.
 */
class KRaftSnapshotTest {
    private static final long S = Time.SECOND;
    private static final long MS = Time.MILLISECOND;

    private static KafkaCluster cluster(long seed) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", 2)
                .config("metadata.log.max.record.bytes.between.snapshots", 2048)
                .config("metadata.max.retention.bytes", 4096)
                .topic("orders", 30, 3).build();
        return KafkaCluster.builder(spec).seed(seed).controlPlane(new KRaftControlPlane()).build().start();
    }

    private static KRaftControlPlane plane(KafkaCluster c) {
        return (KRaftControlPlane) c.controlPlane();
    }

    private static MetadataLogFile logOf(KafkaCluster c, NodeId node) {
        return c.sim().storage(node).find(RaftNode.LOG_FILE, MetadataLogFile.class);
    }

    private static List<NodeId> raftNodes(KafkaCluster c) {
        List<NodeId> out = new ArrayList<>();
        for (int i = 1; i <= 3; i++) {
            out.add(c.sim().node("controller-" + i));
            out.add(c.brokerNode(i));
        }
        return out;
    }

    private static NodeId standby(KafkaCluster c) {
        NodeId active = plane(c).activeController();
        for (int i = 1; i <= 3; i++) {
            NodeId n = c.sim().node("controller-" + i);
            if (!n.equals(active)) {
                return n;
            }
        }
        throw new AssertionError("no standby");
    }

    @Test
    void everyProcessWritesSnapshotsAndTheLogStartAdvancesToOne() {
        KafkaCluster c = cluster(1);
        c.runFor(60 * S);
        c.assertNoViolation();
        for (NodeId n : raftNodes(c)) {
            MetadataLogFile log = logOf(c, n);
            assertThat(log.snapshots()).as("snapshots of %s", n).isNotEmpty();
            assertThat(log.startOffset()).as("log start of %s", n).isPositive();
            assertThat(log.earliestSnapshot().endOffset()).as("%s starts at its oldest snapshot", n).isEqualTo(log.startOffset());
            // Retention: the log and snapshots together stay near 4 KiB (a snapshot plus at most 2 KiB of records and a batch).
            assertThat(log.sizeBytes()).as("log bytes of %s", n).isLessThan(4096);
        }
        // Processes that wrote the snapshot at the same offset share one object.
        RaftSnapshot a = logOf(c, c.brokerNode(1)).latestSnapshot();
        RaftSnapshot b = logOf(c, c.brokerNode(2)).latestSnapshot();
        if (a.endOffset() == b.endOffset()) {
            assertThat(a).isSameAs(b);
        }
    }

    @Test
    void restartedProcessesLoadTheirLatestSnapshotAndThenTheTail() {
        KafkaCluster c = cluster(2);
        c.runFor(30 * S);
        NodeId standby = standby(c);
        c.crash(2);
        c.sim().crash(standby);
        c.runFor(5 * S);
        c.restart(2);
        c.sim().restart(standby);
        c.runFor(10 * S);
        c.assertNoViolation();
        KRaftBrokerAgent broker = plane(c).brokerAgent(2);
        QuorumController controller = plane(c).controllerAt(standby);
        assertThat(broker.snapshotsLoaded()).isEqualTo(1);
        assertThat(controller.snapshotsLoaded()).isEqualTo(1);
        // Caught up: both replayed up to the committed end that their Raft node delivered.
        assertThat(broker.loadedOffset()).isEqualTo(broker.raft().appliedOffset());
        assertThat(controller.replayedOffset()).isGreaterThan(logOf(c, standby).latestSnapshot().endOffset() - 1);
        // The snapshot's partition states were published to the restarted broker: it has a role in every partition it hosts.
        for (int p = 0; p < 30; p++) {
            assertThat(c.broker(2).appliedLeaderEpoch(p)).as("broker-2's leader epoch of orders-%d", p).isGreaterThanOrEqualTo(0);
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aReplicaBehindTheLeadersLogStartFetchesTheLeadersSnapshot(boolean observer) {
        KafkaCluster c = cluster(3);
        c.runFor(10 * S);
        NodeId behind = observer ? c.brokerNode(3) : standby(c);
        long endBefore = logOf(c, behind).endOffset();
        c.sim().crash(behind);
        c.runFor(40 * S); // the others clean their logs past the crashed replica's end
        NodeId active = plane(c).activeController();
        assertThat(logOf(c, active).startOffset()).as("the leader's log start passed the crashed replica's end").isGreaterThan(endBefore);
        c.sim().restart(behind);
        c.runFor(5 * S);
        c.assertNoViolation();
        MetadataLogFile log = logOf(c, behind);
        RaftSnapshot fetched = log.earliestSnapshot();
        assertThat(fetched.endOffset()).isGreaterThan(endBefore);
        assertThat(log.startOffset()).isGreaterThanOrEqualTo(fetched.endOffset());
        int loaded = observer ? plane(c).brokerAgent(3).snapshotsLoaded() : plane(c).controllerAt(behind).snapshotsLoaded();
        assertThat(loaded).as("the fetched snapshot was loaded").isGreaterThanOrEqualTo(1);
        c.runFor(5 * S);
        c.assertNoViolation();
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void snapshotAtLogStartFiresWhenADiskLosesTheSnapshotItsLogStartsAt(boolean loseSnapshot) {
        KafkaCluster c = cluster(4);
        c.runFor(30 * S);
        c.assertNoViolation();
        c.crash(2);
        MetadataLogFile log = logOf(c, c.brokerNode(2));
        assertThat(log.startOffset()).isPositive();
        if (loseSnapshot) {
            log.removeSnapshot(log.earliestSnapshot()); // a deleted or unreadable checkpoint file
        }
        c.runFor(S);
        Violation v = c.sim().violation();
        if (loseSnapshot) {
            assertThat(v).as("violation").isNotNull();
            assertThat(v.invariant()).isEqualTo(RaftInvariants.SNAPSHOT_INVARIANTS);
            assertThat(v.message()).contains("broker-2 has log start offset").contains("SnapshotAtLogStart");
        } else {
            assertThat(v).isNull();
        }
    }

    /**
     * A disk that holds a snapshot past what its state machine has replayed, with the log starting
     * there (as a log cleaner that ran ahead of the state machine would leave it), makes the node's
     * listener load that snapshot at its next delivery: harmless on a standby, a KR-S10 violation
     * (LeaderNeverLoadSnapshot) on the writable leader; the same leader with its disk untouched
     * ("none") passes.
     */
    @ParameterizedTest
    @ValueSource(strings = {"leader", "standby", "none"})
    void leaderNeverLoadSnapshotFiresWhenTheWritableLeaderIsAskedToLoadOne(String where) {
        boolean onLeader = where.equals("leader");
        KafkaCluster c = cluster(5);
        c.runFor(20 * S);
        c.assertNoViolation();
        NodeId node = onLeader || where.equals("none") ? plane(c).activeController() : standby(c);
        RaftNode raft = plane(c).process(node.index());
        // Step to a moment when the node holds records its listener has not been given yet.
        long limit = c.sim().now() + 5 * S;
        while (raft.log().endOffset() <= raft.appliedOffset() && c.sim().now() < limit) {
            c.sim().run(Long.MAX_VALUE, c.sim().eventIndex() + 1);
        }
        assertThat(raft.log().endOffset()).isGreaterThan(raft.appliedOffset());
        MetadataLogFile log = logOf(c, node);
        long end = log.endOffset();
        RaftSnapshot real = log.latestSnapshot();
        RaftSnapshot ahead = new RaftSnapshot(end, log.get(end - 1).epoch(), log.get(end - 1).chainHash(), real.sizeBytes(),
                real.recordCount(), real.image(), real.createdNanos());
        if (!where.equals("none")) {
            log.addSnapshot(ahead);
            log.advanceStart(end, ahead.epoch(), ahead.chainHash());
            log.removeSnapshotsBefore(end);
        }
        c.runFor(2 * S);
        Violation v = c.sim().violation();
        if (where.equals("none")) {
            // The twin: the same leader at the same moment, its disk untouched.
            assertThat(v).isNull();
            assertThat(plane(c).controllerAt(node).snapshotsLoaded()).isZero();
        } else if (onLeader) {
            assertThat(v).as("violation").isNotNull();
            assertThat(v.invariant()).isEqualTo(RaftInvariants.SNAPSHOT_INVARIANTS);
            assertThat(v.message()).contains(node.name()).contains("LeaderNeverLoadSnapshot");
        } else {
            assertThat(v).isNull();
            assertThat(plane(c).controllerAt(node).snapshotsLoaded()).isEqualTo(1);
        }
    }
}
