package dev.faultline.raft.kraft;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.check.ViolationReports;
import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.BrokerAgent;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.ControlPlaneContext;
import dev.faultline.core.control.LivenessWatcher;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.control.PartitionStateView;
import dev.faultline.core.kafka.KafkaBroker;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Observer;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.DelayBacklog;
import dev.faultline.core.net.LinkHealth;
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
import dev.faultline.raft.quorum.RaftSnapshot;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The KRaft control plane (docs/model.md#kraft): dedicated controller voters
 * {@code controller-1..n} running {@link QuorumController} on the Raft quorum of
 * {@code dev.faultline.raft.quorum}, and a {@link KRaftBrokerAgent} in every broker (observer,
 * registration, heartbeats, AlterPartition).
 *
 * <p>Combined mode ({@link #combined(int, QuorumConfig)}, {@code process.roles=broker,controller}):
 * no controller nodes are added; the first {@code voters} brokers of the cluster description are the
 * voters, and their agents host the Raft voter and the quorum controller inside the broker process
 * (one log, one CPU, one fate: crashing such a broker takes its data-plane replicas and, when it is
 * the active controller, the controller down at once). The other brokers are observers as in
 * dedicated mode. {@link #activeController()}, {@link #controllerCandidates()} and
 * {@link #voterIds()} then name broker nodes. Simplification: a combined node's controller and
 * broker share the one Raft client and metadata log (as in Kafka), and its broker half sends its own
 * registration and heartbeats over the network to itself when it is the active controller (Kafka
 * goes through the same RPC path over loopback).
 *
 * <p>Settings come from the cluster configuration with Kafka's names and defaults:
 * {@code broker.session.timeout.ms} (9000), {@code broker.heartbeat.interval.ms} (2000),
 * {@code metadata.max.idle.interval.ms} (500), the {@code controller.quorum.*} timers of
 * {@link QuorumConfig}, and the planted bugs {@code kraftController.isrIgnoresBrokerEpoch}
 * (KIP-903 reverted) and the test switches (no historical fix) {@code kraftController.electFencedLeader}
 * (KM-S4: offline-partition elections accept a registered but fenced replica),
 * {@code kraftController.heartbeatsDoNotRenewSessions} (KM-S7), {@code kraftController.claimBeforeEpochStart}
 * (KM-S1) and {@code kraftController.fenceEmptiesIsr} (KM-S3).
 *
 * <p>Checked here besides the Raft invariants (KR-S*) of the voters: KM-S2 (every controller and
 * broker process applies committed records only, once, in order, identical to the committed
 * prefix), KM-L3 (a broker following the active controller applies a committed record within
 * {@code maxFetchWait + 2·RTT + ε}), KM-S1 (one claim per epoch, at
 * the Raft epoch, after the epoch start), KM-S3 (committed partition states well formed, epochs
 * monotone), KM-S4 (a newly named partition leader is registered, unfenced and not in controlled shutdown in the image the
 * leader generated the record from, or unfenced in the same batch), KM-S5 (ISR additions only with the member's current broker epoch, unfenced), KM-S6
 * (a broker's registered epoch strictly increases) and KM-S7 (no fencing while a heartbeat reached
 * the controller within the session timeout of its activation or the heartbeat) and KM-L4 in its
 * ground-truth form (a fenced broker must have been down, paused or cut off from a running
 * controller within the last session timeout plus two heartbeat intervals, judged only for a
 * registration whose incarnation still runs), and KM-L1 (a registered broker that can no longer
 * heartbeat is fenced within the session timeout plus commit latency of a healthy quorum) and KM-L2 (a
 * fenced broker that heartbeats and replays is unfenced within a heartbeat interval plus replay and
 * commit latency).
 *
 * <p>Controller work is charged to the CPU model: {@code faultline.controller.record.cost.ns} (default
 * {@value #DEFAULT_RECORD_COST_NANOS}) per record generated by the active controller and per record
 * replayed by every controller.
 *
 * <p>Snapshots (KIP-630): each controller and broker process writes its own
 * ({@link SnapshotGenerator}: {@code metadata.log.max.record.bytes.between.snapshots},
 * {@code metadata.log.max.snapshot.interval.ms}); the Raft layer cleans its log to a snapshot
 * ({@code metadata.max.retention.bytes}, {@code metadata.max.retention.ms}), loads the latest
 * snapshot into a restarted process, and sends a replica behind its log start the snapshot with
 * FetchSnapshot; KR-S10 checks them. Snapshots of the same records are one shared object
 * ({@link #snapshot}).
 *
 * <p>Not modelled (yet): ELR, KIP-966.
 */
public final class KRaftControlPlane implements ControlPlane, RaftView {
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
    /**
     * Controller CPU per metadata record generated or replayed (a model constant, overridable with
     * {@code faultline.controller.record.cost.ns}); brokers pay their own per-partition apply cost.
     */
    public static final long DEFAULT_RECORD_COST_NANOS = 2_000;
    /** {@code metadata.log.max.record.bytes.between.snapshots} (20 MiB). */
    public static final long DEFAULT_SNAPSHOT_MAX_BYTES = 20L * 1024 * 1024;
    /** {@code metadata.log.max.snapshot.interval.ms} (1 h). */
    public static final long DEFAULT_SNAPSHOT_INTERVAL_NANOS = 3_600_000L * Time.MILLISECOND;
    /** {@code metadata.max.retention.bytes} (100 MiB). */
    public static final long DEFAULT_RETENTION_BYTES = 100L * 1024 * 1024;
    /** {@code metadata.max.retention.ms} (7 days). */
    public static final long DEFAULT_RETENTION_NANOS = 7L * 24 * 3600 * 1000 * Time.MILLISECOND;

    private final int voters;
    private final boolean combined;
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
    private long recordCostNanos;
    private long snapshotMaxBytes;
    private long snapshotIntervalNanos;
    private long retentionBytes;
    private long retentionNanos;
    private boolean isrIgnoresBrokerEpoch;
    private boolean electFencedLeader;
    private boolean heartbeatsDoNotRenewSessions;
    private boolean claimBeforeEpochStart;
    private boolean fenceEmptiesIsr;
    /** Kafka 4.0's periodic fencing check (KAFKA-17793) instead of 3.9's event at the session deadline. */
    private boolean periodicFencing;
    private MetadataImage authoritative;
    private long authoritativeApplied;
    /**
     * Changes whenever the authoritative image's broker registrations may have changed (every
     * committed record other than a partition's or a NoOp, and a loaded snapshot): per-event checks
     * about brokers recompute only then.
     */
    private long brokerRecordsApplied;
    private final Int2IntOpenHashMap claimedBy = new Int2IntOpenHashMap();
    private final ViolationReports violations = new ViolationReports(() -> this.sim.now());
    private long[] lastRegisteredEpoch;
    private long[] lastUnhealthyNanos;
    /** KM-S2: the next offset each node's current process must apply, and that process. */
    private long[] nextApply;
    private Object[] applier;
    /** Combined mode: the current agent of each broker node, by node index (a voter's Raft node lives there). */
    private KRaftBrokerAgent[] agents;

    /** Three dedicated voters with Kafka's quorum defaults. */
    public KRaftControlPlane() {
        this(3, QuorumConfig.defaults());
    }

    public KRaftControlPlane(int voters, QuorumConfig quorumConfig) {
        this(voters, quorumConfig, java.util.Set.of());
    }

    /** @param disabledInvariants KM-* ids not to check (to let a later consequence, e.g. DP-S1, show) */
    public KRaftControlPlane(int voters, QuorumConfig quorumConfig, java.util.Set<String> disabledInvariants) {
        this(voters, false, quorumConfig, disabledInvariants);
    }

    private KRaftControlPlane(int voters, boolean combined, QuorumConfig quorumConfig, java.util.Set<String> disabledInvariants) {
        if (voters < 1) {
            throw new IllegalArgumentException("a KRaft quorum needs at least one voter, got " + voters);
        }
        this.voters = voters;
        this.combined = combined;
        this.quorumConfig = quorumConfig;
        this.disabledInvariants = java.util.Set.copyOf(disabledInvariants);
        claimedBy.defaultReturnValue(-1);
    }

    /**
     * Combined mode: the first {@code voters} brokers of the cluster description (in its order) also
     * run a Raft voter and a quorum controller; no dedicated controller nodes. {@link #install} fails
     * when the cluster has fewer brokers than {@code voters}.
     */
    public static KRaftControlPlane combined(int voters, QuorumConfig quorumConfig) {
        return combined(voters, quorumConfig, java.util.Set.of());
    }

    /** Combined mode with some KM-* invariants switched off (see the three-argument constructor). */
    public static KRaftControlPlane combined(int voters, QuorumConfig quorumConfig, java.util.Set<String> disabledInvariants) {
        return new KRaftControlPlane(voters, true, quorumConfig, disabledInvariants);
    }

    /**
     * How the active controller finds a broker whose session expired. Off (Kafka 3.9): one event at
     * the oldest unfenced broker's exact deadline ({@code QuorumController.rescheduleMaybeFenceStaleBrokers}),
     * re-armed after every heartbeat. On (Kafka 4.0, KAFKA-17793): a periodic task every
     * {@code max(1 ms, broker.session.timeout.ms / 8)} (1125 ms by default) from the controller's
     * activation, which fences a broker whose last contact is more than the session timeout ago, so
     * up to one period after the deadline. Set before the run starts.
     */
    public KRaftControlPlane periodicFencing(boolean on) {
        this.periodicFencing = on;
        return this;
    }

    boolean periodicFencing() {
        return periodicFencing;
    }

    /** {@code QuorumController.maybeFenceStaleBrokerPeriodNs} (Kafka 4.0). */
    long fenceCheckPeriodNanos() {
        return Math.max(Time.MILLISECOND, sessionTimeoutNanos / 8);
    }

    /** Whether brokers also vote (combined mode). */
    public boolean isCombined() {
        return combined;
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
        this.recordCostNanos = cluster.config().has("faultline.controller.record.cost.ns")
                ? cluster.config().getLong("faultline.controller.record.cost.ns") : DEFAULT_RECORD_COST_NANOS;
        this.snapshotMaxBytes = cluster.config().has("metadata.log.max.record.bytes.between.snapshots")
                ? cluster.config().getLong("metadata.log.max.record.bytes.between.snapshots") : DEFAULT_SNAPSHOT_MAX_BYTES;
        this.snapshotIntervalNanos = cluster.config().has("metadata.log.max.snapshot.interval.ms")
                ? cluster.config().getMillisAsNanos("metadata.log.max.snapshot.interval.ms") : DEFAULT_SNAPSHOT_INTERVAL_NANOS;
        this.retentionBytes = cluster.config().has("metadata.max.retention.bytes")
                ? cluster.config().getLong("metadata.max.retention.bytes") : DEFAULT_RETENTION_BYTES;
        this.retentionNanos = cluster.config().has("metadata.max.retention.ms")
                ? cluster.config().getLong("metadata.max.retention.ms") * Time.MILLISECOND : DEFAULT_RETENTION_NANOS;
        this.isrIgnoresBrokerEpoch = cluster.config().has("kraftController.isrIgnoresBrokerEpoch")
                && cluster.config().getBoolean("kraftController.isrIgnoresBrokerEpoch");
        this.electFencedLeader = cluster.config().has("kraftController.electFencedLeader")
                && cluster.config().getBoolean("kraftController.electFencedLeader");
        this.heartbeatsDoNotRenewSessions = switchOn("kraftController.heartbeatsDoNotRenewSessions");
        this.claimBeforeEpochStart = switchOn("kraftController.claimBeforeEpochStart");
        this.fenceEmptiesIsr = switchOn("kraftController.fenceEmptiesIsr");
        this.authoritative = new MetadataImage(cluster);
        this.partitionsByBroker = partitionsByBroker(cluster);
        int initial = 0;
        for (int t = 0; t < cluster.topics().size(); t++) {
            if (!cluster.createdAtRuntime(cluster.topics().get(t).name())) {
                initial += cluster.topics().get(t).partitions();
            }
        }
        this.initialPartitionCount = initial;
        this.lastRegisteredEpoch = new long[cluster.maxBrokerId() + 1];
        Arrays.fill(lastRegisteredEpoch, -1);
        voterIds = new int[voters];
        if (combined) {
            List<ClusterSpec.BrokerSpec> brokers = cluster.brokers();
            if (brokers.size() < voters) {
                throw new IllegalArgumentException("combined mode with " + voters + " voters needs at least that many brokers, got "
                        + brokers.size());
            }
            for (int i = 0; i < voters; i++) {
                NodeId id = sim.node(ClusterSpec.brokerNodeName(brokers.get(i).id()));
                if (id == null) {
                    throw new IllegalStateException("combined mode: broker node " + ClusterSpec.brokerNodeName(brokers.get(i).id())
                            + " not added before install");
                }
                voterIds[i] = id.index();
            }
        } else {
            for (int i = 0; i < voters; i++) {
                NodeId id = sim.addNode("controller-" + (i + 1), ctx -> new ControllerNode(ctx, this));
                voterIds[i] = id.index();
            }
        }
        List<NodeId> all = sim.nodes();
        peers = all.toArray(new NodeId[0]);
        voterByIndex = new boolean[peers.length];
        for (int v : voterIds) {
            voterByIndex[v] = true;
        }
        checkKmS4 = !disabledInvariants.contains(KM_S4);
        agents = new KRaftBrokerAgent[peers.length];
        history = new RaftHistory(this);
        probe = new Probe();
        if (cluster.warmStart()) {
            warm = buildWarmStart();
        }
        java.util.Set<String> raftSafety = new java.util.TreeSet<>(RaftInvariants.SAFETY);
        raftSafety.removeAll(disabledInvariants);
        for (Invariant inv : RaftInvariants.create(raftSafety, this, history)) {
            sim.addInvariant(inv);
        }
        lastUnhealthyNanos = new long[cluster.maxBrokerId() + 1];
        sim.addInvariant(new BrokerHealth());
        if (!disabledInvariants.contains(KM_L1)) {
            sim.addInvariant(new SilentBrokerFenced());
        }
        if (!disabledInvariants.contains(KM_L2)) {
            sim.addInvariant(new HeartbeatingBrokerUnfenced());
        }
        if (!disabledInvariants.contains(KM_L3)) {
            sim.addInvariant(new CommittedRecordApplied());
        }
        if (!disabledInvariants.contains(KM_S4)) {
            sim.addInvariant(Invariant.of(KM_S4, this::reportIneligibleLeaders));
        }
        for (String id : List.of(KM_S1, KM_S2, KM_S3, KM_S5, KM_S6, KM_S7, KM_L4)) {
            if (!disabledInvariants.contains(id)) {
                sim.addInvariant(reported(id));
            }
        }
        LivenessWatcher liveness = new LivenessWatcher(sim);
        for (int id : voterIds) {
            liveness.watch(peers[id]);
        }
        ControllerFailureWatch watch = new ControllerFailureWatch();
        liveness.addListener(watch::changed);
        sim.addObserver(liveness);
        sim.addObserver(watch);
    }

    /**
     * Opens a controller failover when the active controller's node goes down (the cluster's own
     * failover watch only watches brokers): measured phases are detect (a voter became
     * Prospective/Candidate), elect (a voter became Raft leader), ready (it claimed) and propagate
     * (every live broker's observer learned the new leader).
     */
    private final class ControllerFailureWatch implements Observer {
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
        public void afterEvent(long nowNanos) {
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
            QuorumController c = controller(id);
            if (c != null && c.isActive() && c.claimEpoch() > bestEpoch) {
                best = peers[id];
                bestEpoch = c.claimEpoch();
            }
        }
        return best;
    }

    /** The quorum controller running on voter node {@code index}, or {@code null} when that process is down. */
    private QuorumController controller(int index) {
        if (combined) {
            KRaftBrokerAgent a = runningAgent(index);
            return a == null ? null : a.controller();
        }
        ControllerNode c = sim.process(peers[index], ControllerNode.class);
        return c == null ? null : c.controller();
    }

    /** Combined mode: the agent of the running process of node {@code index}, or {@code null}. */
    private KRaftBrokerAgent runningAgent(int index) {
        if (index >= agents.length || agents[index] == null || sim.process(peers[index], KafkaBroker.class) == null) {
            return null;
        }
        return agents[index];
    }

    /** The agent of broker {@code brokerId}'s running process, or {@code null} (for tests). */
    KRaftBrokerAgent brokerAgent(int brokerId) {
        return runningAgent(brokerIndex(brokerId));
    }

    /** The quorum controller of a running voter node, or {@code null} (for tests). */
    QuorumController controllerAt(NodeId node) {
        return controller(node.index());
    }

    // ------------------------------------------------------------------ warm start

    /**
     * Warm start ({@link ClusterSpec#warmStart()}): what the run starts from. The committed prefix
     * of {@code __cluster_metadata} is one snapshot on every voter's and broker's disk, at the end of
     * a history that would have been: the epoch-1 LeaderChange of controller-1 (offset 0), every
     * broker's registration (its broker epoch is that offset) and unfencing, and the TopicRecord and
     * PartitionRecords of every topic that is not created at runtime (preferred replica leading,
     * every replica in the ISR, epochs 0). Every log starts empty at that offset; every quorum-state
     * file says epoch 1 is led by the first voter, which resumes as leader (no election, no new
     * LeaderChange record) and claims at once; the other voters and the brokers' observers follow
     * it. Each process's image is the snapshot's (one shared object), already loaded: nothing is
     * replayed. Brokers are registered with their epochs and unfenced, their first process adopts its
     * roles from {@link #partitionStates()} (the data plane's warm start) and sends its first
     * heartbeat at a random phase of {@code broker.heartbeat.interval.ms} (drawn here, seeded); the
     * active controller heard each broker's previous heartbeat one interval before that (so a broker
     * that crashes at once is fenced a session timeout after its last heartbeat, as in a settled
     * cluster, not a session timeout after the run began), and its first NoOp comes at a random
     * phase of {@code metadata.max.idle.interval.ms}. Building it is
     * O(partitions) once, before the run; a process restarted later recovers from its disk as usual.
     */
    static final class WarmStart {
        final RaftSnapshot snapshot;
        final MetadataSnapshot image;
        /** Broker epoch and incarnation by broker id. */
        final long[] brokerEpoch;
        final long[] incarnation;
        /** By broker id: when its first heartbeat of the run leaves, in (0, broker.heartbeat.interval.ms]. */
        final long[] firstHeartbeatNanos;
        /** Node index of the established leader. */
        final int leader;
        /** By node index: the next process start is this node's first (warm) start. */
        final boolean[] pending;

        WarmStart(RaftSnapshot snapshot, MetadataSnapshot image, long[] brokerEpoch, long[] incarnation, long[] firstHeartbeatNanos,
                  int leader, boolean[] pending) {
            this.snapshot = snapshot;
            this.image = image;
            this.brokerEpoch = brokerEpoch;
            this.incarnation = incarnation;
            this.firstHeartbeatNanos = firstHeartbeatNanos;
            this.leader = leader;
            this.pending = pending;
        }
    }

    private WarmStart warm;

    /** The warm start (for the first process of each node), or {@code null} in a cold run. */
    WarmStart warm() {
        return warm;
    }

    /** Whether this start of {@code node} is its first in a warm run (then it is consumed). */
    boolean takeWarmStart(NodeId node) {
        if (warm == null || !warm.pending[node.index()]) {
            return false;
        }
        warm.pending[node.index()] = false;
        return true;
    }

    private WarmStart buildWarmStart() {
        MetadataImage image = new MetadataImage(cluster);
        dev.faultline.core.kernel.SimRandom random = sim.random("kraft-warm-start");
        long offset = 1; // offset 0: the LeaderChange of epoch 1
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            image.apply(offset++, new MetadataRecord.RegisterBroker(b.id(), random.nextLong()));
        }
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            image.apply(offset++, new MetadataRecord.BrokerFencing(b.id(), image.brokerEpoch(b.id()), false));
        }
        for (int t = 0; t < cluster.topics().size(); t++) {
            ClusterSpec.TopicSpec topic = cluster.topics().get(t);
            if (cluster.createdAtRuntime(topic.name())) {
                continue;
            }
            image.apply(offset++, new MetadataRecord.TopicCreation(topic.name()));
            int first = cluster.topicFirstPartition(topic.name());
            for (int p = first; p < first + topic.partitions(); p++) {
                int[] replicas = cluster.replicas(p);
                image.apply(offset++, new MetadataRecord.PartitionCreation(PartitionState.of(p, replicas[0], 0, replicas, 0)));
            }
        }
        long end = offset;
        long chain = dev.faultline.core.kernel.SimRandom.mix64(0x5741524dL ^ end);
        MetadataSnapshot frozen = image.toSnapshot();
        RaftSnapshot snapshot = new RaftSnapshot(end, 1, chain, frozen.fileBytes(), frozen.recordCount, frozen, 0);
        history.startCommittedAt(end, 1, chain);
        authoritative.load(frozen);
        authoritativeApplied = end;
        brokerRecordsApplied++;
        commitBase = end;
        long[] epochs = new long[cluster.maxBrokerId() + 1];
        long[] incarnations = new long[cluster.maxBrokerId() + 1];
        long[] firstHeartbeat = new long[cluster.maxBrokerId() + 1];
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            epochs[b.id()] = image.brokerEpoch(b.id());
            incarnations[b.id()] = image.incarnation(b.id());
            lastRegisteredEpoch[b.id()] = image.brokerEpoch(b.id());
            firstHeartbeat[b.id()] = 1 + random.nextLong(Math.max(1, heartbeatIntervalNanos));
        }
        int leader = voterIds[0];
        boolean[] pending = new boolean[peers.length];
        java.util.TreeSet<Integer> raftNodes = new java.util.TreeSet<>();
        for (int v : voterIds) {
            raftNodes.add(v);
        }
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            raftNodes.add(sim.node(ClusterSpec.brokerNodeName(b.id())).index());
        }
        for (int index : raftNodes) {
            pending[index] = true;
            dev.faultline.core.storage.Storage disk = sim.storage(peers[index]);
            dev.faultline.raft.quorum.MetadataLogFile log = disk.open(RaftNode.LOG_FILE, dev.faultline.raft.quorum.MetadataLogFile.class,
                    dev.faultline.raft.quorum.MetadataLogFile::new);
            log.addSnapshot(snapshot);
            log.advanceStart(end, 1, chain);
            log.sync();
            dev.faultline.raft.quorum.ElectionState election = isVoter(index)
                    ? new dev.faultline.raft.quorum.ElectionState(1, leader, leader)
                    : new dev.faultline.raft.quorum.ElectionState(1, dev.faultline.raft.quorum.ElectionState.NONE, leader);
            @SuppressWarnings("unchecked")
            dev.faultline.core.storage.DurableValue<dev.faultline.raft.quorum.ElectionState> state = disk.open(RaftNode.QUORUM_STATE_FILE,
                    dev.faultline.core.storage.DurableValue.class, () -> new dev.faultline.core.storage.DurableValue<>(election));
            state.sync();
        }
        return new WarmStart(snapshot, frozen, epochs, incarnations, firstHeartbeat, leader, pending);
    }

    /** A broker agent started (every broker incarnation); combined mode reads voters' Raft nodes through it. */
    void agentStarted(int nodeIndex, KRaftBrokerAgent agent) {
        if (nodeIndex < agents.length) {
            agents[nodeIndex] = agent;
        }
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

    /**
     * An admin client ({@code admin-client}, added on first use) sends CreateTopics to the
     * controller voters until the active controller's records commit (see {@link ControlPlane#createTopic}).
     */
    @Override
    public void createTopic(String topic) {
        if (!cluster.createdAtRuntime(topic)) {
            throw new IllegalArgumentException("topic " + topic + " is not created at runtime");
        }
        dev.faultline.core.control.TopicAdminClient.in(sim, controllerCandidates()).createTopic(topic);
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

    /** The voters and the brokers (each broker's Raft observer keeps the metadata log on its disk). */
    @Override
    public int[] logNodeIds() {
        if (logNodeIds == null) {
            java.util.TreeSet<Integer> ids = new java.util.TreeSet<>();
            for (int v : voterIds) {
                ids.add(v);
            }
            for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
                ids.add(brokerIndex(b.id()));
            }
            logNodeIds = ids.stream().mapToInt(Integer::intValue).toArray();
        }
        return logNodeIds;
    }

    private int[] logNodeIds;

    @Override
    public RaftNode process(int index) {
        if (combined) {
            KRaftBrokerAgent a = isVoter(index) ? runningAgent(index) : null;
            return a == null ? null : a.raft();
        }
        ControllerNode c = sim.process(peers[index], ControllerNode.class);
        return c == null ? null : c.raft();
    }

    /**
     * A round trip on the default link, bounded at a high quantile of its latency model (one way:
     * the constant; the uniform maximum; mean + 4σ; the log-normal's 99.99th percentile; the
     * exponential's 99.99th percentile), doubled, and at least 2 ms. The liveness bounds (KR-L*,
     * KM-L*) add it per round trip; heavier tails than this are reported as misses with the seed.
     */
    @Override
    public long roundTripBoundNanos() {
        if (roundTripBoundNanos < 0) {
            roundTripBoundNanos = Math.max(2 * Time.MILLISECOND, 2 * oneWayBoundNanos(sim.network().defaultConfig().latency()));
        }
        return roundTripBoundNanos;
    }

    private long roundTripBoundNanos = -1;

    static long oneWayBoundNanos(dev.faultline.core.net.LatencyModel m) {
        if (m instanceof dev.faultline.core.net.LatencyModel.Constant c) {
            return c.nanos();
        } else if (m instanceof dev.faultline.core.net.LatencyModel.Uniform u) {
            return u.maxNanos();
        } else if (m instanceof dev.faultline.core.net.LatencyModel.Normal n) {
            return n.meanNanos() + 4 * n.stddevNanos();
        } else if (m instanceof dev.faultline.core.net.LatencyModel.LogNormal l) {
            // z(99.99%) / z(99%) = 3.719 / 2.326
            double ratio = (double) l.p99Nanos() / l.medianNanos();
            return Math.round(l.medianNanos() * StrictMath.pow(ratio, 3.7190164854556804 / 2.3263478740408408));
        } else if (m instanceof dev.faultline.core.net.LatencyModel.Exponential e) {
            return e.minNanos() + Math.round(e.meanNanos() * StrictMath.log(10_000));
        }
        throw new IllegalArgumentException("no latency bound for " + m.describe());
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

    long recordCostNanos() {
        return recordCostNanos;
    }

    /** A process's snapshot trigger with the cluster's settings. */
    SnapshotGenerator newSnapshotGenerator(long nowNanos) {
        return new SnapshotGenerator(snapshotMaxBytes, snapshotIntervalNanos, nowNanos);
    }

    /** A new Raft node of a controller or broker process, with the cluster's log retention. */
    RaftNode newRaftNode(dev.faultline.core.kernel.NodeContext ctx) {
        RaftNode raft = new RaftNode(ctx, quorumConfig, voterIds, peers, probe);
        raft.setLogRetention(retentionBytes, retentionNanos);
        return raft;
    }

    /**
     * The snapshot a process writes of {@code image} at {@code endOffset}. Snapshots of the same
     * records (same id and chain hash: the same committed prefix, so the same image) are one object:
     * a process writing one that another already wrote gets that one, and its image reads the shared
     * partition array from then on. Kafka's processes each write their own file; the simulator does
     * not duplicate equal immutable data. The shared object carries the first writer's time.
     */
    dev.faultline.raft.quorum.RaftSnapshot snapshot(MetadataImage image, long endOffset, int epoch, long chain, long nowNanos) {
        dev.faultline.raft.quorum.RaftSnapshot known = recentSnapshots.get(endOffset);
        if (known != null && known.epoch() == epoch && known.chainHash() == chain) {
            image.share((MetadataSnapshot) known.image());
            return known;
        }
        MetadataSnapshot frozen = image.toSnapshot();
        dev.faultline.raft.quorum.RaftSnapshot made = new dev.faultline.raft.quorum.RaftSnapshot(endOffset, epoch, chain,
                frozen.fileBytes(), frozen.recordCount, frozen, nowNanos);
        recentSnapshots.put(endOffset, made);
        while (recentSnapshots.size() > 4) {
            recentSnapshots.pollFirstEntry();
        }
        return made;
    }

    /** The latest snapshots written, by end offset (the oldest are forgotten). */
    private final java.util.TreeMap<Long, dev.faultline.raft.quorum.RaftSnapshot> recentSnapshots = new java.util.TreeMap<>();

    /** Bytes of delivered entries (batch headers included). */
    static long wireBytes(java.util.List<LogEntry> entries) {
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            bytes += entries.get(i).wireBytes();
        }
        return bytes;
    }

    /** Whether a delivery that ends at {@code end} ends a record batch (the next record starts one, or none follows yet). */
    static boolean batchAligned(RaftNode raft, long end) {
        RaftLog log = raft.log();
        return end >= log.endOffset() || end < log.startOffset() || log.get(end).batchStart();
    }

    long idleIntervalNanos() {
        return idleIntervalNanos;
    }

    boolean isrIgnoresBrokerEpoch() {
        return isrIgnoresBrokerEpoch;
    }

    /** The partitions broker {@code brokerId} hosts a replica of, ascending (a static index, built once). */
    int[] partitionsOf(int brokerId) {
        return brokerId >= 0 && brokerId < partitionsByBroker.length ? partitionsByBroker[brokerId] : new int[0];
    }

    /** The number of partitions of topics that exist before the run (not created at runtime). */
    int initialPartitionCount() {
        return initialPartitionCount;
    }

    private int[][] partitionsByBroker;
    private int initialPartitionCount;

    /** One pass over the assignment: each broker's partitions, ascending (O(replicas)). */
    private static int[][] partitionsByBroker(ClusterSpec cluster) {
        int[] count = new int[cluster.maxBrokerId() + 1];
        int partitions = cluster.partitionCount();
        for (int p = 0; p < partitions; p++) {
            for (int i = 0, rf = cluster.replicationFactor(p); i < rf; i++) {
                count[cluster.replica(p, i)]++;
            }
        }
        int[][] out = new int[count.length][];
        for (int b = 0; b < count.length; b++) {
            out[b] = new int[count[b]];
        }
        int[] fill = new int[count.length];
        for (int p = 0; p < partitions; p++) {
            for (int i = 0, rf = cluster.replicationFactor(p); i < rf; i++) {
                int b = cluster.replica(p, i);
                out[b][fill[b]++] = p;
            }
        }
        return out;
    }

    /** A broker's registration epoch in the committed image, -1 when not registered (for tests). */
    long committedBrokerEpoch(int brokerId) {
        return authoritative.brokerEpoch(brokerId);
    }

    /** Whether a broker is registered and unfenced in the committed image (for tests). */
    boolean committedBrokerActive(int brokerId) {
        return authoritative.isActive(brokerId);
    }

    /** Planted bug (test switch for KM-S4): offline-partition elections accept a registered but fenced replica. */
    boolean electFencedLeader() {
        return electFencedLeader;
    }

    private boolean switchOn(String key) {
        return cluster.config().has(key) && cluster.config().getBoolean(key);
    }

    /** Test switch for KM-S7 (no historical fix): accepted heartbeats do not renew the broker's session. */
    boolean heartbeatsDoNotRenewSessions() {
        return heartbeatsDoNotRenewSessions;
    }

    /** Test switch for KM-S1 (no historical fix): the Raft leader's controller claims before replaying past its epoch start. */
    boolean claimBeforeEpochStart() {
        return claimBeforeEpochStart;
    }

    /** Test switch for KM-S3 (no historical fix): fencing the last ISR member of a partition leaves it an empty ISR. */
    boolean fenceEmptiesIsr() {
        return fenceEmptiesIsr;
    }

    boolean isVoter(int index) {
        return index >= 0 && index < voterByIndex.length && voterByIndex[index];
    }

    /** Voters by node index (built at install). */
    private boolean[] voterByIndex = new boolean[0];
    /** KM-S4 is checked (not disabled). */
    private boolean checkKmS4;

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
        // KM-S7's record: a new active controller gives every broker a fresh session (its own clock).
        long local = sim.localTime(node);
        long[] beats = sessionRenewed(node);
        boolean warmClaim = warm != null && node.index() == warm.leader && !warmClaimed;
        warmClaimed |= warmClaim;
        Arrays.fill(beats, warmClaim ? Long.MIN_VALUE / 4 : local);
        if (warmClaim) {
            // The established controller of a warm start heard each broker's previous heartbeat one
            // interval before that broker's first heartbeat of the run (the history the warm start stands for).
            for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
                beats[b.id()] = local + warm.firstHeartbeatNanos[b.id()] - heartbeatIntervalNanos;
            }
        }
    }

    /**
     * KM-S7's own record, by controller node index: on that controller's clock, when each broker's
     * session was last started or renewed at it (its activation, the broker's registration or an
     * accepted heartbeat). Kept from the events themselves, not from the controller's bookkeeping.
     */
    private long[][] sessionRenewedLocal;
    private boolean warmClaimed;

    private long[] sessionRenewed(NodeId controller) {
        if (sessionRenewedLocal == null) {
            sessionRenewedLocal = new long[peers.length][];
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
    void onSessionStarted(NodeId controller, int brokerId) {
        sessionRenewed(controller)[brokerId] = sim.localTime(controller);
    }

    /**
     * KM-S7: active controller {@code controller} decided to fence broker {@code brokerId} for an
     * expired session. Judged against this plane's record of that controller's session starts and
     * accepted heartbeats (on its own clock), not against the numbers the controller decided from.
     */
    void onFenceDecision(NodeId controller, int brokerId) {
        long now = sim.localTime(controller);
        long last = sessionRenewed(controller)[brokerId];
        if (now - last < sessionTimeoutNanos) {
            violation(KM_S7, controller + " fenced broker-" + brokerId + " " + Time.format(now - last)
                    + " after its session was last renewed there (activation, registration or heartbeat; session timeout "
                    + Time.format(sessionTimeoutNanos) + ")");
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

    /**
     * Ground truth for KM-L1 (a heartbeat of broker {@code brokerId} reached an active controller now,
     * virtual time) and KM-S7 (it renewed the broker's session at {@code controller}).
     */
    void onHeartbeatArrived(NodeId controller, int brokerId) {
        sessionRenewed(controller)[brokerId] = sim.localTime(controller);
        if (lastHeartbeatArrival == null) {
            lastHeartbeatArrival = new long[cluster.maxBrokerId() + 1];
        }
        lastHeartbeatArrival[brokerId] = sim.now();
    }

    /** When a heartbeat of each broker last reached an active controller (virtual time). */
    private long[] lastHeartbeatArrival;

    /** A broker's metadata loader published a change to its replica manager now (virtual time). */
    void onBrokerApplied(int brokerId, long appliedOffset) {
        if (lastPublishNanos == null) {
            lastPublishNanos = new long[cluster.maxBrokerId() + 1];
            Arrays.fill(lastPublishNanos, -1);
        }
        lastPublishNanos[brokerId] = sim.now();
    }

    /** When each broker's metadata loader last published partition changes (virtual time; KM-L3). */
    private long[] lastPublishNanos;

    void onBrokerLearnedLeader(int brokerId, int leader) {
        context.failover().brokerLearnedController(brokerId, sim.now());
    }

    private void violation(String id, String message) {
        if (disabledInvariants.contains(id)) {
            return;
        }
        violations.report(id, message);
    }

    /** Newly committed records (first seen below any node's HW): apply to the authoritative image, record decisions, KM-S3/S6. */
    private void onCommitted(long highWatermark, RaftLog log) {
        RaftNode generator = generatorImage == null ? null : process(generatorNode);
        for (long o = Math.max(authoritativeApplied, log.startOffset()); o < highWatermark; o++) {
            LogEntry e = log.get(o);
            if (generatorImage != null && (generator == null || generator.log().endOffset() <= o
                    || generator.log().get(o).chainHash() != e.chainHash())) {
                // The committed record is not the generating leader's: its view is rebuilt at its next append.
                generatorImage = null;
            }
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
                    context.history().leaderElected(sim.now(), after, c.unclean(), "PartitionChangeRecord at offset " + o);
                } else {
                    context.history().isrChanged(sim.now(), after, "PartitionChangeRecord at offset " + o);
                }
            } else if (r instanceof MetadataRecord.BrokerFencing && ((MetadataRecord.BrokerFencing) r).fenced()) {
                int b = ((MetadataRecord.BrokerFencing) r).brokerId();
                context.failover().brokerFailureDetected(b, sim.now());
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
        if (generatorImage != null) {
            generatorImage.prune(authoritativeApplied);
        }
    }

    // ------------------------------------------------------------------ KM-S4

    /**
     * KM-S4: the image the Raft leader {@link #generatorNode} generated its records from in epoch
     * {@link #generatorEpoch}: the committed image plus every record of its log up to the one being
     * appended. Rebuilt (one image copy plus a replay of the uncommitted suffix of its log) when
     * another leader or epoch appends; then advanced by one record per append. It is the image the
     * active controller decided from (its working image: committed plus its own records, in log
     * order), rebuilt from the log rather than read from the controller, so a controller whose own
     * image is wrong is still judged against the true one.
     */
    private WorkingImage generatorImage;
    private int generatorNode = -1;
    private int generatorEpoch = -1;
    /** KM-S4 suspicions of the current event: leaders named while ineligible, unless unfenced in the same batch. */
    private final List<IneligibleLeader> ineligibleLeaders = new ArrayList<>();

    /** @param onlyFenced ineligible only because fenced (an unfence in the same batch excuses it, not controlled shutdown) */
    private record IneligibleLeader(int brokerId, long brokerEpoch, boolean onlyFenced, String message) {
    }

    /**
     * KM-S4 for one record a leader appends (a follower's replicated append is not a decision):
     * a PartitionRecord or PartitionChangeRecord that names a new leader (another broker, or the
     * same one with a higher leader epoch) must name a broker registered and unfenced in the
     * generating image, or one that a BrokerRegistrationChange of the same batch unfences at its
     * current registration. A Raft batch (one {@code append.linger.ms} flush, appended in one
     * event) stands for Kafka's record batch; suspicions are settled at the end of the event.
     * A broker in controlled shutdown is not eligible either (KIP-841), and an unfence record does
     * not excuse it (it stays in controlled shutdown until it registers again).
     */
    private void onLeaderAppend(int nodeId, long offset, MetadataRecord record) {
        RaftNode raft = isVoter(nodeId) ? process(nodeId) : null;
        if (raft == null || !(raft.state() instanceof LeaderState)) {
            return;
        }
        if (generatorImage == null || generatorNode != nodeId || generatorEpoch != raft.epoch()) {
            generatorImage = new WorkingImage(authoritative);
            generatorNode = nodeId;
            generatorEpoch = raft.epoch();
            RaftLog log = raft.log();
            for (long o = authoritativeApplied; o < offset; o++) {
                if (log.get(o).payload() instanceof MetadataRecord) {
                    generatorImage.apply(o, (MetadataRecord) log.get(o).payload());
                }
            }
        }
        PartitionState named = record instanceof MetadataRecord.PartitionChange ? ((MetadataRecord.PartitionChange) record).state()
                : record instanceof MetadataRecord.PartitionCreation ? ((MetadataRecord.PartitionCreation) record).state() : null;
        if (named != null && named.hasLeader()) {
            PartitionState before = generatorImage.partition(named.partition());
            int b = named.leader();
            boolean newLeader = before == null || before.leader() != b || named.leaderEpoch() > before.leaderEpoch();
            if (newLeader && !generatorImage.isEligible(b)) {
                boolean onlyFenced = generatorImage.isRegistered(b) && !generatorImage.inControlledShutdown(b);
                ineligibleLeaders.add(new IneligibleLeader(b, generatorImage.brokerEpoch(b), onlyFenced, peers[nodeId] + " (epoch "
                        + raft.epoch() + ") named broker-" + b + " leader of " + cluster.partitionName(named.partition())
                        + " at offset " + offset + " (" + named + ") while it was "
                        + (!generatorImage.isRegistered(b) ? "not registered"
                                : generatorImage.isActive(b) ? "in controlled shutdown (registration epoch " + generatorImage.brokerEpoch(b) + ")"
                                : "fenced (registration epoch " + generatorImage.brokerEpoch(b) + ")")
                        + " in the image it generated from"));
            }
        } else if (record instanceof MetadataRecord.BrokerFencing && !((MetadataRecord.BrokerFencing) record).fenced()) {
            MetadataRecord.BrokerFencing f = (MetadataRecord.BrokerFencing) record;
            if (generatorImage.brokerEpoch(f.brokerId()) == f.brokerEpoch() && !generatorImage.inControlledShutdown(f.brokerId())) {
                ineligibleLeaders.removeIf(l -> l.onlyFenced() && l.brokerId() == f.brokerId() && l.brokerEpoch() == f.brokerEpoch());
            }
        }
        generatorImage.apply(offset, record);
    }

    /** KM-S4, after each event: a leader named while ineligible and not unfenced in the same batch. */
    private void reportIneligibleLeaders(CheckContext ctx) {
        if (ineligibleLeaders.isEmpty()) {
            return;
        }
        String message = ineligibleLeaders.get(0).message();
        ineligibleLeaders.clear();
        ctx.fail(KM_S4, message);
    }

    /** KM-L3: when each offset of the metadata log was first committed (below some node's HW). */
    private final it.unimi.dsi.fastutil.longs.LongArrayList commitNanos = new it.unimi.dsi.fastutil.longs.LongArrayList();
    /** The offset of {@link #commitNanos}'s first entry (a warm start's snapshot end: what is below was committed before the run). */
    private long commitBase;

    /** When offset {@code offset} was first committed (KM-L3); offsets below the warm start's snapshot count as committed at 0. */
    private long commitNanos(long offset) {
        return offset < commitBase ? 0 : commitNanos.getLong((int) (offset - commitBase));
    }

    /** The committed end known to the checks. */
    private long commitEnd() {
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
        KRaftBrokerAgent a = runningAgent(brokerIndex(brokerId));
        return a != null && a.incarnationId() == authoritative.incarnation[brokerId];
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
            if (checkKmS4 && entry.payload() instanceof MetadataRecord && isVoter(nodeId)) {
                onLeaderAppend(nodeId, offset, (MetadataRecord) entry.payload());
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
                nextApply = new long[peers.length];
                applier = new Object[peers.length];
            }
            applier[nodeId] = sim.process(peers[nodeId], dev.faultline.core.kernel.Node.class);
            long end = snapshot.endOffset();
            long committed = end == 0 ? 0 : history.committedChain(end - 1);
            if (end > history.committedLength()) {
                violation(KM_S2, peers[nodeId].name() + " loaded " + snapshot + " beyond the committed prefix " + history.committedLength());
            } else if (end > 0 && committed != RaftHistory.UNKNOWN && committed != snapshot.chainHash()) {
                violation(KM_S2, peers[nodeId].name() + " loaded " + snapshot + " whose records differ from the committed ones");
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
                nextApply = new long[peers.length];
                applier = new Object[peers.length];
            }
            Object process = sim.process(peers[nodeId], dev.faultline.core.kernel.Node.class);
            if (process != applier[nodeId]) {
                applier[nodeId] = process;
                nextApply[nodeId] = 0;
            }
            String who = peers[nodeId].name();
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
     * a running controller. O(brokers × voters) per event while a cut or link fault is in force;
     * otherwise every link is clean and the unhealthy brokers are those down or paused, recomputed
     * only when a process starts, stops, pauses or resumes ({@link Simulation#lifecycleVersion}).
     */
    private final class BrokerHealth implements Invariant {
        private long lifecycle = -1;
        private int[] downOrPaused = new int[0];

        @Override
        public String name() {
            return "kraft-broker-health";
        }

        @Override
        public void check(CheckContext ctx) {
            backlog(); // read the delay faults in force at every event, while they are (DelayBacklog needs it)
            if (!sim.network().hasCutsOrLinkFaults()) {
                if (sim.lifecycleVersion() != lifecycle) {
                    lifecycle = sim.lifecycleVersion();
                    IntArrayList unhealthy = new IntArrayList();
                    for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
                        NodeId node = peers[brokerIndex(spec.id())];
                        if (!sim.isUp(node) || sim.isPaused(node)) {
                            unhealthy.add(spec.id());
                        }
                    }
                    downOrPaused = unhealthy.toIntArray();
                }
                for (int b : downOrPaused) {
                    lastUnhealthyNanos[b] = ctx.now();
                }
                return;
            }
            lifecycle = -1;
            for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
                int b = spec.id();
                NodeId node = peers[brokerIndex(b)];
                boolean healthy = sim.isUp(node) && !sim.isPaused(node);
                for (int v = 0; healthy && v < voterIds.length; v++) {
                    NodeId c = peers[voterIds[v]];
                    if (sim.isUp(c) && !sim.isPaused(c)) {
                        healthy = LinkHealth.clean(sim.network(), node, c);
                    }
                }
                if (!healthy) {
                    lastUnhealthyNanos[b] = ctx.now();
                }
            }
        }
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
            if (sim.network().hasCutsOrLinkFaults() || sim.lifecycleVersion() != lifecycle || brokerRecordsApplied != brokerRecords
                    || !java.util.Objects.equals(active, lastActive)) {
                lifecycle = sim.network().hasCutsOrLinkFaults() ? -1 : sim.lifecycleVersion();
                brokerRecords = brokerRecordsApplied;
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
            long bound = sessionTimeoutNanos + (periodicFencing ? fenceCheckPeriodNanos() : 0) + quorumConfig.appendLingerNanos()
                    + quorumConfig.maxFetchWaitNanos()
                    + 2 * roundTripBoundNanos() + KM_EPSILON_NANOS + fenceWork;
            for (int b : silent) {
                // A heartbeat sent before the silence may arrive later (a delayed link): count from its arrival.
                long from = Math.max(silentSince[b], lastHeartbeatArrival == null ? 0 : lastHeartbeatArrival[b]);
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
                    for (int p : partitionsOf(spec.id())) {
                        bytes += MetadataRecord.PartitionChange.bytes(cluster.replicas(p).length, true);
                    }
                    fenceRecords[spec.id()] = partitionsOf(spec.id()).length + 1;
                    fenceBatches[spec.id()] = (int) ((bytes + LogEntry.MAX_BATCH_SIZE_BYTES - 1) / LogEntry.MAX_BATCH_SIZE_BYTES);
                }
            }
            double slow = Math.max(1.0, sim.slowFactor(active));
            long cpu = (long) Math.ceil(fenceRecords[b] * recordCostNanos * slow);
            long fetchRound = 2 * roundTripBoundNanos() + sim.network().defaultConfig().transmissionNanos(LogEntry.MAX_BATCH_SIZE_BYTES);
            return cpu + fenceBatches[b] * fetchRound;
        }

        /** Whether the process that made broker {@code b}'s current registration cannot heartbeat to {@code active}. */
        private boolean registrationSilent(int b, NodeId active) {
            int index = brokerIndex(b);
            NodeId node = peers[index];
            KRaftBrokerAgent agent = runningAgent(index);
            if (agent == null || sim.isPaused(node) || agent.incarnationId() != authoritative.incarnation[b]) {
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
            long rtt = roundTripBoundNanos();
            long bound = heartbeatIntervalNanos + (quorumConfig.maxFetchWaitNanos() + 2 * rtt)
                    + (quorumConfig.appendLingerNanos() + quorumConfig.maxFetchWaitNanos() + 2 * rtt) + rtt + KM_EPSILON_NANOS;
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
                long start = Math.max(since[b] + quorumConfig.requestTimeoutNanos(), health.since());
                if (now - start > bound) {
                    ctx.fail(KM_L2, "broker-" + b + " (registration epoch " + authoritative.brokerEpoch(b) + ") heartbeats to "
                            + active + " but is still fenced " + Time.format(now - start) + " later (bound " + Time.format(bound) + ")");
                    return;
                }
            }
        }

        private boolean heartbeating(int b, NodeId active) {
            int index = brokerIndex(b);
            NodeId node = peers[index];
            KRaftBrokerAgent agent = runningAgent(index);
            if (agent == null || sim.isPaused(node) || agent.incarnationId() != authoritative.incarnation[b]) {
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
                positionOfNode = new int[peers.length];
                Arrays.fill(positionOfNode, -1);
                for (int i = 0; i < brokers.size(); i++) {
                    positionOfNode[brokerIndex(brokers.get(i).id())] = i;
                }
            }
            long now = ctx.now();
            NodeId active = activeController();
            long bound = quorumConfig.maxFetchWaitNanos() + 2 * roundTripBoundNanos() + KM_EPSILON_NANOS
                    + sim.network().defaultConfig().transmissionNanos(LogEntry.MAX_BATCH_SIZE_BYTES);
            boolean unclean = sim.network().hasCutsOrLinkFaults() || backlog().heldAnywhere(now);
            NodeId eventNode = sim.lastEventNode();
            boolean all = eventNode == null || unclean || lastUnclean || sim.lifecycleVersion() != lifecycle
                    || !java.util.Objects.equals(active, lastActive) || commitEnd() != lastCommitEnd;
            lifecycle = sim.lifecycleVersion();
            lastActive = active;
            lastCommitEnd = commitEnd();
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
                int index = brokerIndex(b);
                NodeId node = peers[index];
                KRaftBrokerAgent agent = runningAgent(index);
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
                if (lastPublishNanos != null && lastPublishNanos[b] == now) {
                    // It just handed a metadata change to its replica manager: that work is excused.
                    lastBusy[b] = Math.max(lastBusy[b], sim.busyUntil(node));
                }
                if (next >= commitEnd()) {
                    return true;
                }
                watch = true;
                // A Fetch lost just before the condition began is only retried after its timeout.
                long start = Math.max(Math.max(commitNanos(next), since[b] + quorumConfig.requestTimeoutNanos()),
                        Math.max(lastProgress[b], lastBusy[b]));
                deadline[position] = start + bound;
                if (now - start > bound) {
                    ctx.fail(KM_L3, "broker-" + b + " has not applied the record at offset " + next + " committed at "
                            + Time.format(commitNanos(next)) + ", " + Time.format(now - start)
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

        private boolean follows(KRaftBrokerAgent agent, NodeId node, NodeId active) {
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
    private boolean replaysFrom(KRaftBrokerAgent agent, NodeId node, NodeId active) {
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
    private DelayBacklog backlog() {
        if (backlog == null) {
            // Only links with a voter at one end: a broker's Raft observer never talks to another broker
            // (O(voters x nodes) per event instead of O(nodes²)).
            java.util.TreeSet<Integer> brokers = new java.util.TreeSet<>();
            for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
                brokers.add(brokerIndex(spec.id()));
            }
            for (int v : voterIds) {
                brokers.remove(v); // combined mode: a voter-broker is a hub
            }
            backlog = DelayBacklog.hubsAndSpokes(sim, nodeIds(voterIds),
                    nodeIds(brokers.stream().mapToInt(Integer::intValue).toArray()), this::roundTripBoundNanos);
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
            int e = controller(a.index()).claimEpoch();
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
        NodeId active = activeController();
        if (active == null || sim.isPaused(active)) {
            return null;
        }
        int count = 0;
        for (int v : voterIds) {
            NodeId n = peers[v];
            if (n.equals(active)) {
                count++;
            } else if (sim.isUp(n) && !sim.isPaused(n) && LinkHealth.clean(sim.network(), n, active)
                    && backlog().drained(n, active, sim.now())) {
                count++;
            }
        }
        return count >= voterIds.length / 2 + 1 ? active : null;
    }

    /** One event-loop slack for the KM-L* bounds (the ε of the bounds in docs/invariants.md). */
    static final long KM_EPSILON_NANOS = 50 * Time.MILLISECOND;

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
    /** A KM-* check decided inside the controller and reported after the event. */
    private Invariant reported(String id) {
        return violations.invariant(id);
    }
}
