package dev.faultline.raft.harness;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.raft.check.RaftInvariants;
import dev.faultline.raft.quorum.CandidateState;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.QuorumConfig;
import dev.faultline.raft.quorum.RaftProbe;
import it.unimi.dsi.fastutil.ints.IntAVLTreeSet;
import java.util.Arrays;
import java.util.Locale;

/**
 * The Raft paper's leader-failure experiment (Ongaro and Ousterhout 2014, §9.3) on the classic
 * timer policy: N voters with election timeouts drawn in {@code [min, max]}, heartbeats every
 * {@code heartbeat}, links with the given latency model. Each trial (one seed) waits for a stable
 * leader, crashes it at a uniformly random point within its heartbeat interval just after a
 * heartbeat, and measures the time from the crash until every surviving voter has received a
 * message from the new leader. A split vote is an election round (a candidate epoch after the crash)
 * that elected nobody.
 */
public final class ElectionExperiment {
    private ElectionExperiment() {
    }

    /**
     * @param voters quorum size
     * @param timeoutMinNanos lower end of the election timeout range
     * @param timeoutMaxNanos upper end (inclusive)
     * @param heartbeatNanos leader heartbeat interval
     * @param latency one-way link latency model
     * @param oneWayBoundNanos an upper bound of that latency (for the liveness bound)
     * @param seeds number of trials
     * @param firstSeed seed of the first trial; trial i uses {@code firstSeed + i}
     */
    public record Config(int voters, long timeoutMinNanos, long timeoutMaxNanos, long heartbeatNanos, LatencyModel latency,
                         long oneWayBoundNanos, int seeds, long firstSeed) {
    }

    /** One trial: its seed, the crash-to-everyone-heard time, and the rounds that elected nobody. */
    public record Trial(long seed, boolean recovered, long recoveryNanos, int splitVotes) {
    }

    /** Distribution over the trials that recovered, plus split-vote counts and failures. */
    public record Result(Config config, Distribution recovery, long splitVotes, int trialsWithSplitVotes, int failures) {
        public String summary() {
            return String.format(Locale.ROOT,
                    "voters=%d timeout=[%s, %s] heartbeat=%s latency=%s trials=%d recovered=%d%n"
                            + "crash -> all survivors heard new leader (ms): %s%n"
                            + "split votes: %d in %d trials",
                    config.voters, Time.format(config.timeoutMinNanos), Time.format(config.timeoutMaxNanos),
                    Time.format(config.heartbeatNanos), config.latency.describe(), config.seeds, recovery.count(),
                    recovery.describeMillis(), splitVotes, trialsWithSplitVotes);
        }
    }

    public static Result run(Config config) {
        long[] samples = new long[config.seeds];
        int n = 0;
        long splits = 0;
        int withSplits = 0;
        int failures = 0;
        for (int i = 0; i < config.seeds; i++) {
            Trial t = trial(config, config.firstSeed + i);
            if (!t.recovered) {
                failures++;
                continue;
            }
            samples[n++] = t.recoveryNanos;
            splits += t.splitVotes;
            if (t.splitVotes > 0) {
                withSplits++;
            }
        }
        return new Result(config, new Distribution(Arrays.copyOf(samples, n)), splits, withSplits, failures);
    }

    /** One trial with this seed. */
    public static Trial trial(Config config, long seed) {
        RaftCluster cluster = RaftCluster.builder().voters(config.voters).seed(seed)
                .config(QuorumConfig.classic(config.timeoutMinNanos, config.timeoutMaxNanos, config.heartbeatNanos))
                .latency(config.latency, config.oneWayBoundNanos).invariants(RaftInvariants.SAFETY).build().start();
        long limit = 60 * Time.SECOND;
        NodeId leader = cluster.awaitCommittedLeader(limit);
        if (leader == null || !cluster.runUntil(() -> allFollow(cluster), limit)) {
            return new Trial(seed, false, -1, 0);
        }
        cluster.runFor(config.heartbeatNanos * 2);
        NodeId stable = cluster.leader();
        long lastHeartbeat = cluster.raft(stable).lastHeartbeatNanos();
        SimRandom random = cluster.sim().random("election-experiment");
        long crashAt = lastHeartbeat + config.heartbeatNanos + random.nextLong(config.heartbeatNanos);
        Watch watch = new Watch(cluster, stable, cluster.raft(stable).epoch());
        cluster.history().addListener(watch);
        cluster.sim().schedule(crashAt, () -> {
            watch.crashNanos = cluster.sim().now();
            cluster.crash(stable);
        });
        cluster.runUntil(() -> watch.doneNanos >= 0, crashAt - cluster.sim().now() + limit);
        if (watch.doneNanos < 0 || cluster.sim().violation() != null) {
            return new Trial(seed, false, -1, watch.splitVotes());
        }
        return new Trial(seed, true, watch.doneNanos - watch.crashNanos, watch.splitVotes());
    }

    private static boolean allFollow(RaftCluster c) {
        NodeId leader = c.leader();
        if (leader == null) {
            return false;
        }
        int epoch = c.raft(leader).epoch();
        for (NodeId v : c.voters()) {
            if (c.raft(v).epoch() != epoch || c.raft(v).state().election().leaderId() != leader.index()) {
                return false;
            }
        }
        return true;
    }

    /** Follows one trial after the crash: candidate epochs, the new leader, who has heard from it. */
    private static final class Watch implements RaftProbe {
        private final RaftCluster cluster;
        private final NodeId crashed;
        private final int oldEpoch;
        private final IntAVLTreeSet candidateEpochs = new IntAVLTreeSet();
        private final boolean[] heard;
        long crashNanos = -1;
        long doneNanos = -1;
        private int newLeader = -1;
        private int newEpoch = -1;

        Watch(RaftCluster cluster, NodeId crashed, int oldEpoch) {
            this.cluster = cluster;
            this.crashed = crashed;
            this.oldEpoch = oldEpoch;
            this.heard = new boolean[cluster.voterIds().length];
        }

        int splitVotes() {
            int rounds = candidateEpochs.size();
            return newLeader >= 0 ? Math.max(0, rounds - 1) : rounds;
        }

        @Override
        public void onTransition(int nodeId, EpochState from, EpochState to) {
            if (crashNanos < 0 || doneNanos >= 0) {
                return;
            }
            if (to instanceof CandidateState && to.epoch() > oldEpoch) {
                candidateEpochs.add(to.epoch());
            }
            if (to instanceof LeaderState && to.epoch() > oldEpoch && to.epoch() > newEpoch) {
                newLeader = nodeId;
                newEpoch = to.epoch();
                Arrays.fill(heard, false);
                heard[nodeId] = true;
                maybeDone();
            }
        }

        @Override
        public void onLeaderContact(int nodeId, int epoch, int leaderId) {
            if (crashNanos < 0 || doneNanos >= 0 || leaderId != newLeader || epoch != newEpoch) {
                return;
            }
            heard[nodeId] = true;
            maybeDone();
        }

        private void maybeDone() {
            for (int i = 0; i < heard.length; i++) {
                if (i != crashed.index() && !heard[i]) {
                    return;
                }
            }
            doneNanos = cluster.sim().now();
        }
    }
}
