package dev.faultline.raft.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.DelayBacklog;
import dev.faultline.core.net.LinkHealth;
import dev.faultline.raft.quorum.FollowerState;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.QuorumConfig;
import dev.faultline.raft.quorum.RaftNode;
import dev.faultline.raft.quorum.TimerPolicy;
import java.util.Arrays;

/**
 * Bounded-liveness checks KR-L1 to KR-L4 (docs/invariants.md). Each is armed by a condition read
 * from the simulation's true state (processes up and not paused, links not cut and fault-free), is
 * disarmed whenever the condition breaks or the goal holds, and fails only when the condition held
 * for the whole bound. Leaders' local clocks are assumed to run at virtual time (no clock skew in
 * the scenarios that use KR-L3).
 */
final class LivenessInvariants {
    /** One event-loop slack (the ε of the bounds in docs/invariants.md). */
    static final long EPSILON_NANOS = 50 * Time.MILLISECOND;

    private LivenessInvariants() {
    }

    /**
     * A leader that is healthy, committed in its epoch, and cleanly connected to a majority (itself
     * included): links without faults and without a backlog left by an ended delay fault.
     */
    static boolean leadsMajority(RaftView view, DelayBacklog backlog, RaftNode leader, int leaderId, boolean requireFollowing) {
        Simulation sim = view.sim();
        NodeId l = view.nodeId(leaderId);
        if (!Connectivity.healthy(sim, l)) {
            return false;
        }
        int count = 1;
        for (int id : view.voterIds()) {
            if (id == leaderId) {
                continue;
            }
            NodeId v = view.nodeId(id);
            if (!Connectivity.healthy(sim, v) || !Connectivity.clean(sim, l, v, backlog)) {
                continue;
            }
            if (requireFollowing) {
                RaftNode f = view.process(id);
                if (!(f.state() instanceof FollowerState) || f.epoch() != leader.epoch()
                        || ((FollowerState) f.state()).leaderId() != leaderId) {
                    continue;
                }
            }
            count++;
        }
        return count >= view.voterIds().length / 2 + 1;
    }

    /** A healthy node that can exchange some messages with a majority of voters (itself included). */
    static boolean reachesMajority(RaftView view, int leaderId) {
        Simulation sim = view.sim();
        NodeId l = view.nodeId(leaderId);
        if (!Connectivity.healthy(sim, l)) {
            return false;
        }
        int count = 1;
        for (int id : view.voterIds()) {
            NodeId v = view.nodeId(id);
            if (id != leaderId && Connectivity.healthy(sim, v) && LinkHealth.reachable(sim.network(), l, v)) {
                count++;
            }
        }
        return count >= view.voterIds().length / 2 + 1;
    }

    /** KR-L1: with a healthy, connected majority, some leader commits its LeaderChange within the bound. */
    static final class LeaderElected implements Invariant {
        private final RaftView view;
        private final DelayBacklog backlog;
        private final long boundNanos;
        private long since = -1;

        LeaderElected(RaftView view, DelayBacklog backlog) {
            this.view = view;
            this.backlog = backlog;
            QuorumConfig c = view.config();
            long rtt = view.roundTripBoundNanos();
            if (c.timerPolicy() instanceof TimerPolicy.Classic) {
                long max = ((TimerPolicy.Classic) c.timerPolicy()).maxNanos();
                this.boundNanos = max + 5 * (2 * max) + 4 * rtt;
            } else {
                this.boundNanos = c.fetchTimeoutNanos() + 5 * (2 * c.electionTimeoutNanos() + c.electionBackoffMaxNanos())
                        + 4 * rtt;
            }
        }

        @Override
        public String name() {
            return RaftInvariants.LEADER_ELECTED;
        }

        @Override
        public void check(CheckContext context) {
            backlog.update(context.now());
            for (int id : view.voterIds()) {
                RaftNode n = view.process(id);
                // A committed leader that still reaches a majority (slow or lossy links included: it
                // keeps its followers, fuzz kraft seed 5058) is an elected leader.
                if (n != null && n.leaderHighWatermark() >= 0 && reachesMajority(view, id)) {
                    since = -1;
                    return;
                }
            }
            if (!Connectivity.healthyMajority(view, backlog)) {
                since = -1;
                return;
            }
            long now = context.now();
            if (since < 0) {
                since = now;
            } else if (now - since > boundNanos) {
                context.fail(name(), "a healthy connected majority had no committed leader for " + Time.format(now - since)
                        + " (bound " + Time.format(boundNanos) + ")");
            }
        }
    }

    /**
     * KR-L2: a leader that cannot get Fetches from a majority leaves Leader within
     * {@code 1.5 × fetch timeout + ε}. A voter can still send the leader Fetches while it is
     * healthy and reachable, and also while its link to the leader holds Fetches delayed by a delay
     * fault ({@link DelayBacklog#heldOneWay}): those arrive even after the voter crashed, and the
     * leader rightly counts them (Kafka's check-quorum cannot tell a late Fetch from a fresh one;
     * fuzz finding KR-L2-seed-65: broker-2's Fetches sent during a 14.4 s delay reached leader
     * broker-3 until 34.44 s, 1.5 s after broker-2 crashed, and the leader resigned 3 s later).
     */
    static final class CheckQuorum implements Invariant {
        private final RaftView view;
        private final DelayBacklog backlog;
        private final long boundNanos;
        private final long[] cutSince;
        private final int[] cutEpoch;

        CheckQuorum(RaftView view, DelayBacklog backlog) {
            this.view = view;
            this.backlog = backlog;
            this.boundNanos = view.config().checkQuorumTimeoutNanos() + EPSILON_NANOS;
            int n = view.sim().nodes().size();
            cutSince = new long[n];
            cutEpoch = new int[n];
            java.util.Arrays.fill(cutSince, -1);
        }

        @Override
        public String name() {
            return RaftInvariants.CHECK_QUORUM;
        }

        @Override
        public void check(CheckContext context) {
            backlog.update(context.now());
            Simulation sim = view.sim();
            for (int id : view.voterIds()) {
                RaftNode n = view.process(id);
                if (n == null || !(n.state() instanceof LeaderState) || sim.isPaused(view.nodeId(id))) {
                    cutSince[id] = -1;
                    continue;
                }
                if (reachableVoters(id) >= view.voterIds().length / 2 + 1) {
                    cutSince[id] = -1;
                    continue;
                }
                long now = context.now();
                if (cutSince[id] < 0 || cutEpoch[id] != n.epoch()) {
                    cutSince[id] = now;
                    cutEpoch[id] = n.epoch();
                } else if (now - cutSince[id] > boundNanos) {
                    context.fail(name(), view.nodeId(id) + " is still leader of epoch " + n.epoch() + " " + Time.format(now - cutSince[id])
                            + " after losing a majority (bound " + Time.format(boundNanos) + ")", view.nodeId(id));
                    return;
                }
            }
        }

        private int reachableVoters(int leaderId) {
            Simulation sim = view.sim();
            NodeId l = view.nodeId(leaderId);
            int count = 1;
            for (int id : view.voterIds()) {
                NodeId v = view.nodeId(id);
                if (id != leaderId && (Connectivity.healthy(sim, v) && LinkHealth.reachable(sim.network(), l, v)
                        || backlog.heldOneWay(v, l, sim.now()))) {
                    count++;
                }
            }
            return count;
        }
    }

    /**
     * KR-L3: with a stable committed leader followed by a connected majority, an appended record
     * commits within {@code append.linger + maxFetchWait + 2·RTT + ε}.
     */
    static final class CommitLatency implements Invariant {
        private final RaftView view;
        private final DelayBacklog backlog;
        private final long boundNanos;
        private int leaderId = -1;
        private int leaderEpoch = -1;
        private long conditionSince = -1;

        CommitLatency(RaftView view, DelayBacklog backlog) {
            this.view = view;
            this.backlog = backlog;
            QuorumConfig c = view.config();
            this.boundNanos = c.appendLingerNanos() + c.maxFetchWaitNanos() + 2 * view.roundTripBoundNanos() + EPSILON_NANOS;
        }

        @Override
        public String name() {
            return RaftInvariants.COMMIT_LATENCY;
        }

        @Override
        public void check(CheckContext context) {
            backlog.update(context.now());
            RaftNode leader = LeaderInvariants.topLeader(view);
            if (leader == null || leader.leaderHighWatermark() < 0) {
                conditionSince = -1;
                return;
            }
            int id = LeaderInvariants.leaderId(leader);
            if (id != leaderId || leader.epoch() != leaderEpoch) {
                leaderId = id;
                leaderEpoch = leader.epoch();
                conditionSince = -1;
            }
            if (!leadsMajority(view, backlog, leader, id, true)) {
                conditionSince = -1;
                return;
            }
            long now = context.now();
            if (conditionSince < 0) {
                conditionSince = now;
            }
            long oldest = leader.oldestUncommittedAppendNanos();
            if (oldest < 0) {
                return;
            }
            long start = Math.max(oldest, conditionSince);
            if (now - start > boundNanos) {
                context.fail(name(), "a record accepted by leader " + view.nodeId(id) + " at " + Time.format(oldest)
                        + " is not committed after " + Time.format(now - start) + " (bound " + Time.format(boundNanos) + ")",
                        view.nodeId(id));
            }
        }
    }

    /**
     * KR-L4 (opt-in, Kafka's {@code StableLeadership}): a committed leader that stays up and can
     * reach a majority keeps its leadership (catches disruptive elections). The condition must hold
     * for the leader's whole tenure since it was first seen committed: a leader that was paused,
     * down or cut from a majority at any point of its epoch had a leader fault, and may lawfully be
     * deposed afterwards (for instance by the newer epoch's requests queued while it was paused;
     * fuzz finding kraft-KR-S4-seed-10 replayed with the fixed KR-S4). A link still holding
     * messages delayed by an ended delay fault does not count as reaching the voter behind it
     * ({@link DelayBacklog}; fuzz finding open-kraft-kr-l4-seed-752).
     */
    static final class StableLeadership implements Invariant {
        private final RaftView view;
        private final DelayBacklog backlog;
        /** Per voter (index into {@code view.voterIds()}): the epoch of the committed leadership tracked, or -1. */
        private final int[] trackedEpoch;
        private final boolean[] conditionHeld;

        StableLeadership(RaftView view, DelayBacklog backlog) {
            this.view = view;
            this.backlog = backlog;
            this.trackedEpoch = new int[view.voterIds().length];
            this.conditionHeld = new boolean[trackedEpoch.length];
            Arrays.fill(trackedEpoch, -1);
        }

        @Override
        public String name() {
            return RaftInvariants.STABLE_LEADERSHIP;
        }

        /*
         * Every committed leader is tracked from the moment it is first seen committed, not only the
         * newest one: a deposed leader of an older epoch that has not yet learnt of the new epoch (it
         * is isolated, say, and resigns only by check-quorum) must not hide the new leader's tenure,
         * or the new leader would be judged only from the older one's resignation on, after faults
         * that had already set its followers' fetch timers running (fuzz kraft seed 1560: the isolated
         * epoch-1 leader resigned at 21.70 s; the epoch-2 leader, committed since 20.71 s, had a
         * follower whose Fetch the drop fault lost at 21.24 s).
         */
        @Override
        public void check(CheckContext context) {
            backlog.update(context.now());
            int[] voters = view.voterIds();
            for (int i = 0; i < voters.length; i++) {
                RaftNode n = view.process(voters[i]);
                boolean leading = n != null && n.state() instanceof LeaderState;
                if (trackedEpoch[i] >= 0 && !(leading && n.epoch() == trackedEpoch[i])) {
                    if (n != null && conditionHeld[i]) {
                        context.fail(name(), view.nodeId(voters[i]) + " lost leadership of epoch " + trackedEpoch[i] + " (now "
                                + n.state() + ") although it could reach a majority", view.nodeId(voters[i]));
                        return;
                    }
                    trackedEpoch[i] = -1;
                }
                if (!leading) {
                    continue;
                }
                if (trackedEpoch[i] == n.epoch()) {
                    conditionHeld[i] = conditionHeld[i] && leadsMajority(view, backlog, n, voters[i], false);
                } else if (n.leaderHighWatermark() >= 0) {
                    trackedEpoch[i] = n.epoch();
                    conditionHeld[i] = leadsMajority(view, backlog, n, voters[i], false);
                }
            }
        }
    }
}
