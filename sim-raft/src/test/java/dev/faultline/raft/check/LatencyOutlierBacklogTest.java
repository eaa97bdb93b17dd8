package dev.faultline.raft.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.DelayBacklog;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.raft.harness.RaftCluster;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Regression for fuzz kraft seed 1297 (KM-L3): a message whose latency draw lies far beyond the
 * one-way bound the liveness checks assume holds its FIFO link like the backlog of a delay fault,
 * until it has arrived.
 */
class LatencyOutlierBacklogTest {
    private static final long MS = Time.MILLISECOND;
    private static final long S = Time.SECOND;

    @Test
    void aLinkHoldingAMessageDrawnBeyondTheLatencyBoundIsNotDrainedUntilItArrives() {
        RaftCluster cluster = RaftCluster.builder().voters(3).seed(1297).build().start();
        NodeId leader = cluster.awaitCommittedLeader(10 * S);
        List<NodeId> followers = new ArrayList<>(cluster.voters());
        followers.remove(leader);
        NodeId follower = followers.get(0);
        DelayBacklog backlog = cluster.delayBacklog(cluster.voterIds());
        backlog.update(cluster.sim().now());
        assertThat(backlog.drained(leader, follower, cluster.sim().now())).as("drained before the outlier").isTrue();

        // For 600 ms (longer than a parked Fetch waits) every message leader -> follower draws 1 s, far beyond the bound; then the
        // link is back to the default latency, but FIFO order keeps later messages behind those.
        LinkConfig normal = cluster.sim().network().linkConfig(leader, follower);
        cluster.sim().network().setLinkConfig(leader, follower, new LinkConfig(LatencyModel.constant(1 * S), 0));
        cluster.runFor(600 * MS);
        cluster.sim().network().setLinkConfig(leader, follower, normal);
        long queued = cluster.sim().network().lastArrivalNanos(leader, follower);
        assertThat(queued).isGreaterThan(cluster.sim().now() + cluster.roundTripBoundNanos() / 2);
        backlog.update(cluster.sim().now());
        assertThat(backlog.drained(leader, follower, cluster.sim().now())).as("held behind the outlier").isFalse();
        assertThat(backlog.drained(followers.get(1), leader, cluster.sim().now())).as("another link").isTrue();

        cluster.runUntil(() -> cluster.sim().now() > queued + cluster.roundTripBoundNanos(), 5 * S);
        backlog.update(cluster.sim().now());
        assertThat(backlog.drained(leader, follower, cluster.sim().now())).as("drained once it has arrived").isTrue();
    }
}
