package dev.faultline.raft.quorum;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.harness.RaftCluster;
import org.junit.jupiter.api.Test;

/**
 * An observer whose leader's process crashed gets a {@code ConnectionReset} for its Fetch; like
 * Kafka's observer (which fetches from any other voter while the leader's connection backs off),
 * it asks another voter and so learns of the new leader about one round trip after that voter
 * does, instead of after its own fetch timeout ({@code controller.quorum.fetch.timeout.ms}, 2 s).
 */
class ObserverDiscoveryTest {
    private static final long MS = Time.MILLISECOND;
    private static final long S = Time.SECOND;

    /** Time from the new leader's committed epoch until the observer follows it. */
    private static long discoveryLagNanos(long seed) {
        RaftCluster c = RaftCluster.builder().voters(3).observers(1).seed(seed).client(2 * MS, 3 * MS).build().start();
        NodeId first = c.awaitCommittedLeader(10 * S);
        c.runFor(1 * S);
        NodeId observer = c.nodeId(3);
        assertThat(c.raft(observer).isVoter()).isFalse();
        assertThat(c.raft(observer).knownLeader()).isEqualTo(first.index());
        c.crash(first);
        NodeId next = null;
        while (next == null || next.equals(first)) {
            assertThat(c.runUntil(c::hasCommittedLeader, 20 * S)).isTrue();
            next = c.leader();
            if (next.equals(first)) {
                c.runFor(MS);
            }
        }
        long electedAt = c.sim().now();
        NodeId leader = next;
        assertThat(c.runUntil(() -> c.raft(observer).state() instanceof FollowerState
                && c.raft(observer).knownLeader() == leader.index(), 10 * S)).isTrue();
        assertThat(c.sim().violation()).isNull();
        return c.sim().now() - electedAt;
    }

    @Test
    void anObserverFindsTheNewLeaderSoonAfterItsLeaderCrashed() {
        long worst = 0;
        StringBuilder lags = new StringBuilder();
        for (long seed = 1; seed <= 10; seed++) {
            long lag = discoveryLagNanos(seed);
            lags.append(" ").append(Time.format(lag));
            worst = Math.max(worst, lag);
        }
        System.out.println("observer discovery lags:" + lags);
        // Retries every controller.quorum.retry.backoff.ms (20 ms) plus round trips of 1 to 3 ms.
        assertThat(worst).as("worst observer lag over seeds 1..10:%s", lags).isLessThanOrEqualTo(100 * MS);
    }

    /** Time from the new leader's committed epoch until the observer follows it, after the old leader resigned. */
    private static long lagAfterResignation(long seed) {
        RaftCluster c = RaftCluster.builder().voters(5).observers(1).seed(seed).client(2 * MS, 3 * MS).build().start();
        NodeId first = c.awaitCommittedLeader(10 * S);
        c.runFor(1 * S);
        NodeId observer = c.nodeId(5);
        java.util.List<NodeId> others = new java.util.ArrayList<>(c.voters());
        others.remove(first);
        // The leader loses the other voters (and resigns by check-quorum) but not the observer,
        // which keeps fetching from it and gets NOT_LEADER_OR_FOLLOWER answers.
        c.cut(java.util.List.of(first), others);
        c.cut(others, java.util.List.of(first));
        NodeId next = null;
        while (next == null || next.equals(first)) {
            assertThat(c.runUntil(c::hasCommittedLeader, 20 * S)).isTrue();
            next = c.leader();
            if (next.equals(first)) {
                c.runFor(MS);
            }
        }
        long electedAt = c.sim().now();
        NodeId leader = next;
        c.runUntil(() -> !(c.raft(first).state() instanceof LeaderState), 10 * S);
        long resignedAt = c.sim().now();
        assertThat(c.runUntil(() -> c.raft(observer).state() instanceof FollowerState
                && c.raft(observer).knownLeader() == leader.index(), 20 * S)).isTrue();
        assertThat(c.sim().violation()).isNull();
        return c.sim().now() - Math.max(electedAt, resignedAt);
    }

    @Test
    void anObserverWhoseLeaderResignedAsksAnotherVoterInsteadOfWaitingForItsFetchTimeout() {
        long worst = 0;
        StringBuilder lags = new StringBuilder();
        for (long seed = 1; seed <= 10; seed++) {
            long lag = lagAfterResignation(seed);
            lags.append(" ").append(Time.format(lag));
            worst = Math.max(worst, lag);
        }
        System.out.println("observer discovery lags after resignation:" + lags);
        assertThat(worst).as("worst observer lag over seeds 1..10:%s", lags).isLessThanOrEqualTo(100 * MS);
    }
}
