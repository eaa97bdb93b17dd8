package dev.faultline.raft.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.Violation;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.harness.RaftCluster;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.PlantedBugs.CommitRule;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Regression for fuzz finding kraft-KR-S4-seed-10: a leader paused for longer than an election
 * still holds Leader state of its old epoch (it has processed nothing); once the newer leader
 * resigns or crashes, the paused one is the only process in Leader state, with the lower high
 * watermark of its own, deposed epoch. KR-S4 compares the newest epoch's leader against the
 * history, so this stale leader is no violation; a later leader's HW below the earlier one still
 * is (see {@code Figure8Test}, where KR-S4 fires under PB-KR-2).
 */
class StaleLeaderHighWatermarkTest {
    private static final long MS = Time.MILLISECOND;
    private static final long S = Time.SECOND;

    @Test
    void aPausedLeaderOfAnOlderEpochIsNoHighWatermarkRegression() {
        RaftCluster cluster = RaftCluster.builder().voters(5).seed(10).client(2 * MS, 3 * MS).build().start();
        NodeId first = cluster.awaitCommittedLeader(10 * S);
        cluster.runFor(1 * S);
        long firstHw = cluster.raft(first).leaderHighWatermark();
        int firstEpoch = cluster.raft(first).epoch();

        cluster.pause(first);
        assertThat(cluster.runUntil(() -> {
            NodeId l = cluster.leader();
            return l != null && !l.equals(first) && cluster.raft(l).leaderHighWatermark() > firstHw;
        }, 10 * S)).as("a new leader commits past the paused one's high watermark").isTrue();
        NodeId second = cluster.leader();
        assertThat(cluster.raft(second).epoch()).isGreaterThan(firstEpoch);

        cluster.crash(second);
        cluster.runFor(10 * MS);
        assertThat(cluster.raft(first).state()).as("the paused leader still believes it leads").isInstanceOf(LeaderState.class);
        assertThat(cluster.leader()).isEqualTo(first);
        Violation v = cluster.sim().violation();
        assertThat(v).as("a deposed, paused leader's lower HW is no KR-S4 violation").isNull();

        // The survivors elect a third leader; the paused one steps down when it resumes.
        assertThat(cluster.runUntil(() -> {
            NodeId l = cluster.leader();
            return l != null && !l.equals(first) && cluster.raft(l).leaderHighWatermark() >= 0;
        }, 20 * S)).isTrue();
        cluster.resume(first);
        cluster.restart(second);
        cluster.runFor(5 * S);
        assertThat(cluster.sim().violation()).isNull();
        assertThat(cluster.raft(first).state()).isNotInstanceOf(LeaderState.class);
    }

    @ParameterizedTest
    @EnumSource(value = CommitRule.class, names = {"PRIOR_EPOCH_BY_COUNT", "CURRENT_EPOCH"})
    void aNewerLeaderBelowAnEarlierLeadersHighWatermarkStillFires(CommitRule rule) {
        // PB-KR-2: Y commits a prior-epoch record by count (HW 2); S5, elected without it, starts lower.
        Figure8Test.Run r = Figure8Test.figure8(rule, Set.of(RaftInvariants.MONOTONIC_HIGH_WATERMARK));
        Violation v = r.cluster.sim().violation();
        if (rule == CommitRule.PRIOR_EPOCH_BY_COUNT) {
            assertThat(v).as("violation").isNotNull();
            assertThat(v.invariant()).isEqualTo(RaftInvariants.MONOTONIC_HIGH_WATERMARK);
            assertThat(v.nodes()).containsExactly(r.s5.name());
            assertThat(v.message()).contains("below the 2 an earlier leader reached");
        } else {
            assertThat(v).isNull();
        }
    }

    @Test
    void stableLeadershipIsNotArmedForALeaderThatWasPausedDuringItsTenure() {
        // The same finding, replayed with KR-L4 on: after the resume the paused leader reads the
        // queued VoteRequests of the newer epoch and steps down, which is no disruptive election.
        RaftCluster cluster = RaftCluster.builder().voters(5).seed(10).client(2 * MS, 3 * MS)
                .withInvariant(RaftInvariants.STABLE_LEADERSHIP).build().start();
        NodeId first = cluster.awaitCommittedLeader(10 * S);
        cluster.runFor(1 * S);
        cluster.pause(first);
        assertThat(cluster.runUntil(() -> cluster.leader() != null && !cluster.leader().equals(first)
                && cluster.raft(cluster.leader()).leaderHighWatermark() >= 0, 10 * S)).isTrue();
        cluster.resume(first);
        cluster.runFor(3 * S);
        assertThat(cluster.raft(first).state()).isNotInstanceOf(LeaderState.class);
        assertThat(cluster.sim().violation()).isNull();
    }
}
