package dev.faultline.raft.kraft;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.BrokerAgent;
import dev.faultline.core.control.BrokerHandle;
import dev.faultline.core.control.Errors;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.raft.kraft.ControllerMessage.AlterPartitionMessage;
import dev.faultline.raft.kraft.ControllerMessage.AlterPartitionReply;
import dev.faultline.raft.kraft.ControllerMessage.BrokerHeartbeatRequest;
import dev.faultline.raft.kraft.ControllerMessage.BrokerHeartbeatResponse;
import dev.faultline.raft.kraft.ControllerMessage.BrokerRegistrationRequest;
import dev.faultline.raft.kraft.ControllerMessage.BrokerRegistrationResponse;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.FollowerState;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.LogEntry;
import dev.faultline.raft.quorum.RaftListener;
import dev.faultline.raft.kraft.check.KRaftView;
import dev.faultline.raft.quorum.RaftNode;
import java.util.ArrayList;
import java.util.List;

/**
 * The KRaft side of a broker process (KIP-631): a Raft observer replaying {@code __cluster_metadata}
 * (committed records only, in order) into the broker's image and applying partition changes through
 * the {@link BrokerHandle}; registration; heartbeats every {@code broker.heartbeat.interval.ms} with
 * the replay offset; AlterPartition forwarding. Requests go to the Raft leader the observer knows
 * (else a random voter); a {@code NOT_CONTROLLER} answer names the leader to try next.
 *
 * <p>In combined mode ({@link KRaftControlPlane#combined}) the agent of a voter broker hosts the
 * Raft voter and a {@link QuorumController} on it: controller requests and timers go to the
 * controller, everything else of the broker side stays as for an observer, and both the controller
 * and the broker replay the same committed records.
 */
final class KRaftBrokerAgent implements BrokerAgent, RaftListener, KRaftView.BrokerProcess {
    private final KRaftControlPlane plane;
    private final int brokerId;
    private BrokerHandle broker;
    private NodeContext ctx;
    private RaftNode raft;
    /** Combined mode, voter brokers only: the quorum controller in this process; else {@code null}. */
    private QuorumController controller;
    private MetadataImage image;
    /**
     * Partitions replayed but not yet given to the broker, in first-change order (the image holds
     * the latest state of each); {@link #dirty} marks the members.
     */
    private final it.unimi.dsi.fastutil.ints.IntArrayList changed = new it.unimi.dsi.fastutil.ints.IntArrayList();
    private java.util.BitSet dirty;
    /** Whether this incarnation has given the broker its first metadata image (see {@link #maybePublish}). */
    private boolean published;
    private long incarnationId;
    private long brokerEpoch = -1;
    private int controllerHint = -1;

    /** Timer tags of the agent. */
    private enum AgentTimer { REGISTER, HEARTBEAT, SHUTDOWN_DEADLINE, METADATA_LOADER }

    /**
     * The broker's metadata loader ({@code MetadataLoader}'s event queue, beside the Raft client):
     * each delivery of committed records is one event that replays them at
     * {@code faultline.controller.record.cost.ns} per record (the same replay a standby controller
     * does) and then publishes the partitions it changed to the broker (whose replica manager pays
     * {@code faultline.broker.partition.cost.ns} per partition on the broker's own CPU).
     */
    private EventThread loader;
    /** The next offset the metadata loader replays: everything below it is in {@link #image}. */
    private long loadedOffset;
    private final java.util.ArrayList<LogEntry> commitEntries = new java.util.ArrayList<>();
    private long commitBase = -1;
    /** The next publish hands the broker every partition (after a snapshot replaced the image). */
    private boolean publishAll;
    /** When this broker writes its own snapshot (not in a combined node: its controller does). */
    private SnapshotGenerator snapshots;

    // Timer tags of the AlterPartition channel: their class names go into the trace's fingerprint, so they stay here.
    /** Timer tag: an AlterPartition of this partition got no answer. */
    record AlterTimeout(int partition) {
    }

    /** Timer tag: the back-off of this partition's AlterPartition after a NOT_CONTROLLER answer. */
    record AlterRetry(int partition) {
    }

    /** The AlterPartition requests the broker's partition leaders wait for. */
    private final AlterPartitionChannel alterChannel;

    KRaftBrokerAgent(KRaftControlPlane plane, int brokerId) {
        this.plane = plane;
        this.brokerId = brokerId;
        this.alterChannel = new AlterPartitionChannel(this, plane, brokerId);
    }

    @Override
    public void start(BrokerHandle handle) {
        this.broker = handle;
        this.ctx = handle.context();
        alterChannel.start(ctx, handle);
        this.image = new MetadataImage(plane.cluster());
        this.changed.clear();
        this.dirty = new java.util.BitSet();
        this.loader = new EventThread(ctx, AgentTimer.METADATA_LOADER, () -> plane.sim().slowFactor(ctx.self()));
        this.loadedOffset = 0;
        this.commitEntries.clear();
        this.publishAll = false;
        this.snapshots = plane.newSnapshotGenerator(ctx.now());
        this.incarnationId = ctx.random().nextLong();
        this.raft = plane.newRaftNode(ctx);
        if (plane.isCombined() && plane.isVoter(ctx.self())) {
            controller = new QuorumController(plane, ctx, raft);
            raft.setListener(new BothListeners(controller, this));
        } else {
            raft.setListener(this);
        }
        plane.agentStarted(ctx.self().index(), this);
        if (plane.takeWarmStart(ctx.self())) {
            warmStart(plane.warm());
            return;
        }
        raft.onStart();
        register();
    }

    /**
     * Warm start of this broker's first process: registered long ago (its broker epoch and
     * incarnation are the starting snapshot's), its image is that snapshot and already published
     * (the broker adopted its roles from the control plane's states before this agent started), so
     * it tells the broker its epoch at once, replays nothing, and sends its first heartbeat at the
     * random phase of {@code broker.heartbeat.interval.ms} the control plane drew for it. A combined node's controller starts from
     * the snapshot too, and the established leader resumes its epoch.
     */
    private void warmStart(WarmStart warm) {
        image.load(warm.image);
        loadedOffset = warm.snapshot.endOffset();
        published = true;
        incarnationId = warm.incarnation[brokerId];
        brokerEpoch = warm.brokerEpoch[brokerId];
        broker.registered(brokerEpoch);
        if (controller != null) {
            controller.warmStart(warm);
        }
        raft.assumeLoaded(warm.snapshot);
        if (warm.leader == ctx.self().index()) {
            raft.startAsEstablishedLeader(0);
        } else {
            raft.onStart();
        }
        ctx.setTimer(AgentTimer.HEARTBEAT, warm.firstHeartbeatNanos[brokerId]);
    }

    @Override
    public long brokerEpoch() {
        return brokerEpoch;
    }

    private int snapshotsLoaded;

    /** How many snapshots this broker process loaded (for tests). */
    int snapshotsLoaded() {
        return snapshotsLoaded;
    }

    /** The next offset this broker's metadata loader replays (its published metadata offset). */
    long loadedOffset() {
        return loadedOffset;
    }

    /** Events waiting in the metadata loader (0 when it has caught up with what Raft delivered). */
    @Override
    public int loaderBacklog() {
        return loader.backlog() + (commitEntries.isEmpty() ? 0 : 1);
    }

    /** The incarnation id this agent registers with (renewed after a STALE_BROKER_EPOCH answer). */
    @Override
    public long incarnationId() {
        return incarnationId;
    }

    @Override
    public RaftNode raft() {
        return raft;
    }

    /** The controller hosted by this broker (combined-mode voters), or {@code null}. */
    QuorumController controller() {
        return controller;
    }

    /** Combined mode: the controller hears every commit and state change first, then the broker's replay. */
    private record BothListeners(RaftListener first, RaftListener second) implements RaftListener {
        @Override
        public void onCommit(long offset, LogEntry entry) {
            first.onCommit(offset, entry);
            second.onCommit(offset, entry);
        }

        @Override
        public void onCommitsDone(long appliedOffset) {
            first.onCommitsDone(appliedOffset);
            second.onCommitsDone(appliedOffset);
        }

        @Override
        public void onLoadSnapshot(dev.faultline.raft.quorum.RaftSnapshot snapshot) {
            first.onLoadSnapshot(snapshot);
            second.onLoadSnapshot(snapshot);
        }

        @Override
        public void onStateChange(EpochState from, EpochState to) {
            first.onStateChange(from, to);
            second.onStateChange(from, to);
        }
    }

    private static boolean isControllerRequest(Message m) {
        return m instanceof BrokerRegistrationRequest || m instanceof BrokerHeartbeatRequest || m instanceof AlterPartitionMessage;
    }

    // ------------------------------------------------------------------ routing

    @Override
    public boolean onMessage(NodeId from, Message message) {
        if (message instanceof dev.faultline.core.control.AdminMessage.CreateTopicsRequest r) {
            if (controller != null) {
                controller.onMessage(from, message);
            } else {
                ctx.send(from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(r.correlationId(), r.topic(),
                        Errors.NOT_CONTROLLER, null));
            }
            return true;
        }
        if (message instanceof ControllerMessage) {
            if (isControllerRequest(message)) {
                if (controller == null) {
                    throw new IllegalStateException("broker-" + brokerId + " is no controller but got " + message + " from " + from);
                }
                controller.onMessage(from, message);
            } else {
                onControllerMessage(from, (ControllerMessage) message);
            }
            return true;
        }
        if (RaftNode.ownsMessage(message)) {
            if (message instanceof ConnectionReset && !plane.isVoter(((ConnectionReset) message).peer())) {
                return true;
            }
            raft.onMessage(from, message);
            return true;
        }
        return false;
    }

    @Override
    public boolean onTimer(Object tag) {
        if (controller != null && controller.onTimer(tag)) {
            return true;
        }
        if (RaftNode.ownsTimer(tag)) {
            raft.onTimer(tag);
        } else if (loader.owns(tag)) {
            loader.onTimer();
        } else if (tag == AgentTimer.REGISTER) {
            register();
        } else if (tag == AgentTimer.HEARTBEAT) {
            heartbeat();
        } else if (tag == AgentTimer.SHUTDOWN_DEADLINE) {
            exit("timed out waiting for the controller to approve controlled shutdown");
        } else if (tag instanceof AlterRetry r) {
            alterChannel.onRetry(r.partition());
        } else if (tag instanceof AlterTimeout t) {
            alterChannel.onTimeout(t.partition());
        } else {
            return false;
        }
        return true;
    }

    /**
     * Where controller requests go: like Kafka's {@code RaftControllerNodeProvider}, the Raft leader
     * this broker's own observer follows comes first; the last {@code NOT_CONTROLLER} hint or
     * answering controller only while the observer knows no leader; else a random voter. (Hints
     * first let a late, stale hint naming a dead controller win over the leader the observer had
     * already learnt, and heartbeats went to a powered-off node until the broker was fenced and
     * never unfenced: KM-L2, fuzz kraft seed 198.)
     */
    NodeId controllerTarget() {
        int target = raft.knownLeader();
        if (target < 0 || !plane.isVoter(target)) {
            target = controllerHint;
        }
        if (target < 0 || !plane.isVoter(target)) {
            int[] voters = plane.voterIds();
            target = voters[ctx.random().nextInt(voters.length)];
        }
        return plane.peers()[target];
    }

    // ------------------------------------------------------------------ lifecycle

    private void register() {
        ctx.send(controllerTarget(), new BrokerRegistrationRequest(brokerId, incarnationId));
        ctx.setTimer(AgentTimer.REGISTER, plane.quorumConfig().requestTimeoutNanos());
    }

    private void heartbeat() {
        ctx.send(controllerTarget(), new BrokerHeartbeatRequest(brokerId, brokerEpoch, loadedOffset, shutdownReady != null));
        ctx.setTimer(AgentTimer.HEARTBEAT, plane.heartbeatIntervalNanos());
    }

    private void onControllerMessage(NodeId from, ControllerMessage m) {
        if (m instanceof BrokerRegistrationResponse) {
            BrokerRegistrationResponse r = (BrokerRegistrationResponse) m;
            if (r.error() == Errors.NONE) {
                if (brokerEpoch < 0) {
                    brokerEpoch = r.brokerEpoch();
                    ctx.cancelTimer(AgentTimer.REGISTER);
                    broker.registered(brokerEpoch);
                    heartbeat();
                    loader.append(this::maybePublish); // the replay may already be past the registration record
                }
            } else {
                retarget(r.leaderHint());
            }
        } else if (m instanceof BrokerHeartbeatResponse) {
            BrokerHeartbeatResponse r = (BrokerHeartbeatResponse) m;
            if (r.error() == Errors.NOT_CONTROLLER) {
                retarget(r.leaderHint());
            } else if (shutdownReady != null && r.error() == Errors.NONE) {
                controllerHint = from.index();
                onShutdownHeartbeatResponse(r);
            } else if (r.error() == Errors.STALE_BROKER_EPOCH && shutdownReady != null) {
                exit("its registration is gone (STALE_BROKER_EPOCH)");
            } else if (r.error() == Errors.STALE_BROKER_EPOCH) {
                // Kafka shuts such a broker down; the model registers the incarnation again.
                brokerEpoch = -1;
                ctx.cancelTimer(AgentTimer.HEARTBEAT);
                incarnationId = ctx.random().nextLong();
                register();
            } else {
                controllerHint = from.index();
            }
        } else if (m instanceof AlterPartitionReply) {
            alterChannel.onReply(from, (AlterPartitionReply) m);
        }
    }

    // ------------------------------------------------------------------ controlled shutdown (docs/model.md#controlled-shutdown)

    /** The broker's wish to exit while its controlled shutdown runs; {@code null} otherwise. */
    private Runnable shutdownReady;
    /** Whether an answer to a {@code wantShutDown} heartbeat came already. */
    private boolean gotShutdownResponse;

    /**
     * How long the broker waits for the controller's approval before it exits anyway: Kafka's
     * {@code BrokerServer.shutdown} waits on the lifecycle manager's controlled-shutdown future with
     * a 5-minute limit (as we read it; not a configuration property).
     */
    static final long SHUTDOWN_WAIT_NANOS = 5 * 60 * dev.faultline.core.kernel.Time.SECOND;

    /**
     * {@code BrokerLifecycleManager.beginControlledShutdown}: heartbeats carry {@code wantShutDown}
     * from now on, the first at once; the broker exits when the controller answers
     * {@code shouldShutDown} (or after {@link #SHUTDOWN_WAIT_NANOS}). A broker that is not
     * registered, or with {@code controlled.shutdown.enable=false}, exits at once.
     */
    @Override
    public void controlledShutdown(Runnable readyToStop) {
        shutdownReady = readyToStop;
        if (!plane.cluster().config().getBoolean("controlled.shutdown.enable")) {
            exit("controlled.shutdown.enable is false");
            return;
        }
        if (brokerEpoch < 0) {
            exit("not registered");
            return;
        }
        ctx.trace("kraft-broker", "broker-" + brokerId + " asks to shut down (wantShutDown)");
        ctx.setTimer(AgentTimer.SHUTDOWN_DEADLINE, SHUTDOWN_WAIT_NANOS);
        heartbeat();
    }

    /**
     * While the controller holds the broker in controlled shutdown the next heartbeat goes 50 ms
     * after the first answer (Kafka's lifecycle manager does so to finish quickly), then at the
     * usual interval.
     */
    private void onShutdownHeartbeatResponse(BrokerHeartbeatResponse r) {
        if (r.shouldShutDown()) {
            exit("the controller approved controlled shutdown");
            return;
        }
        if (!gotShutdownResponse) {
            gotShutdownResponse = true;
            ctx.setTimer(AgentTimer.HEARTBEAT, 50 * dev.faultline.core.kernel.Time.MILLISECOND);
        }
    }

    private void exit(String why) {
        ctx.trace("kraft-broker", "broker-" + brokerId + " exits: " + why);
        ctx.cancelTimer(AgentTimer.HEARTBEAT);
        ctx.cancelTimer(AgentTimer.SHUTDOWN_DEADLINE);
        Runnable ready = shutdownReady;
        shutdownReady = null;
        ready.run();
    }

    void retarget(int leaderHint) {
        controllerHint = leaderHint >= 0 && plane.isVoter(leaderHint) ? leaderHint : -1;
    }

    @Override
    public void alterPartition(AlterPartitionRequest request) {
        alterChannel.alterPartition(request);
    }

    /** The correlation id of partition {@code p}'s latest AlterPartition copy, or -1 when none is queued (tests). */
    long alterSendId(int p) {
        return alterChannel.sendId(p);
    }

    /** The voter whose last NOT_CONTROLLER hint or answer this broker follows while its observer knows no leader, or -1. */
    int controllerHint() {
        return controllerHint;
    }

    // ------------------------------------------------------------------ metadata replay

    @Override
    public void onCommit(long offset, LogEntry entry) {
        if (commitEntries.isEmpty()) {
            commitBase = offset;
        }
        commitEntries.add(entry);
    }

    @Override
    public void onCommitsDone(long appliedOffset) {
        if (commitEntries.isEmpty()) {
            return;
        }
        java.util.List<LogEntry> entries = new java.util.ArrayList<>(commitEntries);
        long base = commitBase;
        commitEntries.clear();
        long bytes = SnapshotGenerator.wireBytes(entries);
        boolean aligned = SnapshotGenerator.batchAligned(raft, appliedOffset);
        loader.append(() -> load(base, entries, bytes, aligned));
    }

    /**
     * {@code MetadataLoader.handleLoadSnapshot}: the image becomes the snapshot's (its records
     * replayed at the per-record cost), and the next publish hands the broker every partition.
     */
    @Override
    public void onLoadSnapshot(dev.faultline.raft.quorum.RaftSnapshot snapshot) {
        commitEntries.clear();
        loader.append(() -> {
            MetadataSnapshot s = (MetadataSnapshot) snapshot.image();
            image.load(s);
            loader.charge(s.recordCount * plane.settings().recordCostNanos);
            loadedOffset = snapshot.endOffset();
            changed.clear();
            dirty.clear();
            publishAll = true;
            snapshotsLoaded++;
            snapshots.reset(ctx.now());
            ctx.trace("kraft-broker", "broker-" + brokerId + " loaded " + snapshot + " (" + s.recordCount + " records)");
            loader.defer(this::maybePublish);
        });
    }

    /** {@code MetadataLoader.handleCommit}: replay the delivered records, then publish the new image. */
    private void load(long base, java.util.List<LogEntry> entries, long bytes, boolean aligned) {
        if (base + entries.size() <= loadedOffset) {
            return; // already in a snapshot this loader loaded
        }
        for (int i = (int) Math.max(0, loadedOffset - base); i < entries.size(); i++) {
            LogEntry e = entries.get(i);
            if (e.payload() instanceof MetadataRecord) {
                PartitionState s = image.apply(base + i, (MetadataRecord) e.payload());
                loader.charge(plane.settings().recordCostNanos);
                if (s != null && !dirty.get(s.partition())) {
                    dirty.set(s.partition());
                    changed.add(s.partition());
                }
            }
        }
        loadedOffset = base + entries.size();
        if (controller == null && snapshots.replayed(bytes, ctx.now(), aligned) && loadedOffset >= raft.log().startOffset()) {
            LogEntry last = entries.get(entries.size() - 1);
            raft.addSnapshot(plane.snapshot(image, loadedOffset, last.epoch(), last.chainHash(), ctx.now()));
            snapshots.reset(ctx.now());
        }
        loader.defer(this::maybePublish);
    }

    /**
     * Gives the broker the partition states replayed since the last call, only the latest per
     * partition (Kafka publishes a metadata image, never the intermediate states of a replay). A
     * new incarnation publishes nothing before it has registered and replayed its own
     * {@code RegisterBrokerRecord} (BrokerServer waits for the lifecycle manager's initial catch-up
     * before the replica manager sees any metadata, KIP-631). Without this, a broker restarted
     * after a power loss took leadership from the stale start of its replay: leader at an old epoch
     * with an empty log while the quorum could not fence it (committed data lost, DP-S1, fuzz
     * kraft seed 8), or leader at an epoch it had already followed past, rewriting its epoch cache
     * and truncating below its high watermark (DP-S3, fuzz kraft seed 49).
     */
    private void maybePublish() {
        if (changed.isEmpty() && !publishAll) {
            return;
        }
        if (!published && (brokerEpoch < 0 || loadedOffset <= brokerEpoch)) {
            return;
        }
        published = true;
        List<PartitionState> states;
        if (publishAll) {
            // The image was replaced by a snapshot: every partition it holds, in partition order.
            int count = plane.cluster().partitionCount();
            states = new ArrayList<>();
            for (int p = 0; p < count; p++) {
                PartitionState s = image.partition(p);
                if (s != null) {
                    states.add(s);
                }
            }
            publishAll = false;
            dirty.clear();
        } else {
            states = new ArrayList<>(changed.size());
            for (int i = 0; i < changed.size(); i++) {
                int p = changed.getInt(i);
                states.add(image.partition(p));
                dirty.clear(p);
            }
        }
        changed.clear();
        plane.checks().onBrokerApplied(brokerId, loadedOffset);
        broker.becomeLeaderOrFollower(states);
        broker.updateMetadata(states);
    }

    @Override
    public void onStateChange(EpochState from, EpochState to) {
        if (to instanceof FollowerState) {
            controllerHint = ((FollowerState) to).leaderId();
            plane.onBrokerLearnedLeader(brokerId, ((FollowerState) to).leaderId());
        } else if (to instanceof LeaderState) {
            // Combined mode: this broker's own voter leads; its controller is the one to ask.
            controllerHint = ctx.self().index();
            plane.onBrokerLearnedLeader(brokerId, ctx.self().index());
        }
    }
}
