package dev.faultline.raft.kraft.check;

import static dev.faultline.raft.kraft.check.KRaftChecks.KM_EPSILON_NANOS;
import static dev.faultline.raft.kraft.check.KRaftChecks.KM_L1;
import static dev.faultline.raft.kraft.check.KRaftChecks.KM_L2;
import static dev.faultline.raft.kraft.check.KRaftChecks.KM_L3;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.DelayBacklog;
import dev.faultline.core.net.LinkHealth;
import dev.faultline.raft.kraft.MetadataImage;
import dev.faultline.raft.kraft.MetadataRecord;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.LogEntry;
import dev.faultline.raft.quorum.RaftNode;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The KRaft controller liveness checks (docs/invariants.md): KM-L1 (a silent broker is fenced),
 * KM-L2 (a heartbeating, replaying broker is unfenced), KM-L3 (a committed record reaches every
 * broker that follows the active controller), each within its bound while the controller quorum is
 * healthy, and the ground truth KM-L4 reads ({@link BrokerHealth}: when each broker was last unhealthy). They read the
 * committed image and the reports {@link KRaftChecks} keeps, and the true state of nodes and
 * links; never a controller's own bookkeeping.
 */
final class KRaftLivenessChecks {
    private final KRaftChecks checks;
    private final KRaftView view;
    private final Simulation sim;
    private final ClusterSpec cluster;
    private final MetadataImage authoritative;
    private final int[] voterIds;
    private final long sessionTimeoutNanos;
    private final long heartbeatIntervalNanos;

    KRaftLivenessChecks(KRaftChecks checks, KRaftView view) {
        this.checks = checks;
        this.view = view;
        this.sim = view.sim();
        this.cluster = view.cluster();
        this.authoritative = checks.committedImage();
        this.voterIds = view.voterIds();
        this.sessionTimeoutNanos = view.sessionTimeoutNanos();
        this.heartbeatIntervalNanos = view.heartbeatIntervalNanos();
    }

    Invariant brokerHealth() {
        return new BrokerHealth(checks, view, this);
    }

    Invariant silentBrokerFenced() {
        return new SilentBrokerFenced();
    }

    Invariant heartbeatingBrokerUnfenced() {
        return new HeartbeatingBrokerUnfenced();
    }

    Invariant committedRecordApplied() {
        return new CommittedRecordApplied();
    }

    /**
     * KM-L1: a registered, unfenced broker that can no longer heartbeat (its process down or
     * paused, or every message from it to the active controller cut) is fenced within
     * {@code broker.session.timeout.ms + ε + commit latency} (plus one period of the fencing check,
     * {@code broker.session.timeout.ms / 8}, in a Kafka 4.0 profile) (commit latency as KR-L3:
     * {@code append.linger + maxFetchWait + 2·RTT}) + the fence's own work, counted from the later of
     * the moment it went silent and the moment the controller quorum became healthy (one active
     * controller, up, not paused, cleanly connected to a healthy majority of voters; a new active
     * controller starts every session afresh). Restarting does not end the silence of the old
     * registration: its process is gone, and only a fence (or the new incarnation's registration
     * replacing it) does.
     *
     * <p>The fence's own work grows with the broker's partitions, in Kafka as here:
     * {@code ReplicationControlManager.handleBrokerFenced} writes a {@code PartitionChangeRecord}
     * for every partition whose ISR holds the broker and then the fencing
     * {@code BrokerRegistrationChangeRecord}; {@code QuorumController} generates and replays them
     * on its single event thread and hands them to Raft in batches of at most 8 MiB, and a follower
     * fetches at most 8 MiB at a time. So the bound adds, per silent broker, its records (one per
     * partition it hosts, an upper bound of its ISR memberships, plus the fence) times
     * {@code faultline.controller.record.cost.ns} (times the active controller's slow factor), and
     * one Fetch round ({@code 2·RTT} plus sending 8 MiB) per 8 MiB of those records. Brokers that
     * go silent together are fenced one at a time ({@code maybeFenceOneStaleBroker}), so each may
     * wait behind the others: the work of every silent broker counts. A fixed bound was wrong at
     * scale: fencing a broker in 500,000 ISRs costs the controller about a second of CPU before
     * its records can commit (1,000,000 partitions over 6 brokers).
     */
    private final class SilentBrokerFenced implements Invariant {
        private final ControllerHealth health = new ControllerHealth();
        private long[] silentSince;
        private long[] armedEpoch;
        /** The brokers whose registration is silent (in the cluster's order), and what that was computed from. */
        private int[] silent = new int[0];
        private long lifecycle = -1;
        private long brokerRecords = -1;
        private NodeId lastActive;

        @Override
        public String name() {
            return KM_L1;
        }

        @Override
        public void check(CheckContext ctx) {
            if (silentSince == null) {
                silentSince = new long[cluster.maxBrokerId() + 1];
                armedEpoch = new long[cluster.maxBrokerId() + 1];
                Arrays.fill(silentSince, -1);
            }
            long now = ctx.now();
            NodeId active = health.update(now);
            long healthySince = health.since();
            // Which registrations are silent changes only with a process starting, stopping, pausing or
            // resuming, a cut or link fault, another active controller, or a committed broker record:
            // re-read every broker only then (O(brokers)), else only the silent ones.
            if (sim.network().hasCutsOrLinkFaults() || sim.lifecycleVersion() != lifecycle || checks.brokerRecordsApplied() != brokerRecords
                    || !java.util.Objects.equals(active, lastActive)) {
                lifecycle = sim.network().hasCutsOrLinkFaults() ? -1 : sim.lifecycleVersion();
                brokerRecords = checks.brokerRecordsApplied();
                lastActive = active;
                IntArrayList list = new IntArrayList();
                for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
                    int b = spec.id();
                    if (!authoritative.isActive(b)) {
                        silentSince[b] = -1;
                        continue;
                    }
                    long registration = authoritative.brokerEpoch(b);
                    if (silentSince[b] >= 0 && armedEpoch[b] != registration) {
                        silentSince[b] = -1; // replaced by a new registration
                    }
                    if (!registrationSilent(b, active)) {
                        silentSince[b] = -1;
                        continue;
                    }
                    if (silentSince[b] < 0) {
                        silentSince[b] = now;
                        armedEpoch[b] = registration;
                    }
                    list.add(b);
                }
                silent = list.toIntArray();
            }
            long fenceWork = 0;
            for (int b : silent) {
                fenceWork += fenceWorkNanos(b, active);
            }
            // Kafka 4.0's periodic fencing check may run up to one period after the deadline.
            long bound = sessionTimeoutNanos + (view.periodicFencing() ? view.fenceCheckPeriodNanos() : 0) + view.config().appendLingerNanos()
                    + view.config().maxFetchWaitNanos()
                    + 2 * view.roundTripBoundNanos() + KM_EPSILON_NANOS + fenceWork;
            for (int b : silent) {
                // A heartbeat sent before the silence may arrive later (a delayed link): count from its arrival.
                long from = Math.max(silentSince[b], checks.lastHeartbeatArrival(b));
                if (healthySince >= 0 && now - Math.max(from, healthySince) > bound) {
                    ctx.fail(KM_L1, "broker-" + b + " (registration epoch " + armedEpoch[b] + ") silent since "
                            + Time.format(from) + " is not fenced " + Time.format(now - Math.max(from, healthySince))
                            + " later with a healthy controller quorum since " + Time.format(healthySince) + " (bound "
                            + Time.format(bound) + ", of which the controller's work to fence the silent brokers "
                            + Time.format(fenceWork) + ")");
                    return;
                }
            }
        }

        /** Per broker: the records fencing it writes at most, and the 8 MiB batches they fill (built once). */
        private int[] fenceRecords;
        private int[] fenceBatches;

        /** The active controller's work to fence broker {@code b} (see the class comment); 0 without an active controller. */
        private long fenceWorkNanos(int b, NodeId active) {
            if (active == null) {
                return 0;
            }
            if (fenceRecords == null) {
                fenceRecords = new int[cluster.maxBrokerId() + 1];
                fenceBatches = new int[cluster.maxBrokerId() + 1];
                for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
                    long bytes = 0;
                    for (int p : view.partitionsOf(spec.id())) {
                        bytes += MetadataRecord.PartitionChange.bytes(cluster.replicas(p).length, true);
                    }
                    fenceRecords[spec.id()] = view.partitionsOf(spec.id()).length + 1;
                    fenceBatches[spec.id()] = (int) ((bytes + LogEntry.MAX_BATCH_SIZE_BYTES - 1) / LogEntry.MAX_BATCH_SIZE_BYTES);
                }
            }
            double slow = Math.max(1.0, sim.slowFactor(active));
            long cpu = (long) Math.ceil(fenceRecords[b] * view.recordCostNanos() * slow);
            long fetchRound = 2 * view.roundTripBoundNanos() + sim.network().defaultConfig().transmissionNanos(LogEntry.MAX_BATCH_SIZE_BYTES);
            return cpu + fenceBatches[b] * fetchRound;
        }

        /** Whether the process that made broker {@code b}'s current registration cannot heartbeat to {@code active}. */
        private boolean registrationSilent(int b, NodeId active) {
            int index = view.brokerIndex(b);
            NodeId node = view.nodeId(index);
            KRaftView.BrokerProcess agent = view.runningBroker(index);
            if (agent == null || sim.isPaused(node) || agent.incarnationId() != authoritative.incarnation(b)) {
                return true;
            }
            return active != null && !active.equals(node)
                    && (sim.network().isCut(node, active) || sim.network().linkFault(node, active).dropProbability() >= 1.0);
        }
    }

    /**
     * KM-L2: a registered but fenced broker whose registering incarnation runs, is not paused and
     * has clean links both ways to the active controller, and whose Raft observer follows that
     * controller's node (so it heartbeats and replays), is unfenced
     * within {@code broker.heartbeat.interval.ms + replay lag + commit latency + ε}: replay lag is
     * one long-poll Fetch ({@code maxFetchWait + 2·RTT}), commit latency as KR-L3
     * ({@code append.linger + maxFetchWait + 2·RTT}), plus one heartbeat round trip; counted from
     * the later of the moment those conditions began plus {@code controller.quorum.request.timeout.ms}
     * (a Fetch lost to the fault that just ended is retried only after its timeout) and the moment
     * the controller quorum became healthy (as for KM-L1).
     */
    private final class HeartbeatingBrokerUnfenced implements Invariant {
        private final ControllerHealth health = new ControllerHealth();
        private long[] since;
        private long[] armedEpoch;

        @Override
        public String name() {
            return KM_L2;
        }

        @Override
        public void check(CheckContext ctx) {
            if (since == null) {
                since = new long[cluster.maxBrokerId() + 1];
                armedEpoch = new long[cluster.maxBrokerId() + 1];
                Arrays.fill(since, -1);
            }
            long now = ctx.now();
            NodeId active = health.update(now);
            long rtt = view.roundTripBoundNanos();
            long bound = heartbeatIntervalNanos + (view.config().maxFetchWaitNanos() + 2 * rtt)
                    + (view.config().appendLingerNanos() + view.config().maxFetchWaitNanos() + 2 * rtt) + rtt + KM_EPSILON_NANOS;
            for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
                int b = spec.id();
                if (!authoritative.isRegistered(b) || authoritative.isActive(b) || active == null || !heartbeating(b, active)
                        || (since[b] >= 0 && armedEpoch[b] != authoritative.brokerEpoch(b))) {
                    since[b] = -1;
                    continue;
                }
                if (since[b] < 0) {
                    since[b] = now;
                    armedEpoch[b] = authoritative.brokerEpoch(b);
                }
                // A Fetch lost just before the condition began is only retried after its timeout.
                long start = Math.max(since[b] + view.config().requestTimeoutNanos(), health.since());
                if (now - start > bound) {
                    ctx.fail(KM_L2, "broker-" + b + " (registration epoch " + authoritative.brokerEpoch(b) + ") heartbeats to "
                            + active + " but is still fenced " + Time.format(now - start) + " later (bound " + Time.format(bound) + ")");
                    return;
                }
            }
        }

        private boolean heartbeating(int b, NodeId active) {
            int index = view.brokerIndex(b);
            NodeId node = view.nodeId(index);
            KRaftView.BrokerProcess agent = view.runningBroker(index);
            if (agent == null || sim.isPaused(node) || agent.incarnationId() != authoritative.incarnation(b)) {
                return false;
            }
            if (agent.loaderBacklog() > 0) {
                return false; // its metadata loader is still replaying a backlog (it replays, but not yet up to now)
            }
            if (active.equals(node)) {
                return true;
            }
            // It replays: its Raft observer follows the active controller's node (not, say, a deposed
            // leader behind a slow link that it has not yet learnt about).
            return replaysFrom(agent, node, active);
        }
    }

    /**
     * KM-L3: a committed record is delivered to the metadata loader of every broker that runs, is
     * not paused, follows the active controller (the Raft leader) with its observer and has clean
     * links both ways to it, within one Fetch round ({@code maxFetchWait + 2·RTT}, plus the time to
     * send one full Fetch response of 8 MiB at the link's bandwidth, plus ε) of the latest of: its
     * commit, the broker's last progress (a broker far behind catches up one Fetch of at most 8 MiB
     * at a time, so the check is that it never stalls), the moment the broker's
     * CPU was last busy applying a metadata change its loader published (the replica manager's
     * per-partition work keeps the process busy; a broker saturated by other work is not excused),
     * and the start of that condition plus {@code controller.quorum.request.timeout.ms}
     * (a Fetch lost to the fault that just ended is retried only after its timeout; a restarted
     * broker replays its whole log from that start). The loader's replay (a per-record CPU cost on
     * its own thread) is not part of this bound.
     */
    private final class CommittedRecordApplied implements Invariant {
        private long[] since;
        private long[] lastDelivered;
        private long[] lastProgress;
        private long[] lastBusy;
        /**
         * By position in {@code cluster.brokers()}: the brokers that may fire (the condition holds and
         * they are behind the commit end), re-read after every event. Every other broker is re-read
         * only when the event ran on its node (a process's state changes only in its own events) or
         * when something that every broker's condition reads changed: a process started, stopped,
         * paused or resumed, a cut or link fault is (or was until now) in force, a link is held by
         * a delay backlog, the active controller changed, or records committed. A watched broker
         * whose node did not run can only reach its deadline: the watched brokers are re-read only
         * once the earliest deadline has passed. Same verdicts, at the same events, as reading
         * every broker after every event, at O(1) per event while nothing changes.
         */
        private boolean[] watched;
        private int watchedCount;
        /** By position: when a watched broker fires if nothing changes ({@code start + bound}), and the earliest of them. */
        private long[] deadline;
        private long earliestDeadline = Long.MAX_VALUE;
        private long lifecycle = -1;
        private NodeId lastActive;
        private long lastCommitEnd = -1;
        private boolean lastUnclean = true;
        private int[] positionOfNode;

        @Override
        public String name() {
            return KM_L3;
        }

        @Override
        public void check(CheckContext ctx) {
            List<ClusterSpec.BrokerSpec> brokers = cluster.brokers();
            if (since == null) {
                since = new long[cluster.maxBrokerId() + 1];
                lastDelivered = new long[cluster.maxBrokerId() + 1];
                lastProgress = new long[cluster.maxBrokerId() + 1];
                lastBusy = new long[cluster.maxBrokerId() + 1];
                Arrays.fill(since, -1);
                Arrays.fill(lastDelivered, -1);
                watched = new boolean[brokers.size()];
                deadline = new long[brokers.size()];
                positionOfNode = new int[view.nodeCount()];
                Arrays.fill(positionOfNode, -1);
                for (int i = 0; i < brokers.size(); i++) {
                    positionOfNode[view.brokerIndex(brokers.get(i).id())] = i;
                }
            }
            long now = ctx.now();
            NodeId active = view.activeController();
            long bound = view.config().maxFetchWaitNanos() + 2 * view.roundTripBoundNanos() + KM_EPSILON_NANOS
                    + sim.network().defaultConfig().transmissionNanos(LogEntry.MAX_BATCH_SIZE_BYTES);
            boolean unclean = sim.network().hasCutsOrLinkFaults() || backlog().heldAnywhere(now);
            NodeId eventNode = sim.lastEventNode();
            boolean all = eventNode == null || unclean || lastUnclean || sim.lifecycleVersion() != lifecycle
                    || !java.util.Objects.equals(active, lastActive) || checks.commitEnd() != lastCommitEnd;
            lifecycle = sim.lifecycleVersion();
            lastActive = active;
            lastCommitEnd = checks.commitEnd();
            lastUnclean = unclean;
            int eventPosition = eventNode == null || eventNode.index() >= positionOfNode.length ? -1 : positionOfNode[eventNode.index()];
            if (!all && (watchedCount == 0 || now <= earliestDeadline)) {
                // No watched broker can have reached its deadline: only the event's broker may have changed.
                if (eventPosition >= 0) {
                    judge(ctx, eventPosition, brokers.get(eventPosition).id(), now, active, bound);
                    earliestDeadline();
                }
                return;
            }
            for (int i = 0; i < brokers.size(); i++) {
                if ((all || watched[i] || i == eventPosition) && !judge(ctx, i, brokers.get(i).id(), now, active, bound)) {
                    return;
                }
            }
            earliestDeadline();
        }

        /** The earliest deadline of a watched broker (a watched broker's state changes only in its own events). */
        private void earliestDeadline() {
            long earliest = Long.MAX_VALUE;
            if (watchedCount > 0) {
                for (int i = 0; i < watched.length; i++) {
                    if (watched[i]) {
                        earliest = Math.min(earliest, deadline[i]);
                    }
                }
            }
            earliestDeadline = earliest;
        }

        /** Re-reads broker {@code b} (at {@code position}); false when it fired. */
        private boolean judge(CheckContext ctx, int position, int b, long now, NodeId active, long bound) {
            boolean watch = false;
            try {
                int index = view.brokerIndex(b);
                NodeId node = view.nodeId(index);
                KRaftView.BrokerProcess agent = view.runningBroker(index);
                if (active == null || agent == null || sim.isPaused(node) || sim.isPaused(active) || !follows(agent, node, active)) {
                    since[b] = -1;
                    return true;
                }
                if (since[b] < 0) {
                    since[b] = now;
                }
                long next = agent.raft().appliedOffset();
                if (next != lastDelivered[b]) {
                    lastDelivered[b] = next;
                    lastProgress[b] = now;
                }
                if (checks.publishedAt(b, now)) {
                    // It just handed a metadata change to its replica manager: that work is excused.
                    lastBusy[b] = Math.max(lastBusy[b], sim.busyUntil(node));
                }
                if (next >= checks.commitEnd()) {
                    return true;
                }
                watch = true;
                // A Fetch lost just before the condition began is only retried after its timeout.
                long start = Math.max(Math.max(checks.commitNanos(next), since[b] + view.config().requestTimeoutNanos()),
                        Math.max(lastProgress[b], lastBusy[b]));
                deadline[position] = start + bound;
                if (now - start > bound) {
                    ctx.fail(KM_L3, "broker-" + b + " has not applied the record at offset " + next + " committed at "
                            + Time.format(checks.commitNanos(next)) + ", " + Time.format(now - start)
                            + " after it could (bound " + Time.format(bound) + ")");
                    return false;
                }
                return true;
            } finally {
                if (watched[position] != watch) {
                    watched[position] = watch;
                    watchedCount += watch ? 1 : -1;
                }
            }
        }

        private boolean follows(KRaftView.BrokerProcess agent, NodeId node, NodeId active) {
            return node.equals(active) || replaysFrom(agent, node, active);
        }
    }

    /**
     * KM-L2/KM-L3 "replays": the broker's Raft observer follows the active controller's node, its
     * Fetch in flight (if any) went there (not to another voter it asked after a request timeout,
     * which may be paused), and the links between them are clean both ways: no fault, and no
     * backlog of messages delayed by an ended delay fault ({@link #backlog()}; a Fetch sent after
     * the fault ended arrives only behind them, fuzz finding KM-L3-seed-151).
     */
    private boolean replaysFrom(KRaftView.BrokerProcess agent, NodeId node, NodeId active) {
        RaftNode raft = agent.raft();
        EpochState s = raft.state();
        int inFlight = raft.fetchInFlightTarget();
        return s instanceof dev.faultline.raft.quorum.FollowerState
                && ((dev.faultline.raft.quorum.FollowerState) s).leaderId() == active.index()
                && (inFlight < 0 || inFlight == active.index())
                // O(1) answers while no link has a fault and none is held (the common case, per broker per event).
                && (!sim.network().hasCutsOrLinkFaults() || LinkHealth.clean(sim.network(), node, active))
                && (!backlog().heldAnywhere(sim.now()) || backlog().drained(node, active, sim.now()));
    }

    private DelayBacklog backlog;
    private long backlogEvent = -1;

    /**
     * Which links between the Raft nodes (voters and brokers' observers) still hold messages
     * delayed by an ended delay fault, read from the true link state once per event (the KM-L*
     * conditions "clean link" and "healthy quorum" exclude them: fuzz findings KM-L1-seed-326, a
     * controller whose Fetches waited behind a 13 s backlog, and KM-L3-seed-151, a broker whose
     * Fetch sent 0.7 s after a 9.78 s delay fault ended waited behind the delayed ones).
     */
    DelayBacklog backlog() {
        if (backlog == null) {
            // Only links with a voter at one end: a broker's Raft observer never talks to another broker
            // (O(voters x nodes) per event instead of O(nodes²)).
            java.util.TreeSet<Integer> brokers = new java.util.TreeSet<>();
            for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
                brokers.add(view.brokerIndex(spec.id()));
            }
            for (int v : voterIds) {
                brokers.remove(v); // combined mode: a voter-broker is a hub
            }
            backlog = DelayBacklog.hubsAndSpokes(sim, view.nodeIds(voterIds),
                    view.nodeIds(brokers.stream().mapToInt(Integer::intValue).toArray()), view::roundTripBoundNanos);
        }
        long event = sim.eventIndex();
        if (event != backlogEvent) {
            backlogEvent = event;
            backlog.update(sim.now());
        }
        return backlog;
    }

    /**
     * Tracks since when the same active controller (same node, same claim epoch) has been up, not
     * paused and cleanly connected to a healthy majority of voters (the KM-L* "quorum healthy").
     */
    private final class ControllerHealth {
        private NodeId active;
        private int epoch = -1;
        private long since = -1;

        /** Updates the state at {@code now}; returns the healthy active controller or {@code null}. */
        NodeId update(long now) {
            NodeId a = healthyActiveController();
            if (a == null) {
                active = null;
                since = -1;
                return null;
            }
            int e = view.claimEpoch(a.index());
            if (!a.equals(active) || e != epoch) {
                active = a;
                epoch = e;
                since = now;
            }
            return a;
        }

        long since() {
            return since;
        }
    }

    /**
     * The active controller, when it is up, not paused, and cleanly connected to a healthy majority
     * of voters: links without faults and without a backlog left by an ended delay fault (the links
     * are FIFO, so a Fetch sent after the fault ended waits behind every delayed message; fuzz
     * finding KM-L1-seed-326, see {@link #backlog()}).
     */
    private NodeId healthyActiveController() {
        NodeId active = view.activeController();
        if (active == null || sim.isPaused(active)) {
            return null;
        }
        int count = 0;
        for (int v : voterIds) {
            NodeId n = view.nodeId(v);
            if (n.equals(active)) {
                count++;
            } else if (sim.isUp(n) && !sim.isPaused(n) && LinkHealth.clean(sim.network(), n, active)
                    && backlog().drained(n, active, sim.now())) {
                count++;
            }
        }
        return count >= voterIds.length / 2 + 1 ? active : null;
    }
}
