package dev.faultline.raft.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.harness.RaftCluster;
import dev.faultline.raft.quorum.LeaderState;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Regression for fuzz finding open-kraft-kr-l4-seed-752: links are FIFO, so a link whose delay
 * fault has ended still holds back every later message until what the fault delayed has arrived.
 * A leader whose only other reachable follower sits behind such a backlog gets no Fetches from a
 * majority and resigns by check-quorum; KR-L4 must not count that follower as reachable.
 */
class DelayBacklogTest {
    private static final long MS = Time.MILLISECOND;
    private static final long S = Time.SECOND;

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aLeaderBehindTheBacklogOfAnEndedDelayResignsWithoutBreakingStableLeadership(boolean delayed) {
        RaftCluster cluster = RaftCluster.builder().voters(3).seed(752).withInvariant(RaftInvariants.STABLE_LEADERSHIP)
                .build().start();
        NodeId leader = cluster.awaitCommittedLeader(10 * S);
        cluster.runFor(1 * S);
        int epoch = cluster.raft(leader).epoch();
        List<NodeId> followers = new ArrayList<>(cluster.voters());
        followers.remove(leader);
        NodeId behindBacklog = followers.get(0);
        NodeId cutOff = followers.get(1);
        if (delayed) {
            // 10 s of extra delay both ways for half a second: the messages sent meanwhile arrive
            // about 10 s later, and on FIFO links everything sent after them waits.
            int there = cluster.delay(List.of(leader), List.of(behindBacklog), 10 * S);
            int back = cluster.delay(List.of(behindBacklog), List.of(leader), 10 * S);
            cluster.runFor(500 * MS);
            cluster.removeLinkFault(there);
            cluster.removeLinkFault(back);
        }
        cluster.isolate(cutOff);
        // 1.5 x controller.quorum.fetch.timeout.ms (3 s) plus slack.
        cluster.runFor(4 * S);
        assertThat(cluster.sim().violation()).as("violation").isNull();
        if (delayed) {
            assertThat(cluster.raft(leader).state() instanceof LeaderState && cluster.raft(leader).epoch() == epoch)
                    .as("the leader resigned by check-quorum").isFalse();
        } else {
            assertThat(cluster.raft(leader).state()).isInstanceOf(LeaderState.class);
            assertThat(cluster.raft(leader).epoch()).isEqualTo(epoch);
        }
        // Once the backlog has drained, the two connected voters settle on a stable leader again.
        cluster.runFor(15 * S);
        assertThat(cluster.sim().violation()).as("violation").isNull();
        assertThat(cluster.hasCommittedLeader()).isTrue();
    }
}
