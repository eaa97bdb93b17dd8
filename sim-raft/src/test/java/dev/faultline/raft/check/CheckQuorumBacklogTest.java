package dev.faultline.raft.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.harness.RaftCluster;
import dev.faultline.raft.quorum.LeaderState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression for fuzz finding KR-L2-seed-65: a follower's Fetches held back by a delay fault still
 * reach the leader after the follower crashed (FIFO links), and check-quorum rightly counts them, so
 * the leader may stay leader until the last of them plus {@code 1.5 × fetch timeout}. KR-L2 counts
 * the loss of a majority only from when no such Fetch can still be on its way.
 */
class CheckQuorumBacklogTest {
    private static final long MS = Time.MILLISECOND;
    private static final long S = Time.SECOND;

    @Test
    void aLeaderStillReceivingACrashedFollowersDelayedFetchesStaysLeaderUntilTheyStopThenResigns() {
        RaftCluster cluster = RaftCluster.builder().voters(3).seed(65).withInvariant(RaftInvariants.CHECK_QUORUM).build().start();
        NodeId leader = cluster.awaitCommittedLeader(10 * S);
        cluster.runFor(1 * S);
        int epoch = cluster.raft(leader).epoch();
        List<NodeId> followers = new ArrayList<>(cluster.voters());
        followers.remove(leader);
        NodeId delayed = followers.get(0);
        NodeId other = followers.get(1);
        // The follower's Fetches arrive 1 s after they leave (one round: 1 s there, a 500 ms long
        // poll, the answer); it crashes with one on its way (this seed: sent at 5.15 s, crash at
        // 5.52 s, arrival 6.15 s), and the other follower is cut off at the same moment.
        int fault = cluster.delay(List.of(delayed), List.of(leader), 1 * S);
        cluster.runFor(3500 * MS);
        cluster.crash(delayed);
        cluster.isolate(other);
        long crashedAt = cluster.sim().now();
        cluster.runFor(500 * MS);
        cluster.removeLinkFault(fault);
        // Past 1.5 x fetch timeout (3 s) + ε after the crash and the cut: a Fetch the crashed
        // follower sent before crashing reached the leader later, which counts it, so it still leads
        // (the KR-L2 of before the fix fired here).
        cluster.runFor(crashedAt + 3300 * MS - cluster.sim().now());
        assertThat(cluster.sim().violation()).as("violation").isNull();
        assertThat(cluster.raft(leader).state()).isInstanceOf(LeaderState.class);
        assertThat(cluster.raft(leader).epoch()).isEqualTo(epoch);
        // After the backlog drained, check-quorum resigns within the KR-L2 bound.
        cluster.runFor(8 * S);
        assertThat(cluster.sim().violation()).as("violation").isNull();
        assertThat(cluster.raft(leader).state() instanceof LeaderState && cluster.raft(leader).epoch() == epoch)
                .as("still leader of the same epoch").isFalse();
    }
}
