package dev.faultline.raft.harness;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.raft.check.RaftInvariants;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.FollowerState;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.QuorumConfig;
import dev.faultline.raft.quorum.RaftLog;
import dev.faultline.raft.quorum.RaftProbe;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.Arrays;

/**
 * Raft-layer failover of a KRaft controller quorum with Kafka's timers (the Raft part of
 * docs/model.md#kraft-controller-failover): the active leader crashes at a uniformly random
 * instant; from the crash it measures <b>detect</b> (the first surviving voter leaves Follower, i.e. becomes Prospective/Candidate),
 * <b>elect</b> (a voter becomes leader of a later epoch), <b>commit</b> (that leader's
 * LeaderChange is committed: its HW is set in its epoch) and <b>heard</b> (every surviving voter
 * has received a message from it). A client appending every {@code 400–600 ms} stands in for the
 * controller's {@code NoOpRecord} every {@code metadata.max.idle.interval.ms} (500). The quorum
 * controller's claim and broker propagation are not measured here: they belong to the KRaft
 * control plane ({@code dev.faultline.raft.kraft}), whose failovers the scenario runner measures.
 */
public final class KraftFailoverExperiment {
    private KraftFailoverExperiment() {
    }

    public record Config(int voters, QuorumConfig quorum, LatencyModel latency, long oneWayBoundNanos, int seeds, long firstSeed) {
    }

    public record Result(Config config, Distribution detect, Distribution elect, Distribution commit, Distribution heard,
                         int failures) {
        public String summary() {
            return "voters=" + config.voters + " latency=" + config.latency.describe() + " trials=" + config.seeds
                    + " failures=" + failures + " (ms after the crash)\n"
                    + "  detect (first voter leaves Follower): " + detect.describeMillis() + "\n"
                    + "  elect  (new leader):                  " + elect.describeMillis() + "\n"
                    + "  commit (LeaderChange committed):      " + commit.describeMillis() + "\n"
                    + "  heard  (all survivors heard leader):  " + heard.describeMillis();
        }
    }

    public static Result run(Config config) {
        LongArrayList detect = new LongArrayList();
        LongArrayList elect = new LongArrayList();
        LongArrayList commit = new LongArrayList();
        LongArrayList heard = new LongArrayList();
        int failures = 0;
        for (int i = 0; i < config.seeds; i++) {
            Watch w = trial(config, config.firstSeed + i);
            if (w == null || w.heardNanos < 0 || w.commitNanos < 0) {
                failures++;
                continue;
            }
            detect.add(w.detectNanos - w.crashNanos);
            elect.add(w.electNanos - w.crashNanos);
            commit.add(w.commitNanos - w.crashNanos);
            heard.add(w.heardNanos - w.crashNanos);
        }
        return new Result(config, new Distribution(detect.toLongArray()), new Distribution(elect.toLongArray()),
                new Distribution(commit.toLongArray()), new Distribution(heard.toLongArray()), failures);
    }

    private static Watch trial(Config config, long seed) {
        RaftCluster cluster = RaftCluster.builder().voters(config.voters).seed(seed).config(config.quorum)
                .latency(config.latency, config.oneWayBoundNanos).client(400 * Time.MILLISECOND, 600 * Time.MILLISECOND)
                .invariants(RaftInvariants.SAFETY).build().start();
        long limit = 60 * Time.SECOND;
        if (cluster.awaitCommittedLeader(limit) == null) {
            return null;
        }
        cluster.runFor(3 * Time.SECOND);
        NodeId leader = cluster.leader();
        SimRandom random = cluster.sim().random("failover-experiment");
        long crashAt = cluster.sim().now() + random.nextLong(config.quorum.fetchTimeoutNanos());
        Watch watch = new Watch(cluster, leader, cluster.raft(leader).epoch());
        cluster.history().addListener(watch);
        cluster.sim().schedule(crashAt, () -> {
            watch.crashNanos = cluster.sim().now();
            cluster.crash(leader);
        });
        cluster.runUntil(() -> watch.heardNanos >= 0 && watch.commitNanos >= 0, crashAt - cluster.sim().now() + limit);
        return cluster.sim().violation() == null ? watch : null;
    }

    private static final class Watch implements RaftProbe {
        private final RaftCluster cluster;
        private final NodeId crashed;
        private final int oldEpoch;
        private final boolean[] heard;
        long crashNanos = -1;
        long detectNanos = -1;
        long electNanos = -1;
        long commitNanos = -1;
        long heardNanos = -1;
        private int newLeader = -1;
        private int newEpoch = -1;

        Watch(RaftCluster cluster, NodeId crashed, int oldEpoch) {
            this.cluster = cluster;
            this.crashed = crashed;
            this.oldEpoch = oldEpoch;
            this.heard = new boolean[cluster.voterIds().length];
        }

        private boolean watching() {
            return crashNanos >= 0;
        }

        @Override
        public void onTransition(int nodeId, EpochState from, EpochState to) {
            if (!watching()) {
                return;
            }
            long now = cluster.sim().now();
            if (detectNanos < 0 && from instanceof FollowerState && !(to instanceof FollowerState)) {
                detectNanos = now;
            }
            if (to instanceof LeaderState && to.epoch() > oldEpoch && to.epoch() > newEpoch) {
                newLeader = nodeId;
                newEpoch = to.epoch();
                electNanos = now;
                commitNanos = -1;
                heardNanos = -1;
                Arrays.fill(heard, false);
                heard[nodeId] = true;
                maybeHeard();
            }
        }

        @Override
        public void onHighWatermark(int nodeId, long highWatermark, RaftLog log) {
            if (watching() && nodeId == newLeader && commitNanos < 0
                    && cluster.raft(cluster.nodeId(nodeId)).leaderHighWatermark() >= 0) {
                commitNanos = cluster.sim().now();
            }
        }

        @Override
        public void onLeaderContact(int nodeId, int epoch, int leaderId) {
            if (watching() && leaderId == newLeader && epoch == newEpoch) {
                heard[nodeId] = true;
                maybeHeard();
            }
        }

        private void maybeHeard() {
            if (heardNanos >= 0) {
                return;
            }
            for (int i = 0; i < heard.length; i++) {
                if (i != crashed.index() && !heard[i]) {
                    return;
                }
            }
            heardNanos = cluster.sim().now();
        }
    }
}
