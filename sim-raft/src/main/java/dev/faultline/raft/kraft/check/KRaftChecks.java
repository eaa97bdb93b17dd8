package dev.faultline.raft.kraft.check;

import dev.faultline.core.check.Invariant;
import dev.faultline.core.check.ViolationReports;
import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.check.RaftHistory;
import dev.faultline.raft.check.RaftInvariants;
import dev.faultline.raft.kraft.MetadataImage;
import dev.faultline.raft.kraft.MetadataRecord;
import dev.faultline.raft.quorum.CandidateState;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.LogEntry;
import dev.faultline.raft.quorum.ProspectiveState;
import dev.faultline.raft.quorum.RaftLog;
import dev.faultline.raft.quorum.RaftNode;
import dev.faultline.raft.quorum.RaftProbe;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import java.util.Arrays;
import java.util.List;
import java.util.Set;

/**
 * The KRaft controller checks (KM-*, docs/invariants.md), apart from the control plane that runs
 * the controllers, as ZooKeeper mode's checks are apart from its control plane. This class is the
 * control plane's {@link RaftProbe}: it keeps the Raft history the KR-* invariants read and the
 * committed image (the ground truth, replayed from what is first committed below any node's high
 * watermark), notes elections, claims and fences for the run's history and failover phases, and
 * judges what the controllers and brokers report to it:
 * <ul>
 *   <li>KM-S1: one claim per epoch, at the Raft epoch, after the epoch start;</li>
 *   <li>KM-S2: every controller and broker process applies committed records only, once, in order,
 *       identical to the committed prefix (snapshots included);</li>
 *   <li>KM-S3: committed partition states well formed, epochs monotone;</li>
 *   <li>KM-S4 ({@link IneligibleLeaders}): a newly named partition leader is registered, unfenced
 *       and not in controlled shutdown in the image the leader generated the record from, or
 *       unfenced in the same batch;</li>
 *   <li>KM-S5: ISR additions only with the member's current broker epoch, unfenced;</li>
 *   <li>KM-S6: a broker's registered epoch strictly increases;</li>
 *   <li>KM-S7: no fencing while a heartbeat reached the controller within the session timeout of
 *       its activation or the heartbeat;</li>
 *   <li>KM-L4, in its ground-truth form: a fenced broker must have been down, paused or cut off
 *       from a running controller within the last session timeout plus two heartbeat intervals
 *       (judged only for a registration whose incarnation still runs);</li>
 *   <li>KM-L1, KM-L2, KM-L3 ({@link KRaftLivenessChecks}): a silent broker is fenced, a
 *       heartbeating broker is unfenced, a committed record reaches every following broker, each
 *       within its bound.</li>
 * </ul>
 * Safety checks decided inside an event are typed {@link dev.faultline.core.check.ViolationReport}s,
 * reported after the event by their invariant.
 */
public final class KRaftChecks implements RaftProbe {
    public static final String KM_S1 = "KM-S1";
    public static final String KM_S2 = "KM-S2";
    public static final String KM_S3 = "KM-S3";
    public static final String KM_S4 = "KM-S4";
    public static final String KM_S5 = "KM-S5";
    public static final String KM_S6 = "KM-S6";
    public static final String KM_S7 = "KM-S7";
    public static final String KM_L1 = "KM-L1";
    public static final String KM_L2 = "KM-L2";
    public static final String KM_L3 = "KM-L3";
    public static final String KM_L4 = "KM-L4";
    /** One event-loop slack for the KM-L* bounds (the ε of the bounds in docs/invariants.md). */
    public static final long KM_EPSILON_NANOS = 50 * Time.MILLISECOND;

    private final KRaftView view;
    private final Simulation sim;
    private final ClusterSpec cluster;
    private final Set<String> disabledInvariants;
    private final long sessionTimeoutNanos;
    private final long heartbeatIntervalNanos;
    private final RaftHistory history;
    private final MetadataImage authoritative;
    private long authoritativeApplied;
    /**
     * Changes whenever the authoritative image's broker registrations may have changed (every
     * committed record other than a partition's or a NoOp, and a loaded snapshot): per-event checks
     * about brokers recompute only then.
     */
    private long brokerRecordsApplied;
    private final Int2IntOpenHashMap claimedBy = new Int2IntOpenHashMap();
    private final ViolationReports violations;
    private final long[] lastRegisteredEpoch;
    /** KM-L4's ground truth: when each broker was last down, paused or cut off from a running controller. */
    final long[] lastUnhealthyNanos;
    /** KM-S2: the next offset each node's current process must apply, and that process. */
    private long[] nextApply;
    private Object[] applier;
    /** KM-S4 is checked (not disabled). */
    private final boolean checkKmS4;
    private final IneligibleLeaders ineligibleLeaders;
    private final KRaftLivenessChecks liveness;

    /**
     * The checks of a control plane being installed (its settings read, its nodes added).
     * {@code disabledInvariants}: KM-* and KR-* ids not to check.
     */
    public KRaftChecks(KRaftView view, Set<String> disabledInvariants) {
        this.view = view;
        this.sim = view.sim();
        this.cluster = view.cluster();
        this.disabledInvariants = Set.copyOf(disabledInvariants);
        this.sessionTimeoutNanos = view.sessionTimeoutNanos();
        this.heartbeatIntervalNanos = view.heartbeatIntervalNanos();
        this.violations = new ViolationReports(() -> sim.now());
        claimedBy.defaultReturnValue(-1);
        this.authoritative = new MetadataImage(cluster);
        this.lastRegisteredEpoch = new long[cluster.maxBrokerId() + 1];
        Arrays.fill(lastRegisteredEpoch, -1);
        this.checkKmS4 = !disabledInvariants.contains(KM_S4);
        this.history = new RaftHistory(view);
        this.lastUnhealthyNanos = new long[cluster.maxBrokerId() + 1];
        this.ineligibleLeaders = new IneligibleLeaders(this, view);
        this.liveness = new KRaftLivenessChecks(this, view);
    }

    /** The Raft history (KR-* invariants read it). */
    public RaftHistory history() {
        return history;
    }

    /** The committed image: every record first committed below some node's high watermark, applied in order. */
    public MetadataImage committedImage() {
        return authoritative;
    }

    /** The end of {@link #committedImage()}: the offset of the next record it applies. */
    long committedImageEnd() {
        return authoritativeApplied;
    }

    /**
     * A warm start: the committed image was loaded with the starting snapshot, which ends at
     * {@code end}; {@code brokerEpochs}: each broker's registration epoch in it.
     */
    public void warmStarted(long end, long[] brokerEpochs) {
        authoritativeApplied = end;
        brokerRecordsApplied++;
        commitBase = end;
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            lastRegisteredEpoch[b.id()] = brokerEpochs[b.id()];
        }
    }

    /** Adds the Raft safety invariants (KR-S*) of the voters and the KM-* invariants to the simulation. */
    public void register() {
        java.util.Set<String> raftSafety = new java.util.TreeSet<>(RaftInvariants.SAFETY);
        raftSafety.removeAll(disabledInvariants);
        for (Invariant inv : RaftInvariants.create(raftSafety, view, history)) {
            sim.addInvariant(inv);
        }
        sim.addInvariant(liveness.brokerHealth());
        if (!disabledInvariants.contains(KM_L1)) {
            sim.addInvariant(liveness.silentBrokerFenced());
        }
        if (!disabledInvariants.contains(KM_L2)) {
            sim.addInvariant(liveness.heartbeatingBrokerUnfenced());
        }
        if (!disabledInvariants.contains(KM_L3)) {
            sim.addInvariant(liveness.committedRecordApplied());
        }
        if (!disabledInvariants.contains(KM_S4)) {
            sim.addInvariant(Invariant.of(KM_S4, ineligibleLeaders::report));
        }
        for (String id : List.of(KM_S1, KM_S2, KM_S3, KM_S5, KM_S6, KM_S7, KM_L4)) {
            if (!disabledInvariants.contains(id)) {
                sim.addInvariant(reported(id));
            }
        }
    }

    /**
     * KM-S1 at the claim; records the controller change. {@code warmFirstHeartbeats}: for the warm
     * start's established controller claiming first, each broker's first heartbeat of the run (its
     * previous one came an interval before), else {@code null}.
     */
    public void onClaim(NodeId node, int epoch, long appliedOffset, long epochStartOffset, long[] warmFirstHeartbeats) {
        int previous = claimedBy.putIfAbsent(epoch, node.index());
        if (previous >= 0 && previous != node.index()) {
            violation(KM_S1, "epoch " + epoch + " claimed by " + view.nodeId(previous) + " and " + node);
        }
        RaftNode raft = view.process(node.index());
        if (raft == null || raft.epoch() != epoch || appliedOffset <= epochStartOffset) {
            violation(KM_S1, node + " claimed epoch " + epoch + " with Raft epoch " + (raft == null ? "?" : raft.epoch())
                    + ", applied " + appliedOffset + ", epoch start " + epochStartOffset);
        }
        view.context().history().controllerElected(sim.now(), node, epoch, "claimed Raft epoch " + epoch);
        view.context().failover().controllerReady(sim.now());
        // KM-S7's record: a new active controller gives every broker a fresh session (its own clock).
        long local = sim.localTime(node);
        long[] beats = sessionRenewed(node);
        boolean warmClaim = warmFirstHeartbeats != null;
        Arrays.fill(beats, warmClaim ? Long.MIN_VALUE / 4 : local);
        if (warmClaim) {
            // The established controller of a warm start heard each broker's previous heartbeat one
            // interval before that broker's first heartbeat of the run (the history the warm start stands for).
            for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
                beats[b.id()] = local + warmFirstHeartbeats[b.id()] - heartbeatIntervalNanos;
            }
        }
    }

    /**
     * KM-S7's own record, by controller node index: on that controller's clock, when each broker's
     * session was last started or renewed at it (its activation, the broker's registration or an
     * accepted heartbeat). Kept from the events themselves, not from the controller's bookkeeping.
     */
    private long[][] sessionRenewedLocal;

    private long[] sessionRenewed(NodeId controller) {
        if (sessionRenewedLocal == null) {
            sessionRenewedLocal = new long[view.nodeCount()][];
        }
        long[] beats = sessionRenewedLocal[controller.index()];
        if (beats == null) {
            beats = new long[cluster.maxBrokerId() + 1];
            Arrays.fill(beats, Long.MIN_VALUE / 4);
            sessionRenewedLocal[controller.index()] = beats;
        }
        return beats;
    }

    /** KM-S7: active controller {@code controller} accepted broker {@code brokerId}'s registration (a new session). */
    public void onSessionStarted(NodeId controller, int brokerId) {
        sessionRenewed(controller)[brokerId] = sim.localTime(controller);
    }

    /**
     * KM-S7: active controller {@code controller} decided to fence broker {@code brokerId} for an
     * expired session. Judged against this plane's record of that controller's session starts and
     * accepted heartbeats (on its own clock), not against the numbers the controller decided from.
     */
    public void onFenceDecision(NodeId controller, int brokerId) {
        long now = sim.localTime(controller);
        long last = sessionRenewed(controller)[brokerId];
        if (now - last < sessionTimeoutNanos) {
            violation(KM_S7, controller + " fenced broker-" + brokerId + " " + Time.format(now - last)
                    + " after its session was last renewed there (activation, registration or heartbeat; session timeout "
                    + Time.format(sessionTimeoutNanos) + ")");
        }
    }

    /** KM-S5, re-checked against the true image: added ISR members are unfenced and quote their current epoch. */
    public void onIsrChangeAccepted(AlterPartitionRequest r, MetadataImage image) {
        PartitionState s = image.partition(r.partition());
        for (int i = 0; i < r.newIsr().size(); i++) {
            int m = r.newIsr().getInt(i);
            if (s.inIsr(m)) {
                continue;
            }
            if (!image.isActive(m) || image.brokerEpoch(m) != r.newIsrBrokerEpochs().getLong(i)) {
                violation(KM_S5, "broker-" + m + " added to the ISR of " + cluster.partitionName(r.partition())
                        + " with broker epoch " + r.newIsrBrokerEpochs().getLong(i) + " while its registration has epoch "
                        + image.brokerEpoch(m) + (image.isActive(m) ? "" : " (fenced)"));
            }
        }
    }

    /**
     * Ground truth for KM-L1 (a heartbeat of broker {@code brokerId} reached an active controller now,
     * virtual time) and KM-S7 (it renewed the broker's session at {@code controller}).
     */
    public void onHeartbeatArrived(NodeId controller, int brokerId) {
        sessionRenewed(controller)[brokerId] = sim.localTime(controller);
        if (lastHeartbeatArrival == null) {
            lastHeartbeatArrival = new long[cluster.maxBrokerId() + 1];
        }
        lastHeartbeatArrival[brokerId] = sim.now();
    }

    /** When a heartbeat of each broker last reached an active controller (virtual time). */
    private long[] lastHeartbeatArrival;

    /** A broker's metadata loader published a change to its replica manager now (virtual time). */
    public void onBrokerApplied(int brokerId, long appliedOffset) {
        if (lastPublishNanos == null) {
            lastPublishNanos = new long[cluster.maxBrokerId() + 1];
            Arrays.fill(lastPublishNanos, -1);
        }
        lastPublishNanos[brokerId] = sim.now();
    }

    /** When each broker's metadata loader last published partition changes (virtual time; KM-L3). */
    private long[] lastPublishNanos;

    private void violation(String id, String message) {
        if (disabledInvariants.contains(id)) {
            return;
        }
        violations.report(id, message);
    }

    /** Newly committed records (first seen below any node's HW): apply to the authoritative image, record decisions, KM-S3/S6. */
    private void onCommitted(long highWatermark, RaftLog log) {
        ineligibleLeaders.beforeCommitted();
        for (long o = Math.max(authoritativeApplied, log.startOffset()); o < highWatermark; o++) {
            LogEntry e = log.get(o);
            ineligibleLeaders.committed(o, e);
            if (!(e.payload() instanceof MetadataRecord)) {
                continue;
            }
            MetadataRecord r = (MetadataRecord) e.payload();
            PartitionState before = r instanceof MetadataRecord.PartitionChange
                    ? authoritative.partition(((MetadataRecord.PartitionChange) r).state().partition()) : null;
            if (r instanceof MetadataRecord.RegisterBroker) {
                int b = ((MetadataRecord.RegisterBroker) r).brokerId();
                if (o <= lastRegisteredEpoch[b]) {
                    violation(KM_S6, "broker-" + b + " registered with epoch " + o + " after epoch " + lastRegisteredEpoch[b]);
                }
                lastRegisteredEpoch[b] = o;
            }
            PartitionState after = authoritative.apply(o, r);
            if (!(r instanceof MetadataRecord.PartitionChange) && !(r instanceof MetadataRecord.PartitionCreation)
                    && !(r instanceof MetadataRecord.NoOp)) {
                brokerRecordsApplied++;
            }
            if (after != null) {
                checkWellFormed(before, after);
            }
            if (r instanceof MetadataRecord.PartitionChange) {
                MetadataRecord.PartitionChange c = (MetadataRecord.PartitionChange) r;
                if (before != null && before.leader() != after.leader()) {
                    view.context().history().leaderElected(sim.now(), after, c.unclean(), "PartitionChangeRecord at offset " + o);
                } else {
                    view.context().history().isrChanged(sim.now(), after, "PartitionChangeRecord at offset " + o);
                }
            } else if (r instanceof MetadataRecord.BrokerFencing && ((MetadataRecord.BrokerFencing) r).fenced()) {
                int b = ((MetadataRecord.BrokerFencing) r).brokerId();
                view.context().failover().brokerFailureDetected(b, sim.now());
                // A broker in controlled shutdown is fenced on purpose when it may exit (SHUTDOWN_NOW).
                if (sim.now() - lastUnhealthyNanos[b] > sessionTimeoutNanos + 2 * heartbeatIntervalNanos
                        && fencedRegistrationIsLive(b) && !authoritative.inControlledShutdown(b)) {
                    violation(KM_L4, "broker-" + b + " was fenced although it ran and reached every controller for the last "
                            + Time.format(sim.now() - lastUnhealthyNanos[b]));
                }
            }
        }
        for (long o = commitBase + commitNanos.size(); o < highWatermark; o++) {
            commitNanos.add(sim.now());
        }
        authoritativeApplied = Math.max(authoritativeApplied, highWatermark);
        ineligibleLeaders.afterCommitted(authoritativeApplied);
    }

    /** KM-L3: when each offset of the metadata log was first committed (below some node's HW). */
    private final it.unimi.dsi.fastutil.longs.LongArrayList commitNanos = new it.unimi.dsi.fastutil.longs.LongArrayList();
    /** The offset of {@link #commitNanos}'s first entry (a warm start's snapshot end: what is below was committed before the run). */
    private long commitBase;

    /** When offset {@code offset} was first committed (KM-L3); offsets below the warm start's snapshot count as committed at 0. */
    long commitNanos(long offset) {
        return offset < commitBase ? 0 : commitNanos.getLong((int) (offset - commitBase));
    }

    /** The committed end known to the checks. */
    long commitEnd() {
        return commitBase + commitNanos.size();
    }

    /**
     * KM-L4 judges only the fencing of a registration whose process still runs: a registration
     * made by an incarnation that has since crashed and restarted (and is re-registering, or
     * waiting for a controller to do so) belongs to a dead process, and fencing it is required
     * (fuzz finding KM-L4-seed-146: a broker restarted during a controller-quorum outage longer
     * than the KM-L4 window, and the new active controller fenced the old registration when the
     * new incarnation registered).
     */
    private boolean fencedRegistrationIsLive(int brokerId) {
        KRaftView.BrokerProcess a = view.runningBroker(view.brokerIndex(brokerId));
        return a != null && a.incarnationId() == authoritative.incarnation(brokerId);
    }

    /** KM-S3: leader in ISR or none; ISR a non-empty subset of the replicas; epochs monotone. */
    private void checkWellFormed(PartitionState before, PartitionState s) {
        String name = cluster.partitionName(s.partition());
        if (s.isr().isEmpty()) {
            violation(KM_S3, name + " has an empty ISR: " + s);
        }
        for (int i = 0; i < s.isr().size(); i++) {
            if (!cluster.isReplica(s.partition(), s.isr().getInt(i))) {
                violation(KM_S3, name + " ISR holds a non-replica: " + s);
            }
        }
        if (s.hasLeader() && !s.inIsr(s.leader())) {
            violation(KM_S3, name + " leader is not in its ISR: " + s);
        }
        if (before != null && (s.leaderEpoch() < before.leaderEpoch() || s.partitionEpoch() <= before.partitionEpoch())) {
            violation(KM_S3, name + " epochs went from " + before + " to " + s);
        }
    }

    @Override
    public void onAppend(int nodeId, long offset, LogEntry entry) {
        history.onAppend(nodeId, offset, entry);
        if (checkKmS4 && entry.payload() instanceof MetadataRecord && view.isVoter(nodeId)) {
            ineligibleLeaders.onLeaderAppend(nodeId, offset, (MetadataRecord) entry.payload());
        }
    }

    @Override
    public void onTruncate(int nodeId, long newEndOffset, long highWatermark) {
        history.onTruncate(nodeId, newEndOffset, highWatermark);
    }

    @Override
    public void onHighWatermark(int nodeId, long highWatermark, RaftLog log) {
        history.onHighWatermark(nodeId, highWatermark, log);
        if (highWatermark > authoritativeApplied) {
            onCommitted(highWatermark, log);
        }
    }

    @Override
    public void onLeaderContact(int nodeId, int epoch, int leaderId) {
        history.onLeaderContact(nodeId, epoch, leaderId);
    }

    /**
     * KR-S10 (LeaderNeverLoadSnapshot, in the history) and KM-S2 for a snapshot: a process loads
     * only a snapshot of committed records identical to the committed prefix; its next record
     * in order is then the snapshot's end.
     */
    @Override
    public void onLoadSnapshot(int nodeId, dev.faultline.raft.quorum.RaftSnapshot snapshot, boolean writable) {
        history.onLoadSnapshot(nodeId, snapshot, writable);
        if (nextApply == null) {
            nextApply = new long[view.nodeCount()];
            applier = new Object[view.nodeCount()];
        }
        applier[nodeId] = sim.process(view.nodeId(nodeId), dev.faultline.core.kernel.Node.class);
        long end = snapshot.endOffset();
        long committed = end == 0 ? 0 : history.committedChain(end - 1);
        if (end > history.committedLength()) {
            violation(KM_S2, view.nodeId(nodeId).name() + " loaded " + snapshot + " beyond the committed prefix " + history.committedLength());
        } else if (end > 0 && committed != RaftHistory.UNKNOWN && committed != snapshot.chainHash()) {
            violation(KM_S2, view.nodeId(nodeId).name() + " loaded " + snapshot + " whose records differ from the committed ones");
        }
        nextApply[nodeId] = end;
    }

    /**
     * KM-S2: a controller or broker process applies committed records only, each once, in
     * offset order from 0 (a new process replays from 0), each identical to the committed
     * record at its offset.
     */
    @Override
    public void onApply(int nodeId, long offset, LogEntry entry) {
        if (nextApply == null) {
            nextApply = new long[view.nodeCount()];
            applier = new Object[view.nodeCount()];
        }
        Object process = sim.process(view.nodeId(nodeId), dev.faultline.core.kernel.Node.class);
        if (process != applier[nodeId]) {
            applier[nodeId] = process;
            nextApply[nodeId] = 0;
        }
        String who = view.nodeId(nodeId).name();
        if (offset != nextApply[nodeId]) {
            violation(KM_S2, who + " applied offset " + offset + " but its next record in order is " + nextApply[nodeId]);
        } else if (offset >= history.committedLength()) {
            violation(KM_S2, who + " applied offset " + offset + " which is not committed (committed prefix "
                    + history.committedLength() + ")");
        } else if (history.committedChain(offset) != RaftHistory.UNKNOWN && entry.chainHash() != history.committedChain(offset)) {
            violation(KM_S2, who + " applied a record at offset " + offset + " that differs from the committed one (epoch "
                    + entry.epoch() + " vs committed epoch " + history.committedEpoch(offset) + ")");
        }
        nextApply[nodeId] = offset + 1;
    }

    @Override
    public void onTransition(int nodeId, EpochState from, EpochState to) {
        if (view.isVoter(nodeId)) {
            history.onTransition(nodeId, from, to);
            if (to instanceof ProspectiveState || to instanceof CandidateState) {
                view.context().failover().controllerElectionStarted(sim.now());
            } else if (to instanceof LeaderState) {
                view.context().failover().controllerElected(view.nodeId(nodeId), sim.now());
            }
        }
    }

    /** See {@link #brokerRecordsApplied}: a count that moves when broker registrations may have changed. */
    long brokerRecordsApplied() {
        return brokerRecordsApplied;
    }

    /** When a heartbeat of broker {@code b} last reached an active controller (virtual time), or 0. */
    long lastHeartbeatArrival(int b) {
        return lastHeartbeatArrival == null ? 0 : lastHeartbeatArrival[b];
    }

    /** Whether broker {@code b}'s metadata loader published partition changes at {@code nanos} (virtual time). */
    boolean publishedAt(int b, long nanos) {
        return lastPublishNanos != null && lastPublishNanos[b] == nanos;
    }

    /** A KM-* check decided inside the controller and reported after the event. */
    private Invariant reported(String id) {
        return violations.invariant(id);
    }
}
