package dev.faultline.raft.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.Violation;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.harness.RaftCluster;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.PlantedBugs;
import dev.faultline.raft.quorum.QuorumConfig;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The planted-bug sequences (docs/model.md#planted-bugs) of PB-KR-1 and PB-KR-3: switch on, the
 * named check fires; off, the same schedule passes.
 */
class PlantedBugTest {
    private static final long MS = Time.MILLISECOND;
    private static final long S = Time.SECOND;

    private static RaftCluster cluster(PlantedBugs bugs, long seed, String... extraInvariants) {
        RaftCluster.Builder b = RaftCluster.builder().voters(3).observers(3).seed(seed)
                .config(QuorumConfig.defaults().withBugs(bugs)).client(2 * MS, 3 * MS);
        for (String id : extraInvariants) {
            b.withInvariant(id);
        }
        return b.build().start();
    }

    /** PB-KR-1: partition {C1, B1} from {C2, C3, B2, B3}; C1 must resign within 1.5 × fetch timeout + ε. */
    private NodeId c1;

    private RaftCluster partitionTheLeaderWithOneBroker(PlantedBugs bugs) {
        RaftCluster c = cluster(bugs, 21);
        c1 = c.awaitCommittedLeader(10 * S);
        assertThat(c1).isNotNull();
        c.runFor(2 * S);
        NodeId b1 = c.nodeId(3);
        c.split(List.of(c1, b1));
        c.runFor(6 * S);
        return c;
    }

    @Test
    void noCheckQuorumLeavesAPartitionedLeaderInPlaceAndKrL2Fires() {
        RaftCluster c = partitionTheLeaderWithOneBroker(PlantedBugs.NONE.withNoCheckQuorum(true));
        Violation v = c.sim().violation();
        assertThat(v).as("violation").isNotNull();
        assertThat(v.invariant()).isEqualTo(RaftInvariants.CHECK_QUORUM);
        assertThat(v.message()).contains("still leader");
    }

    @Test
    void withCheckQuorumThePartitionedLeaderResignsAndTheSameSchedulePasses() {
        RaftCluster c = partitionTheLeaderWithOneBroker(PlantedBugs.NONE);
        assertThat(c.sim().violation()).isNull();
        assertThat(c.raft(c1).state().kind()).isNotEqualTo(EpochState.Kind.LEADER);
        assertThat(c.leader()).isNotNull().isNotEqualTo(c1);
    }

    /** PB-KR-3: isolate a follower for 10 s, heal; with pre-vote it never disrupts the leader. */
    private static RaftCluster isolateAFollowerForTenSeconds(PlantedBugs bugs) {
        RaftCluster c = cluster(bugs, 33, RaftInvariants.STABLE_LEADERSHIP);
        NodeId leader = c.awaitCommittedLeader(10 * S);
        assertThat(leader).isNotNull();
        c.runFor(2 * S);
        NodeId follower = leader.equals(c.voter(3)) ? c.voter(2) : c.voter(3);
        int p = c.isolate(follower);
        c.runFor(10 * S);
        c.heal(p);
        c.runFor(5 * S);
        return c;
    }

    @Test
    void withoutPreVoteARejoiningFollowerDeposesAHealthyLeaderAndKrL4Fires() {
        RaftCluster c = isolateAFollowerForTenSeconds(PlantedBugs.NONE.withNoPreVote(true));
        Violation v = c.sim().violation();
        assertThat(v).as("violation").isNotNull();
        assertThat(v.invariant()).isEqualTo(RaftInvariants.STABLE_LEADERSHIP);
    }

    @Test
    void withPreVoteTheRejoiningFollowerNeverBumpsItsEpochAndTheSameSchedulePasses() {
        RaftCluster c = isolateAFollowerForTenSeconds(PlantedBugs.NONE);
        assertThat(c.sim().violation()).isNull();
        int leaderEpoch = c.raft(c.leader()).epoch();
        for (NodeId v : c.voters()) {
            assertThat(c.raft(v).epoch()).isEqualTo(leaderEpoch);
            assertThat(c.raft(v).state().kind()).isIn(EpochState.Kind.LEADER, EpochState.Kind.FOLLOWER);
        }
    }

    @Test
    void unknownInvariantIdsAreRejected() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                () -> RaftCluster.builder().invariants(Set.of("KR-S99")).build())
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("KR-S99");
    }
}
