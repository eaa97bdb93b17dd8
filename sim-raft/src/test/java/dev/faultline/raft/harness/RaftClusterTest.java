package dev.faultline.raft.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import dev.faultline.raft.quorum.ElectionState;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.RaftNode;
import dev.faultline.core.storage.DurableValue;
import org.junit.jupiter.api.Test;

class RaftClusterTest {
    private static final long MS = Time.MILLISECOND;
    private static final long S = Time.SECOND;

    private static RaftCluster cluster(int voters, long seed) {
        return RaftCluster.builder().voters(voters).seed(seed).client(2 * MS, 3 * MS).build().start();
    }

    private static void assertNoViolation(RaftCluster c) {
        assertThat(c.sim().violation()).as("violation").isNull();
    }

    @Test
    void threeVotersElectALeaderAndCommitTheClientsRecords() {
        RaftCluster c = cluster(3, 7);
        NodeId leader = c.awaitCommittedLeader(10 * S);
        assertThat(leader).isNotNull();
        RunResult r = c.runFor(5 * S);
        assertThat(r.ok()).as(String.valueOf(r)).isTrue();
        long hw = c.raft(leader).highWatermark();
        assertThat(hw).isGreaterThan(1000);
        for (NodeId v : c.voters()) {
            assertThat(c.raft(v).highWatermark()).as(v + " HW").isGreaterThan(hw - 300);
        }
        assertThat(c.client().accepted()).isGreaterThan(1500);
    }

    @Test
    void sameSeedGivesTheSameFingerprint() {
        RaftCluster a = cluster(5, 42);
        RaftCluster b = cluster(5, 42);
        assertThat(a.runFor(8 * S).fingerprint()).isEqualTo(b.runFor(8 * S).fingerprint());
    }

    @Test
    void aCrashedLeaderIsReplacedAndRejoinsAsFollower() {
        RaftCluster c = cluster(3, 3);
        NodeId old = c.awaitCommittedLeader(10 * S);
        c.runFor(1 * S);
        int oldEpoch = c.raft(old).epoch();
        c.crash(old);
        NodeId next = c.awaitCommittedLeader(10 * S);
        assertThat(next).isNotNull().isNotEqualTo(old);
        assertThat(c.raft(next).epoch()).isGreaterThan(oldEpoch);
        c.restart(old);
        c.runFor(3 * S);
        assertNoViolation(c);
        assertThat(c.raft(old).state().kind()).isEqualTo(EpochState.Kind.FOLLOWER);
        assertThat(c.raft(old).highWatermark()).isGreaterThan(c.raft(next).highWatermark() - 300);
    }

    @Test
    void observersReplicateWithoutVoting() {
        RaftCluster c = RaftCluster.builder().voters(3).observers(2).seed(5).client(2 * MS, 3 * MS).build().start();
        NodeId leader = c.awaitCommittedLeader(10 * S);
        c.runFor(3 * S);
        assertNoViolation(c);
        NodeId observer = c.nodeId(3);
        RaftNode o = c.raft(observer);
        assertThat(o.isVoter()).isFalse();
        assertThat(o.state().kind()).isEqualTo(EpochState.Kind.FOLLOWER);
        assertThat(o.highWatermark()).isGreaterThan(c.raft(leader).highWatermark() - 300);
        @SuppressWarnings("unchecked")
        DurableValue<ElectionState> state = c.sim().storage(observer).find(RaftNode.QUORUM_STATE_FILE, DurableValue.class);
        assertThat(state.get().votedId()).isEqualTo(ElectionState.NONE);
        // Losing both observers changes nothing for the quorum.
        c.crash(observer);
        c.crash(c.nodeId(4));
        long hw = c.raft(leader).highWatermark();
        c.runFor(2 * S);
        assertThat(c.raft(leader).highWatermark()).isGreaterThan(hw + 500);
    }

    @Test
    void powerLossOfEveryNodeKeepsCommittedRecords() {
        RaftCluster c = cluster(3, 11);
        c.awaitCommittedLeader(10 * S);
        c.runFor(2 * S);
        for (NodeId v : c.voters()) {
            c.powerLoss(v);
        }
        c.runFor(1 * S);
        for (NodeId v : c.voters()) {
            c.restart(v);
        }
        assertThat(c.awaitCommittedLeader(20 * S)).isNotNull();
        c.runFor(3 * S);
        assertNoViolation(c);
        assertThat(c.history().committedLength()).isGreaterThan(1000);
    }

    @Test
    void anIsolatedLeaderResignsAfterCheckQuorumAndTheMajorityElectsAnother() {
        RaftCluster c = cluster(3, 9);
        NodeId old = c.awaitCommittedLeader(10 * S);
        c.runFor(1 * S);
        long t0 = c.sim().now();
        c.isolate(old);
        boolean resigned = c.runUntil(() -> c.raft(old).state().kind() != EpochState.Kind.LEADER, 5 * S);
        assertThat(resigned).isTrue();
        long tookNanos = c.sim().now() - t0;
        assertThat(tookNanos).isBetween(c.config().checkQuorumTimeoutNanos() - c.config().fetchTimeoutNanos(),
                c.config().checkQuorumTimeoutNanos() + 50 * MS);
        boolean replaced = c.runUntil(() -> c.hasCommittedLeader() && !old.equals(c.leader()), 5 * S);
        assertThat(replaced).isTrue();
        assertNoViolation(c);
    }
}
