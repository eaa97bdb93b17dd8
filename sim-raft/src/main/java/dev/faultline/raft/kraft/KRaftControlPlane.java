package dev.faultline.raft.kraft;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.BrokerAgent;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.ControlPlaneContext;
import dev.faultline.core.control.LivenessWatcher;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.control.PartitionStateView;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.check.RaftHistory;
import dev.faultline.raft.check.RaftInvariants;
import dev.faultline.raft.check.RaftView;
import dev.faultline.raft.quorum.CandidateState;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.LogEntry;
import dev.faultline.raft.quorum.ProspectiveState;
import dev.faultline.raft.quorum.QuorumConfig;
import dev.faultline.raft.quorum.RaftLog;
import dev.faultline.raft.quorum.RaftNode;
import dev.faultline.raft.quorum.RaftProbe;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The KRaft control plane (model-spec §C): dedicated controller voters {@code controller-1..n}
 * running {@link QuorumController} on the Raft quorum of {@code dev.faultline.raft.quorum}, and a
 * {@link KRaftBrokerAgent} in every broker (observer, registration, heartbeats, AlterPartition).
 *
 * <p>Settings come from the cluster configuration with Kafka's names and defaults:
 * {@code broker.session.timeout.ms} (9000), {@code broker.heartbeat.interval.ms} (2000),
 * {@code metadata.max.idle.interval.ms} (500), the {@code controller.quorum.*} timers of
 * {@link QuorumConfig}, and the planted bug {@code kraftController.isrIgnoresBrokerEpoch}
 * (KIP-903 reverted).
 *
 * <p>Checked here besides the Raft invariants (KR-S*) of the voters: KM-S1 (one claim per epoch, at
 * the Raft epoch, after the epoch start), KM-S3 (committed partition states well formed, epochs
 * monotone), KM-S5 (ISR additions only with the member's current broker epoch, unfenced), KM-S6
 * (a broker's registered epoch strictly increases) and KM-S7 (no fencing while a heartbeat reached
 * the controller within the session timeout of its activation or the heartbeat) and KM-L4 in its
 * ground-truth form (a fenced broker must have been down, paused or cut off from a running
 * controller within the last session timeout plus two heartbeat intervals).
 *
 * <p>Not modelled (yet): combined mode (brokers that vote), controlled shutdown, ELR, KIP-966,
 * snapshots, per-record controller CPU cost, KM-S2/KM-S4 and KM-L1..KM-L3.
 */
public final class KRaftControlPlane implements ControlPlane, RaftView {
    public static final String KM_S1 = "KM-S1";
    public static final String KM_S3 = "KM-S3";
    public static final String KM_S5 = "KM-S5";
    public static final String KM_S6 = "KM-S6";
    public static final String KM_S7 = "KM-S7";
    public static final String KM_L4 = "KM-L4";

    private final int voters;
    private final QuorumConfig quorumConfig;
    private final java.util.Set<String> disabledInvariants;
    private ControlPlaneContext context;
    private Simulation sim;
    private ClusterSpec cluster;
    private int[] voterIds;
    private NodeId[] peers;
    private RaftHistory history;
    private RaftProbe probe;
    private long sessionTimeoutNanos;
    private long heartbeatIntervalNanos;
    private long idleIntervalNanos;
    private boolean isrIgnoresBrokerEpoch;
    private MetadataImage authoritative;
    private long authoritativeApplied;
    private final Int2IntOpenHashMap claimedBy = new Int2IntOpenHashMap();
    private final List<String[]> violations = new ArrayList<>();
    private long[] lastRegisteredEpoch;
    private long[] lastUnhealthyNanos;

    /** Three dedicated voters with Kafka's quorum defaults. */
    public KRaftControlPlane() {
        this(3, QuorumConfig.defaults());
    }

    public KRaftControlPlane(int voters, QuorumConfig quorumConfig) {
        this(voters, quorumConfig, java.util.Set.of());
    }

    /** @param disabledInvariants KM-* ids not to check (to let a later consequence, e.g. DP-S1, show) */
    public KRaftControlPlane(int voters, QuorumConfig quorumConfig, java.util.Set<String> disabledInvariants) {
        this.voters = voters;
        this.quorumConfig = quorumConfig;
        this.disabledInvariants = java.util.Set.copyOf(disabledInvariants);
        claimedBy.defaultReturnValue(-1);
    }

    @Override
    public String mode() {
        return "kraft";
    }

    @Override
    public void install(ControlPlaneContext context) {
        this.context = context;
        this.sim = context.simulation();
        this.cluster = context.cluster();
        this.sessionTimeoutNanos = cluster.config().getMillisAsNanos("broker.session.timeout.ms");
        this.heartbeatIntervalNanos = cluster.config().getMillisAsNanos("broker.heartbeat.interval.ms");
        this.idleIntervalNanos = cluster.config().has("metadata.max.idle.interval.ms")
                ? cluster.config().getMillisAsNanos("metadata.max.idle.interval.ms") : 500 * Time.MILLISECOND;
        this.isrIgnoresBrokerEpoch = cluster.config().has("kraftController.isrIgnoresBrokerEpoch")
                && cluster.config().getBoolean("kraftController.isrIgnoresBrokerEpoch");
        this.authoritative = new MetadataImage(cluster.maxBrokerId(), cluster.partitionCount());
        this.lastRegisteredEpoch = new long[cluster.maxBrokerId() + 1];
        Arrays.fill(lastRegisteredEpoch, -1);
        voterIds = new int[voters];
        for (int i = 0; i < voters; i++) {
            NodeId id = sim.addNode("controller-" + (i + 1), ctx -> new ControllerNode(ctx, this));
            voterIds[i] = id.index();
        }
        List<NodeId> all = sim.nodes();
        peers = all.toArray(new NodeId[0]);
        history = new RaftHistory(this);
        probe = new Probe();
        for (Invariant inv : RaftInvariants.create(RaftInvariants.SAFETY, this, history)) {
            sim.addInvariant(inv);
        }
        lastUnhealthyNanos = new long[cluster.maxBrokerId() + 1];
        sim.addInvariant(new BrokerHealth());
        for (String id : List.of(KM_S1, KM_S3, KM_S5, KM_S6, KM_S7, KM_L4)) {
            if (!disabledInvariants.contains(id)) {
                sim.addInvariant(new Reported(id));
            }
        }
        LivenessWatcher liveness = new LivenessWatcher(sim);
        for (int id : voterIds) {
            liveness.watch(peers[id]);
        }
        ControllerFailureWatch watch = new ControllerFailureWatch();
        liveness.addListener(watch::changed);
        sim.addInvariant(liveness);
        sim.addInvariant(watch);
    }

    /**
     * Opens a controller failover when the active controller's node goes down (the cluster's own
     * failover watch only watches brokers): measured phases are detect (a voter became
     * Prospective/Candidate), elect (a voter became Raft leader), ready (it claimed) and propagate
     * (every live broker's observer learned the new leader).
     */
    private final class ControllerFailureWatch implements Invariant {
        private NodeId lastActive;

        void changed(NodeId node, LivenessWatcher.State from, LivenessWatcher.State to, long atNanos) {
            if (to != LivenessWatcher.State.DOWN || !node.equals(lastActive)) {
                return;
            }
            IntArrayList live = new IntArrayList();
            for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
                NodeId id = sim.node(ClusterSpec.brokerNodeName(b.id()));
                if (id != null && sim.isUp(id)) {
                    live.add(b.id());
                }
            }
            context.failover().controllerFailed(node, atNanos, live.toIntArray());
            lastActive = null;
        }

        @Override
        public String name() {
            return "kraft-controller-failover-watch";
        }

        @Override
        public void check(CheckContext ctx) {
            NodeId active = activeController();
            if (active != null) {
                lastActive = active;
            }
        }
    }

    @Override
    public BrokerAgent newBrokerAgent(int brokerId) {
        return new KRaftBrokerAgent(this, brokerId);
    }

    @Override
    public NodeId activeController() {
        NodeId best = null;
        int bestEpoch = -1;
        for (int id : voterIds) {
            ControllerNode c = sim.process(peers[id], ControllerNode.class);
            if (c != null && c.isActive() && c.claimEpoch() > bestEpoch) {
                best = peers[id];
                bestEpoch = c.claimEpoch();
            }
        }
        return best;
    }

    @Override
    public List<NodeId> controllerCandidates() {
        List<NodeId> out = new ArrayList<>();
        for (int id : voterIds) {
            out.add(peers[id]);
        }
        return out;
    }

    @Override
    public PartitionStateView partitionStates() {
        return p -> authoritative.partition(p);
    }

    // ------------------------------------------------------------------ RaftView (voters only)

    @Override
    public Simulation sim() {
        return sim;
    }

    @Override
    public QuorumConfig config() {
        return quorumConfig;
    }

    @Override
    public int[] voterIds() {
        return voterIds;
    }

    @Override
    public int[] raftIds() {
        return voterIds;
    }

    @Override
    public NodeId nodeId(int index) {
        return peers[index];
    }

    @Override
    public RaftNode process(int index) {
        ControllerNode c = sim.process(peers[index], ControllerNode.class);
        return c == null ? null : c.raft();
    }

    @Override
    public long roundTripBoundNanos() {
        return 2 * Time.MILLISECOND;
    }

    // ------------------------------------------------------------------ for the nodes

    ClusterSpec cluster() {
        return cluster;
    }

    QuorumConfig quorumConfig() {
        return quorumConfig;
    }

    NodeId[] peers() {
        return peers;
    }

    RaftProbe probe() {
        return probe;
    }

    long sessionTimeoutNanos() {
        return sessionTimeoutNanos;
    }

    long heartbeatIntervalNanos() {
        return heartbeatIntervalNanos;
    }

    long idleIntervalNanos() {
        return idleIntervalNanos;
    }

    boolean isrIgnoresBrokerEpoch() {
        return isrIgnoresBrokerEpoch;
    }

    boolean isVoter(int index) {
        for (int v : voterIds) {
            if (v == index) {
                return true;
            }
        }
        return false;
    }

    boolean isVoter(NodeId id) {
        return isVoter(id.index());
    }

    public RaftHistory raftHistory() {
        return history;
    }

    // ------------------------------------------------------------------ ground truth and checks

    /** KM-S1 at the claim; records the controller change. */
    void onClaim(NodeId node, int epoch, long appliedOffset, long epochStartOffset) {
        int previous = claimedBy.putIfAbsent(epoch, node.index());
        if (previous >= 0 && previous != node.index()) {
            violation(KM_S1, "epoch " + epoch + " claimed by " + peers[previous] + " and " + node);
        }
        RaftNode raft = process(node.index());
        if (raft == null || raft.epoch() != epoch || appliedOffset <= epochStartOffset) {
            violation(KM_S1, node + " claimed epoch " + epoch + " with Raft epoch " + (raft == null ? "?" : raft.epoch())
                    + ", applied " + appliedOffset + ", epoch start " + epochStartOffset);
        }
        context.history().controllerElected(sim.now(), node, epoch, "claimed Raft epoch " + epoch);
        context.failover().controllerReady(sim.now());
    }

    /** KM-S7: a fencing decision is only made for a broker silent for the whole session timeout. */
    void onFenceDecision(int brokerId, long lastHeartbeatLocalNanos, long nowLocalNanos) {
        if (nowLocalNanos - lastHeartbeatLocalNanos < sessionTimeoutNanos) {
            violation(KM_S7, "broker-" + brokerId + " fenced " + Time.format(nowLocalNanos - lastHeartbeatLocalNanos)
                    + " after its last heartbeat (session timeout " + Time.format(sessionTimeoutNanos) + ")");
        }
    }

    /** KM-S5, re-checked against the true image: added ISR members are unfenced and quote their current epoch. */
    void onIsrChangeAccepted(AlterPartitionRequest r, MetadataImage image) {
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

    void onBrokerApplied(int brokerId, long appliedOffset) {
    }

    void onBrokerLearnedLeader(int brokerId, int leader) {
        context.failover().brokerLearnedController(brokerId, sim.now());
    }

    private void violation(String id, String message) {
        if (disabledInvariants.contains(id)) {
            return;
        }
        violations.add(new String[] {id, message});
    }

    /** Newly committed records (first seen below any node's HW): apply to the authoritative image, record decisions, KM-S3/S6. */
    private void onCommitted(long highWatermark, RaftLog log) {
        for (long o = authoritativeApplied; o < highWatermark; o++) {
            LogEntry e = log.get(o);
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
            if (after != null) {
                checkWellFormed(before, after);
            }
            if (r instanceof MetadataRecord.PartitionChange) {
                MetadataRecord.PartitionChange c = (MetadataRecord.PartitionChange) r;
                if (before != null && before.leader() != after.leader()) {
                    context.history().leaderElected(sim.now(), after, c.unclean(), "PartitionChangeRecord at offset " + o);
                } else {
                    context.history().isrChanged(sim.now(), after, "PartitionChangeRecord at offset " + o);
                }
            } else if (r instanceof MetadataRecord.BrokerFencing && ((MetadataRecord.BrokerFencing) r).fenced()) {
                int b = ((MetadataRecord.BrokerFencing) r).brokerId();
                context.failover().brokerFailureDetected(b, sim.now());
                if (sim.now() - lastUnhealthyNanos[b] > sessionTimeoutNanos + 2 * heartbeatIntervalNanos) {
                    violation(KM_L4, "broker-" + b + " was fenced although it ran and reached every controller for the last "
                            + Time.format(sim.now() - lastUnhealthyNanos[b]));
                }
            }
        }
        authoritativeApplied = Math.max(authoritativeApplied, highWatermark);
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

    /** Feeds the Raft history and the control plane's ground truth; notes elections for failover phases. */
    private final class Probe implements RaftProbe {
        @Override
        public void onAppend(int nodeId, long offset, LogEntry entry) {
            history.onAppend(nodeId, offset, entry);
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

        @Override
        public void onTransition(int nodeId, EpochState from, EpochState to) {
            if (isVoter(nodeId)) {
                history.onTransition(nodeId, from, to);
                if (to instanceof ProspectiveState || to instanceof CandidateState) {
                    context.failover().controllerElectionStarted(sim.now());
                } else if (to instanceof LeaderState) {
                    context.failover().controllerElected(peers[nodeId], sim.now());
                }
            }
        }
    }

    /**
     * Ground truth for KM-L4 (no fencing of a broker that heartbeats normally, e.g. across a
     * controller failover): the last time each broker was down, paused, or without a clean link to
     * a running controller. O(brokers × voters) per event.
     */
    private final class BrokerHealth implements Invariant {
        @Override
        public String name() {
            return "kraft-broker-health";
        }

        @Override
        public void check(CheckContext ctx) {
            for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
                int b = spec.id();
                NodeId node = peers[brokerIndex(b)];
                boolean healthy = sim.isUp(node) && !sim.isPaused(node);
                for (int v = 0; healthy && v < voterIds.length; v++) {
                    NodeId c = peers[voterIds[v]];
                    if (sim.isUp(c) && !sim.isPaused(c)) {
                        healthy = !sim.network().isCut(node, c) && !sim.network().isCut(c, node)
                                && sim.network().linkFault(node, c).isNone() && sim.network().linkFault(c, node).isNone();
                    }
                }
                if (!healthy) {
                    lastUnhealthyNanos[b] = ctx.now();
                }
            }
        }
    }

    private int[] brokerIndexById;

    private int brokerIndex(int brokerId) {
        if (brokerIndexById == null) {
            brokerIndexById = new int[cluster.maxBrokerId() + 1];
            for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
                brokerIndexById[spec.id()] = sim.node(ClusterSpec.brokerNodeName(spec.id())).index();
            }
        }
        return brokerIndexById[brokerId];
    }

    /** Reports the KM violations recorded while the event ran. */
    private final class Reported implements Invariant {
        private final String id;

        Reported(String id) {
            this.id = id;
        }

        @Override
        public String name() {
            return id;
        }

        @Override
        public void check(CheckContext ctx) {
            for (int i = 0; i < violations.size(); i++) {
                if (violations.get(i)[0].equals(id)) {
                    String message = violations.remove(i)[1];
                    ctx.fail(id, message);
                    return;
                }
            }
        }
    }
}
