package dev.faultline.core.kafka;

import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.BrokerAgent;
import dev.faultline.core.control.BrokerHandle;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.control.KafkaConfig;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaMessage.FetchRequest;
import dev.faultline.core.kafka.KafkaMessage.FetchResponse;
import dev.faultline.core.kafka.KafkaMessage.MetadataRequest;
import dev.faultline.core.kafka.KafkaMessage.MetadataResponse;
import dev.faultline.core.kafka.KafkaMessage.OffsetsForLeaderEpochRequest;
import dev.faultline.core.kafka.KafkaMessage.OffsetsForLeaderEpochResponse;
import dev.faultline.core.kafka.KafkaMessage.ProduceRequest;
import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import java.util.Arrays;
import java.util.List;

/**
 * A Kafka broker process: hosts partition replicas (docs/model.md#replication-data-plane) and
 * embeds the control plane's {@link BrokerAgent}, to which it forwards every message and timer that
 * is not its own.
 *
 * <p>The broker owns the replica roles: it becomes leader or follower only when its agent calls
 * {@link #becomeLeaderOrFollower} with a newer leader epoch (or, for an ISR-only change, the same
 * leader epoch and a newer partition epoch). The leader side (produce, serving fetches, ISR, high
 * watermark) lives in {@link LeaderSide}, the follower side (fetchers, truncation by leader epoch) in
 * {@link FollowerSide}; this class routes, recovers the log at start and applies role changes.
 */
public final class KafkaBroker implements Node, BrokerHandle {
    /** The name of the broker's log directory in its node storage. */
    public static final String LOG_DIR = "kafka-logs";

    final NodeContext ctx;
    final BrokerEnv env;
    final int brokerId;
    final ClusterSpec cluster;
    final KafkaConfig config;
    final ReplicaObserver observer;
    final BrokerAgent agent;
    final ReplicaTable replicas;
    final LogStore store;
    final int[] metadataLeader;
    final LeaderSide leaderSide;
    final LeaderReads leaderReads;
    final FollowerSide followerSide;
    final long partitionCostNanos;
    final long flushIntervalMessages;
    long brokerEpoch = -1;
    private int[] brokerIdByNode = new int[0];
    /** This incarnation starts a warm run: it adopts the established roles at start ({@link #adoptEstablishedRoles}). */
    private final boolean warm;

    KafkaBroker(NodeContext ctx, BrokerEnv env, int brokerId) {
        this(ctx, env, brokerId, false);
    }

    /**
     * A broker process; {@code warm} for the first incarnation of a broker in a
     * {@link ClusterSpec#warmStart() warm} run.
     */
    KafkaBroker(NodeContext ctx, BrokerEnv env, int brokerId, boolean warm) {
        this.ctx = ctx;
        this.warm = warm;
        this.env = env;
        this.brokerId = brokerId;
        this.cluster = env.cluster();
        this.config = env.config();
        this.observer = env.observer();
        int[] hosted = cluster.partitionsOf(brokerId);
        long writebackDelay = config.getMillisAsNanos("faultline.page.cache.flush.delay.ms");
        this.store = ctx.storage().open(LOG_DIR, LogStore.class, () -> new LogStore(hosted.length, env.hostClock(), writebackDelay));
        this.replicas = new ReplicaTable(hosted);
        this.metadataLeader = new int[cluster.partitionCount()];
        Arrays.fill(metadataLeader, -1);
        this.partitionCostNanos = config.getLong("faultline.broker.partition.cost.ns");
        this.flushIntervalMessages = config.getLong("log.flush.interval.messages");
        this.leaderSide = new LeaderSide(this);
        this.leaderReads = new LeaderReads(this);
        this.followerSide = new FollowerSide(this);
        this.agent = env.controlPlane().newBrokerAgent(brokerId);
    }

    // ------------------------------------------------------------------ lifecycle

    @Override
    public void onStart() {
        store.setPowerLossListener((local, oldEnd, newEnd) -> observer.powerLossCut(brokerId, replicas.partitions[local], oldEnd, newEnd));
        recoverLogs();
        long isrPeriod = config.getMillisAsNanos("replica.lag.time.max.ms") / 2;
        long checkpointPeriod = config.getMillisAsNanos("replica.high.watermark.checkpoint.interval.ms");
        if (warm) {
            // An established broker is somewhere inside each periodic task's period: the first runs
            // come at phases drawn from the node's seeded stream (a fork, so later draws are unchanged).
            dev.faultline.core.kernel.SimRandom phases = ctx.random().fork("warm-start");
            ctx.setTimer(BrokerTimer.ISR_EXPIRATION, 1 + phases.nextLong(Math.max(1, isrPeriod))); // a period of 0 (replica.lag.time.max.ms 0 or 1) has one phase
            ctx.setTimer(BrokerTimer.HW_CHECKPOINT, 1 + phases.nextLong(Math.max(1, checkpointPeriod)));
        } else {
            ctx.setTimer(BrokerTimer.ISR_EXPIRATION, isrPeriod);
            ctx.setTimer(BrokerTimer.HW_CHECKPOINT, checkpointPeriod);
        }
        ctx.trace("broker", "started broker " + brokerId + " hosting " + replicas.size() + " replicas" + (warm ? " (warm start)" : ""));
        if (warm) {
            adoptEstablishedRoles();
        }
        agent.start(this);
        if (warm) {
            followerSide.startFetchers(); // after agent.start: a synchronous warm registration puts the broker epoch in the first fetch
        }
    }

    /**
     * Warm start, data-plane part: the first incarnation of a broker in a warm run comes up as a
     * member of an established cluster. Before its agent starts, it adopts the control plane's
     * current partition states ({@link dev.faultline.core.control.ControlPlane#partitionStates()}):
     * its metadata cache names every partition's leader; each replica it hosts becomes leader or
     * follower at that state's leader and partition epoch with the ISR as given (followers join
     * their leader's fetcher, and the fetch sessions between leaders and followers are established,
     * see {@link FollowerSide#startFetchers} and {@code LeaderSide.adoptLeader}).
     * The logs are empty (offset 0, high watermark 0), so nothing is truncated or replicated. No
     * work is charged, nothing per partition is traced, and the invariant observer is not told:
     * this is the state before the run, not a change in it. O(partitions) once per broker.
     */
    private void adoptEstablishedRoles() {
        dev.faultline.core.control.PartitionStateView view = env.controlPlane().partitionStates();
        for (int p = 0; p < metadataLeader.length; p++) {
            metadataLeader[p] = view.leader(p);
        }
        int led = 0;
        int followed = 0;
        for (int i = 0; i < replicas.size(); i++) {
            PartitionState s = view.state(replicas.partitions[i]);
            if (s == null) {
                continue; // a topic created at runtime: it does not exist yet
            }
            if (s.leader() == brokerId) {
                leaderSide.adoptLeader(i, s);
                led++;
            } else if (s.hasLeader() && s.isr().size() > 0) {
                followerSide.adoptFollower(i, s);
                followed++;
            } else {
                replicas.role[i] = ReplicaTable.OFFLINE;
                replicas.leader[i] = s.leader();
                replicas.leaderEpoch[i] = s.leaderEpoch();
                replicas.partitionEpoch[i] = s.partitionEpoch();
                replicas.isrMask[i] = maskOf(s.partition(), s.isr());
            }
        }
        ctx.trace("warm-start", "broker " + brokerId + " adopted " + led + " leaders and " + followed + " followers");
    }

    /**
     * Log recovery at start: the high watermark is the checkpointed one (at most the log end); the
     * epoch cache loses entries at or past the log end. Before KIP-101 (planted bug
     * {@code replication.truncateToHighWatermark}) the log was also truncated to the high watermark.
     */
    private void recoverLogs() {
        boolean truncateToHw = config.getBoolean("replication.truncateToHighWatermark");
        for (int i = 0; i < replicas.size(); i++) {
            PartitionLog log = store.log(i);
            long leo = log == null ? 0 : log.logEndOffset();
            long hw = Math.min(store.checkpointedHighWatermark(i), leo);
            replicas.highWatermark[i] = hw;
            if (log != null) {
                log.truncateEpochCacheFromEnd(leo);
                if (truncateToHw && hw < leo) {
                    truncate(i, hw, "restart: truncate to high watermark (pre-KIP-101)");
                }
            }
        }
    }

    // ------------------------------------------------------------------ controlled shutdown

    /**
     * The operator's clean stop (SIGTERM): the broker begins a controlled shutdown in its own next
     * event (so a paused or busy broker handles it when it can), hands it to its agent
     * ({@link BrokerAgent#controlledShutdown}), and calls {@code readyToStop} once the control plane
     * let it go. {@code readyToStop} runs inside the broker's event handler: it must only schedule the
     * process's exit (a world action), never stop it in place. A second request is ignored.
     */
    public void controlledShutdown(Runnable readyToStop) {
        if (shutdownReady != null) {
            return;
        }
        shutdownReady = readyToStop;
        ctx.setTimer(BrokerTimer.CONTROLLED_SHUTDOWN, 0);
    }

    private Runnable shutdownReady;
    private boolean shuttingDown;

    private void beginControlledShutdown() {
        shuttingDown = true;
        ctx.trace("broker", "broker " + brokerId + " begins controlled shutdown");
        Runnable ready = shutdownReady;
        boolean[] once = new boolean[1];
        agent.controlledShutdown(() -> {
            if (once[0]) {
                throw new IllegalStateException("broker " + brokerId + ": controlled shutdown completed twice");
            }
            once[0] = true;
            ctx.trace("broker", "broker " + brokerId + " may stop now");
            ready.run();
        });
    }

    /** Whether this broker has begun a controlled shutdown. */
    public boolean isShuttingDown() {
        return shuttingDown;
    }

    // ------------------------------------------------------------------ routing

    @Override
    public void onMessage(NodeId from, Message message) {
        if (message instanceof ProduceRequest) {
            leaderSide.onProduce(from, (ProduceRequest) message);
        } else if (message instanceof FetchRequest) {
            FetchRequest r = (FetchRequest) message;
            if (r.replicaId() >= 0) {
                leaderSide.onFollowerFetch(from, r);
            } else {
                leaderReads.onConsumerFetch(from, r);
            }
        } else if (message instanceof FetchResponse) {
            followerSide.onFetchResponse(brokerIdOf(from), (FetchResponse) message);
        } else if (message instanceof OffsetsForLeaderEpochRequest) {
            leaderReads.onOffsetsForLeaderEpoch(from, (OffsetsForLeaderEpochRequest) message);
        } else if (message instanceof OffsetsForLeaderEpochResponse) {
            followerSide.onOffsetsForLeaderEpochResponse(brokerIdOf(from), (OffsetsForLeaderEpochResponse) message);
        } else if (message instanceof MetadataRequest) {
            onMetadata(from, (MetadataRequest) message);
        } else if (message instanceof ConnectionReset) {
            int peer = brokerIdOf(((ConnectionReset) message).peer());
            if (peer >= 0) {
                followerSide.onConnectionReset(peer);
            }
            agent.onMessage(from, message);
        } else if (message instanceof KafkaMessage) {
            throw new IllegalStateException("broker " + brokerId + " does not handle " + message.getClass().getSimpleName());
        } else if (!agent.onMessage(from, message)) {
            throw new IllegalStateException("broker " + brokerId + ": no handler for " + message + " from " + from);
        }
        leaderSide.wakeParkedFetches();
    }

    @Override
    public void onTimer(Object tag) {
        if (tag instanceof BrokerTimer.IsrExpiration) {
            leaderSide.expireIsr();
            ctx.setTimer(BrokerTimer.ISR_EXPIRATION, config.getMillisAsNanos("replica.lag.time.max.ms") / 2);
        } else if (tag instanceof BrokerTimer.HighWatermarkCheckpoint) {
            store.checkpointHighWatermarks(replicas.highWatermark); // one array copy: Kafka writes every partition's line too
            ctx.setTimer(BrokerTimer.HW_CHECKPOINT, config.getMillisAsNanos("replica.high.watermark.checkpoint.interval.ms"));
        } else if (tag instanceof BrokerTimer.ParkedFetchTimeout) {
            leaderSide.onParkedFetchTimeout((BrokerTimer.ParkedFetchTimeout) tag);
        } else if (tag instanceof BrokerTimer.FetchBackoff) {
            followerSide.onBackoffEnd(((BrokerTimer.FetchBackoff) tag).leaderId());
        } else if (tag instanceof BrokerTimer.FetchTimeout) {
            followerSide.onFetchTimeout((BrokerTimer.FetchTimeout) tag);
        } else if (tag instanceof BrokerTimer.EpochLookupTimeout) {
            followerSide.onEpochLookupTimeout((BrokerTimer.EpochLookupTimeout) tag);
        } else if (tag instanceof BrokerTimer.ControlledShutdown) {
            beginControlledShutdown();
        } else if (!agent.onTimer(tag)) {
            throw new IllegalStateException("broker " + brokerId + ": no handler for timer " + tag);
        }
        leaderSide.wakeParkedFetches();
    }

    private void onMetadata(NodeId from, MetadataRequest request) {
        int[] ps = request.partitions();
        int[] leaders = new int[ps.length];
        int[] epochs = new int[ps.length];
        for (int k = 0; k < ps.length; k++) {
            int p = ps[k];
            leaders[k] = p >= 0 && p < metadataLeader.length ? metadataLeader[p] : -1;
            int local = replicas.local(p);
            epochs[k] = local >= 0 ? replicas.leaderEpoch[local] : -1;
        }
        ctx.work(partitionCostNanos * Math.max(1, ps.length) / 4);
        ctx.send(from, new MetadataResponse(request.correlationId(), ps, leaders, epochs));
    }

    /** The broker id of a node, or -1 when it is not a broker (a client). */
    int brokerIdOf(NodeId node) {
        int index = node.index();
        if (index >= brokerIdByNode.length) {
            int old = brokerIdByNode.length;
            brokerIdByNode = Arrays.copyOf(brokerIdByNode, Math.max(index + 1, old * 2));
            Arrays.fill(brokerIdByNode, old, brokerIdByNode.length, Integer.MIN_VALUE);
        }
        int id = brokerIdByNode[index];
        if (id == Integer.MIN_VALUE) {
            id = ClusterSpec.brokerIdOf(node.name());
            brokerIdByNode[index] = id;
        }
        return id;
    }

    NodeId brokerNode(int id) {
        return ctx.node(ClusterSpec.brokerNodeName(id));
    }

    // ------------------------------------------------------------------ shared replica helpers

    /** The position of {@code broker} in the partition's assignment, or -1. */
    int slotOf(int partition, int broker) {
        int rf = cluster.replicationFactor(partition);
        for (int r = 0; r < rf; r++) {
            if (cluster.replica(partition, r) == broker) {
                return r;
            }
        }
        return -1;
    }

    int maskOf(int partition, it.unimi.dsi.fastutil.ints.IntList isr) {
        int mask = 0;
        for (int k = 0; k < isr.size(); k++) {
            int slot = slotOf(partition, isr.getInt(k));
            if (slot < 0) {
                throw new IllegalStateException("ISR member " + isr.getInt(k) + " is not a replica of " + cluster.partitionName(partition));
            }
            mask |= 1 << slot;
        }
        return mask;
    }

    it.unimi.dsi.fastutil.ints.IntArrayList idsOf(int partition, int mask) {
        it.unimi.dsi.fastutil.ints.IntArrayList out = new it.unimi.dsi.fastutil.ints.IntArrayList(Integer.bitCount(mask));
        int rf = cluster.replicationFactor(partition);
        for (int r = 0; r < rf; r++) {
            if ((mask & (1 << r)) != 0) {
                out.add(cluster.replica(partition, r));
            }
        }
        return out;
    }

    long logEndOffset(int local) {
        return store.logEndOffset(local);
    }

    /**
     * {@code log.flush.interval.messages}: fsync a log once that many messages are unflushed (default
     * {@code Long.MAX_VALUE}: never; the page cache's writeback decides). The fsync is charged as work.
     */
    void maybeFlush(PartitionLog log) {
        if (flushIntervalMessages != Long.MAX_VALUE && log.logEndOffset() - log.flushedOffset() >= flushIntervalMessages) {
            log.flush();
            ctx.work(ctx.storage().fsyncLatencyNanos());
        }
    }

    /** Truncates a local replica's log (never below 0) and keeps the high watermark at most the new end. */
    void truncate(int local, long offset, String reason) {
        PartitionLog log = store.log(local);
        long end = log == null ? 0 : log.logEndOffset();
        if (offset >= end) {
            return;
        }
        long hwBefore = replicas.highWatermark[local];
        log.truncateTo(offset);
        replicas.highWatermark[local] = Math.min(hwBefore, offset);
        int partition = replicas.partitions[local];
        observer.truncated(brokerId, partition, end, offset, hwBefore, reason);
        observer.touched(brokerId, partition);
        ctx.trace("truncate", cluster.partitionName(partition) + " " + end + " -> " + offset + " (" + reason + ")");
    }

    // ------------------------------------------------------------------ BrokerHandle

    @Override
    public int brokerId() {
        return brokerId;
    }

    @Override
    public NodeContext context() {
        return ctx;
    }

    @Override
    public ClusterSpec cluster() {
        return cluster;
    }

    @Override
    public void registered(long brokerEpoch) {
        this.brokerEpoch = brokerEpoch;
        ctx.trace("broker", "registered with broker epoch " + brokerEpoch);
    }

    @Override
    public void becomeLeaderOrFollower(List<PartitionState> states) {
        boolean traceEach = states.size() <= 64;
        int applied = 0;
        for (PartitionState s : states) {
            int p = s.partition();
            if (metadataLeader[p] != s.leader()) {
                metadataLeader[p] = s.leader();
            }
            int i = replicas.local(p);
            if (i < 0) {
                continue;
            }
            int currentEpoch = replicas.leaderEpoch[i];
            boolean newer = s.leaderEpoch() > currentEpoch
                    || (s.leaderEpoch() == currentEpoch && s.partitionEpoch() > replicas.partitionEpoch[i]);
            if (!newer) {
                if (traceEach) {
                    ctx.trace("stale-state", cluster.partitionName(p) + " ignored " + s + " at leader epoch " + currentEpoch);
                }
                continue;
            }
            applied++;
            if (s.leader() == brokerId) {
                leaderSide.becomeLeader(i, s, traceEach);
            } else if (s.hasLeader() && s.isr().size() > 0) {
                followerSide.becomeFollower(i, s, traceEach);
            } else {
                goOffline(i, s, traceEach);
            }
        }
        ctx.work(partitionCostNanos * states.size());
        if (!traceEach) {
            ctx.trace("leader-and-isr", applied + " of " + states.size() + " partition states applied");
        }
        leaderSide.wakeParkedFetches();
    }

    /** The partition has no leader: stop serving and fetching, keep the log. */
    private void goOffline(int i, PartitionState s, boolean traceEach) {
        leaderSide.resign(i);
        followerSide.stopFetching(i);
        replicas.role[i] = ReplicaTable.OFFLINE;
        replicas.leader[i] = s.leader();
        replicas.leaderEpoch[i] = s.leaderEpoch();
        replicas.partitionEpoch[i] = s.partitionEpoch();
        replicas.isrMask[i] = maskOf(s.partition(), s.isr());
        replicas.setFlag(i, ReplicaTable.VALIDATED, false);
        observer.touched(brokerId, s.partition());
        if (traceEach) {
            ctx.trace("offline", cluster.partitionName(s.partition()) + " has no leader at epoch " + s.leaderEpoch());
        }
    }

    @Override
    public void updateMetadata(List<PartitionState> states) {
        for (PartitionState s : states) {
            metadataLeader[s.partition()] = s.leader();
        }
        ctx.work(partitionCostNanos * states.size() / 4);
    }

    @Override
    public void stopReplicas(it.unimi.dsi.fastutil.ints.IntList partitions) {
        for (int k = 0; k < partitions.size(); k++) {
            int p = partitions.getInt(k);
            int i = replicas.local(p);
            if (i < 0 || replicas.role[i] == ReplicaTable.LEADER) {
                continue;
            }
            followerSide.stopFetching(i);
            replicas.role[i] = ReplicaTable.OFFLINE;
            replicas.setFlag(i, ReplicaTable.VALIDATED, false);
            observer.touched(brokerId, p);
            ctx.trace("stop-replica", cluster.partitionName(p) + " stopped at leader epoch " + replicas.leaderEpoch[i]);
        }
        ctx.work(partitionCostNanos * partitions.size());
    }

    @Override
    public void alterPartitionResponse(AlterPartitionResult result) {
        leaderSide.onAlterPartitionResponse(result);
        leaderSide.wakeParkedFetches();
    }

    @Override
    public int appliedLeaderEpoch(int partition) {
        int i = replicas.local(partition);
        return i < 0 ? -1 : replicas.leaderEpoch[i];
    }

    // ------------------------------------------------------------------ read-only views (invariants, tests)

    /** Whether this broker hosts the partition. */
    public boolean hosts(int partition) {
        return replicas.local(partition) >= 0;
    }

    /** Whether this broker is the leader of the partition it hosts. */
    public boolean isLeader(int partition) {
        int i = replicas.local(partition);
        return i >= 0 && replicas.role[i] == ReplicaTable.LEADER;
    }

    public boolean isFollower(int partition) {
        int i = replicas.local(partition);
        return i >= 0 && replicas.role[i] == ReplicaTable.FOLLOWER;
    }

    /** The ISR this broker has for the partition (committed, as last applied). */
    public int[] isr(int partition) {
        int i = requireLocal(partition);
        return idsOf(partition, replicas.isrMask[i]).toIntArray();
    }

    /** The leader's maximal ISR: committed ISR plus the in-flight proposal. */
    public int[] maximalIsr(int partition) {
        int i = requireLocal(partition);
        LeaderState ls = replicas.leaderStates[i];
        int mask = replicas.isrMask[i] | (ls != null && ls.alterInFlight() ? ls.proposedIsrMask : 0);
        return idsOf(partition, mask).toIntArray();
    }

    public int leaderEpoch(int partition) {
        return replicas.leaderEpoch[requireLocal(partition)];
    }

    public long highWatermark(int partition) {
        return replicas.highWatermark[requireLocal(partition)];
    }

    /** Whether this replica fetched successfully in its current leader epoch (or leads). */
    public boolean validated(int partition) {
        int i = requireLocal(partition);
        return replicas.role[i] == ReplicaTable.LEADER || replicas.hasFlag(i, ReplicaTable.VALIDATED);
    }

    /**
     * The log end offset this broker, as leader, last learned from follower {@code replica}'s fetches
     * (-1 when it has not fetched in this epoch, or this broker does not lead the partition).
     */
    /** The broker epoch of the last fetch of {@code replica} this leader saw for {@code partition}, or -1. */
    long followerBrokerEpoch(int partition, int replica) {
        int i = requireLocal(partition);
        LeaderState ls = replicas.leaderStates[i];
        int slot = slotOf(partition, replica);
        if (ls == null || slot < 0 || replica == brokerId) {
            return -1;
        }
        return ls.brokerEpoch(slot);
    }

    long followerLogEndOffset(int partition, int replica) {
        int i = requireLocal(partition);
        LeaderState ls = replicas.leaderStates[i];
        int slot = slotOf(partition, replica);
        if (ls == null || slot < 0 || replica == brokerId) {
            return -1;
        }
        return ls.followerLeo(slot);
    }

    public long logEndOffsetOf(int partition) {
        return logEndOffset(requireLocal(partition));
    }

    /** The leader broker this broker's metadata cache names for a partition (-1 unknown). */
    public int metadataLeader(int partition) {
        return metadataLeader[partition];
    }

    /** A read-only view of a replica's log on this broker's disk. */
    public ReplicaLogView log(int partition) {
        return ReplicaLogView.of(store, replicas.local(partition));
    }

    /** This broker's broker epoch (-1 before registration). */
    public long brokerEpoch() {
        return brokerEpoch;
    }

    private int requireLocal(int partition) {
        int i = replicas.local(partition);
        if (i < 0) {
            throw new IllegalArgumentException("broker " + brokerId + " does not host " + cluster.partitionName(partition));
        }
        return i;
    }

    @Override
    public String toString() {
        return "broker-" + brokerId;
    }
}
