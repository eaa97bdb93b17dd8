package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.BrokerAgent;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlHistory;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.ControlPlaneContext;
import dev.faultline.core.control.FailoverRecorder;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.control.PartitionStateView;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.zookeeper.check.ZkInvariants;
import dev.faultline.zookeeper.ensemble.CreateMode;
import dev.faultline.zookeeper.ensemble.DataTree;
import dev.faultline.zookeeper.ensemble.Op;
import dev.faultline.zookeeper.ensemble.Stat;
import dev.faultline.zookeeper.ensemble.Txn;
import dev.faultline.zookeeper.ensemble.TxnEntry;
import dev.faultline.zookeeper.ensemble.ZkConfig;
import dev.faultline.zookeeper.ensemble.ZkDisk;
import dev.faultline.zookeeper.ensemble.ZkEnsemble;
import dev.faultline.zookeeper.ensemble.ZkServer;
import dev.faultline.zookeeper.ensemble.Zxid;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.ArrayList;
import java.util.List;

/**
 * Kafka's ZooKeeper mode (docs/model.md#zookeeper-mode-controller): a ZAB ensemble {@code zk-1..N};
 * every broker's agent holds a ZooKeeper session, registers {@code /brokers/ids/N}, takes part in
 * the {@code /controller} election, and the winner runs the {@link ZkController}.
 *
 * <p>Topics created at runtime ({@link #createTopic}) go through an admin client and the controller;
 * the others were created before the run: the initial znodes (one {@code multi} per topic with
 * its partitions' state znodes, preferred replica leading, every replica in sync) are written into
 * every ZooKeeper server's transaction log at epoch 0, and {@code /controller_epoch} starts at 0.
 */
public final class ZkControlPlane implements ControlPlane {
    private final int ensembleSize;
    private final ZkConfig zkConfig;
    private ControlPlaneContext context;
    private Simulation sim;
    private ClusterSpec cluster;
    private ZkEnsemble ensemble;
    private ZkBrokerAgent[] agents;
    /** The broker nodes by broker id (looked up once: checks read them after every event). */
    private NodeId[] brokerNodes;
    /** Per broker id, the partitions it hosts (built on first use; {@link ClusterSpec#partitionsOf} scans every partition). */
    private int[][] hostedPartitions;
    private final KzChecks checks = new KzChecks(() -> this.sim.now());
    private long sessionTimeoutNanos;
    /** Where the servers keep the partition znodes in columns. */
    private KafkaZnodes.Layout layout;

    public ZkControlPlane(int ensembleSize, ZkConfig zkConfig) {
        this.ensembleSize = ensembleSize;
        this.zkConfig = zkConfig;
    }

    public ZkControlPlane() {
        this(3, ZkConfig.defaults());
    }

    @Override
    public String mode() {
        return "zookeeper";
    }

    @Override
    public void install(ControlPlaneContext context) {
        this.context = context;
        this.sim = context.simulation();
        this.cluster = context.cluster();
        this.sessionTimeoutNanos = cluster.config().getMillisAsNanos("zookeeper.session.timeout.ms");
        this.layout = new KafkaZnodes.Layout(cluster);
        this.ensemble = ZkEnsemble.create(sim, ensembleSize, zkConfig, layout, cluster.warmStart());
        this.agents = new ZkBrokerAgent[cluster.maxBrokerId() + 1];
        this.brokerNodes = new NodeId[cluster.maxBrokerId() + 1];
        this.hostedPartitions = new int[cluster.maxBrokerId() + 1][];
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            brokerNodes[b.id()] = sim.node(ClusterSpec.brokerNodeName(b.id()));
        }
        ZkInvariants.addAll(sim, ensemble);
        sim.addInvariant(checks.invariant("KZ-S1"));
        sim.addInvariant(checks.invariant("KZ-S2"));
        sim.addInvariant(checks.invariant("KZ-S3"));
        sim.addInvariant(checks.invariant("KZ-S4"));
        sim.addInvariant(checks.invariant("KZ-S5"));
        sim.addInvariant(checks.invariant("KZ-S7"));
        sim.addInvariant(checks.invariant("KZ-S6"));
        long negotiatedSessionNanos = zkConfig.negotiateSessionTimeout(sessionTimeoutNanos);
        if (!checks.isDisabled(ControllerAvailability.ID)) {
            sim.addInvariant(new ControllerAvailability(this, sim, cluster, negotiatedSessionNanos, zkConfig.tickTimeNanos()));
        }
        if (!checks.isDisabled(PartitionAvailability.ID)
                && Boolean.parseBoolean(cluster.config().getString("faultline.check.kz.l2", "true"))) {
            sim.addInvariant(new PartitionAvailability(this, sim, cluster, negotiatedSessionNanos, zkConfig.tickTimeNanos()));
        }
        List<TxnEntry> initial = initialZnodes();
        if (cluster.warmStart()) {
            initial = new ArrayList<>(initial);
            initial.addAll(warmStart(negotiatedSessionNanos));
            baseTree = new DataTree(layout);
            for (TxnEntry e : initial) {
                baseTree.apply(e);
            }
        }
        for (NodeId server : ensemble.servers()) {
            ZkDisk disk = new ZkDisk(sim.storage(server));
            for (TxnEntry e : initial) {
                disk.log().append(e);
            }
            disk.log().sync();
            if (cluster.warmStart()) {
                // The ensemble established epoch 1 before the run (it committed the sessions below in it).
                disk.acceptedEpochFile().set(1L);
                disk.acceptedEpochFile().sync();
                disk.currentEpochFile().set(1L);
                disk.currentEpochFile().sync();
            }
        }
    }

    /** What a broker's first process in a warm run resumes: its session, registration and view of the controller. */
    record WarmBroker(int brokerId, long sessionId, long negotiatedTimeoutNanos, long brokerEpoch, long lastZxid, int controllerId,
                      int controllerEpoch, int epochZkVersion, List<String> dataWatches, List<String> childWatches) {
    }

    /** Per broker id, the warm state its first agent takes ({@link #takeWarmStart}); null when cold or taken. */
    private WarmBroker[] warmBrokers;
    /** The tree every server of a warm start loads (the authoritative state until a server has started). */
    private DataTree baseTree;

    /**
     * Warm start, control-plane part (ZooKeeper mode): the established cluster's transactions, after
     * the initial topics, at epoch 1 (every server's acceptedEpoch and currentEpoch): each broker's
     * session (id drawn from the seeded {@code zk-warm-start} stream, the negotiated timeout) and its
     * ephemeral {@code /brokers/ids/N} (its czxid is the broker epoch), then the controller election
     * of a broker drawn from the same stream ({@code /controller}, {@code /controller_epoch} = 1).
     * At start the servers load these logs at no CPU cost and run the usual election, discovery and
     * (empty) sync, about half a second; the new leader tracks every session with a full timeout.
     * Each broker's first process resumes its session with the watches Kafka holds in steady state
     * (every broker a data watch on {@code /controller}; the controller child watches on
     * {@code /brokers/ids} and {@code /brokers/topics} and a data watch per topic), knows the
     * controller, and the controller's context is the partitions' initial states, already loaded:
     * no failover load and no LeaderAndIsr or UpdateMetadata before the first fault (the brokers
     * adopt their roles themselves). Client pings and the controller's auto-rebalance check start at
     * phases drawn from seeded streams.
     */
    private List<TxnEntry> warmStart(long negotiatedSessionNanos) {
        dev.faultline.core.kernel.SimRandom random = sim.random("zk-warm-start");
        List<TxnEntry> out = new ArrayList<>();
        int counter = 0;
        int brokers = cluster.brokers().size();
        long[] sessions = new long[brokers];
        long[] origins = new long[brokers];
        long[] epochs = new long[brokers];
        it.unimi.dsi.fastutil.longs.LongAVLTreeSet used = new it.unimi.dsi.fastutil.longs.LongAVLTreeSet();
        for (int i = 0; i < brokers; i++) {
            long origin = 1 + random.nextInt(ensembleSize);
            long id;
            do {
                id = (origin << 56) | (random.nextLong() & 0x00ff_ffff_ffff_ffffL);
            } while (!used.add(id));
            sessions[i] = id;
            origins[i] = origin;
            out.add(new TxnEntry(Zxid.make(1, ++counter), origin, id, 0, new Txn.CreateSession(id, negotiatedSessionNanos)));
        }
        for (int i = 0; i < brokers; i++) {
            int b = cluster.brokers().get(i).id();
            long zxid = Zxid.make(1, ++counter);
            epochs[i] = zxid;
            out.add(new TxnEntry(zxid, origins[i], sessions[i], 1, new Txn.Ops(List.of(
                    new Op.Create(KafkaZnodes.brokerPath(b), "PLAINTEXT://broker-" + b, CreateMode.EPHEMERAL)), false)));
        }
        int controllerIndex = random.nextInt(brokers);
        int controllerId = cluster.brokers().get(controllerIndex).id();
        long last = Zxid.make(1, ++counter);
        out.add(new TxnEntry(last, origins[controllerIndex], sessions[controllerIndex], 2, new Txn.Ops(List.of(
                new Op.Create(KafkaZnodes.CONTROLLER, Integer.toString(controllerId), CreateMode.EPHEMERAL),
                new Op.SetData(KafkaZnodes.CONTROLLER_EPOCH, "1", 0)), true)));
        warmBrokers = new WarmBroker[cluster.maxBrokerId() + 1];
        List<String> topicWatches = new ArrayList<>();
        for (ClusterSpec.TopicSpec t : cluster.topics()) {
            if (!cluster.createdAtRuntime(t.name())) {
                topicWatches.add(KafkaZnodes.topicPath(t.name()));
            }
        }
        for (int i = 0; i < brokers; i++) {
            int b = cluster.brokers().get(i).id();
            boolean controls = b == controllerId;
            List<String> data = new ArrayList<>(List.of(KafkaZnodes.CONTROLLER));
            List<String> children = new ArrayList<>();
            if (controls) {
                data.addAll(topicWatches);
                children.add(KafkaZnodes.BROKER_IDS);
                children.add(KafkaZnodes.TOPICS);
            }
            warmBrokers[b] = new WarmBroker(b, sessions[i], negotiatedSessionNanos, epochs[i], last, controllerId, 1, 1, data, children);
        }
        return out;
    }

    /** The warm state of broker {@code brokerId}'s first process, once (null in a cold run and for later processes). */
    WarmBroker takeWarmStart(int brokerId) {
        if (warmBrokers == null || brokerId >= warmBrokers.length) {
            return null;
        }
        WarmBroker w = warmBrokers[brokerId];
        warmBrokers[brokerId] = null;
        return w;
    }

    /** The live brokers and their broker epochs as a warm start's controller knows them. */
    it.unimi.dsi.fastutil.ints.Int2LongAVLTreeMap warmBrokerEpochs() {
        it.unimi.dsi.fastutil.ints.Int2LongAVLTreeMap out = new it.unimi.dsi.fastutil.ints.Int2LongAVLTreeMap();
        DataTree tree = baseTree;
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            Stat stat = tree.stat(KafkaZnodes.brokerPath(b.id()));
            if (stat != null) {
                out.put(b.id(), stat.czxid());
            }
        }
        return out;
    }

    /**
     * The znodes of a cluster created before the run: the base znodes, then one transaction with
     * every topic's znode and {@code partitions} znode and, as one compact op, every partition znode
     * and state znode (preferred replica leading, every replica in sync, epochs 0). Kafka wrote these
     * topic by topic long ago; one transaction keeps the servers' logs and trees small (the servers
     * share the columns it creates).
     */
    private List<TxnEntry> initialZnodes() {
        List<TxnEntry> out = new ArrayList<>();
        List<Op> base = List.of(new Op.Create(KafkaZnodes.BROKERS, "", CreateMode.PERSISTENT),
                new Op.Create(KafkaZnodes.BROKER_IDS, "", CreateMode.PERSISTENT),
                new Op.Create(KafkaZnodes.TOPICS, "", CreateMode.PERSISTENT),
                new Op.Create(KafkaZnodes.CONTROLLER_EPOCH, "0", CreateMode.PERSISTENT));
        out.add(new TxnEntry(Zxid.make(0, 1), 0, 0, 0, new Txn.Ops(base, true)));
        List<Op> ops = new ArrayList<>();
        IntArrayList parents = new IntArrayList();
        long znodes = 0;
        long bytes = 0;
        for (int t = 0; t < cluster.topics().size(); t++) {
            ClusterSpec.TopicSpec topic = cluster.topics().get(t);
            if (cluster.createdAtRuntime(topic.name())) {
                continue; // created by an admin during the run (createTopic)
            }
            ops.add(new Op.Create(KafkaZnodes.topicPath(topic.name()), "assignment", CreateMode.PERSISTENT));
            ops.add(new Op.Create(KafkaZnodes.partitionsPath(topic.name()), "", CreateMode.PERSISTENT));
            parents.add(t);
            znodes += 2L * topic.partitions();
            int first = cluster.topicFirstPartition(topic.name());
            for (int i = 0; i < topic.partitions(); i++) {
                // A create of the partition znode and of its state znode, as Kafka's topic creation writes them.
                bytes += 80 + 2L * KafkaZnodes.partitionPath(topic.name(), i).length() + layout.stateBytes(first + i);
            }
        }
        if (!parents.isEmpty()) {
            ops.add(new Op.CreatePartitions(parents.toIntArray(), znodes, (int) Math.min(Integer.MAX_VALUE, bytes)));
            out.add(new TxnEntry(Zxid.make(0, 2), 0, 0, 0, new Txn.Ops(ops, true)));
        }
        return out;
    }

    @Override
    public BrokerAgent newBrokerAgent(int brokerId) {
        ZkBrokerAgent agent = new ZkBrokerAgent(this, brokerId);
        agents[brokerId] = agent;
        controllersChanged();
        return agent;
    }

    // The answers below are read after every event by checks and watchers (FailoverWatch, DP-L1,
    // KZ-L1, KZ-L2). They depend only on which processes run or are paused (Simulation's lifecycle
    // version) and on the brokers' controllers (activated, resigned, event thread paused or resumed:
    // controllersChanged), so each is computed again only when one of those moved, not per event.
    private long controllersVersion;
    private long activeCachedLifecycle = -1;
    private long activeCachedControllers = -1;
    private int activeCached = -1;
    private long pausedCachedLifecycle = -1;
    private long pausedCachedControllers = -1;
    private boolean threadPausedCached;

    /** A broker's controller was created, resigned, or had its event thread paused or resumed. */
    void controllersChanged() {
        controllersVersion++;
    }

    @Override
    public NodeId activeController() {
        int b = activeControllerBroker();
        return b < 0 ? null : brokerNode(b);
    }

    /**
     * Whether the active controller's event thread has an event in progress or queued: an
     * AlterPartition reaching it now waits behind them (docs/model.md#the-controllers-event-queue-and-request-channels).
     */
    @Override
    public boolean activeControllerBusy() {
        int b = activeControllerBroker();
        return b >= 0 && agents[b].isControllerBusy();
    }

    /** The broker whose controller is active with the highest epoch and whose process is up, or -1. */
    private int activeControllerBroker() {
        if (activeCachedLifecycle == sim.lifecycleVersion() && activeCachedControllers == controllersVersion) {
            return activeCached;
        }
        int best = -1;
        int bestEpoch = -1;
        for (int b = 0; b < agents.length; b++) {
            ZkBrokerAgent a = agents[b];
            if (a != null && a.isActiveController() && a.controllerEpoch() > bestEpoch) {
                if (sim.isUp(brokerNode(b))) {
                    best = b;
                    bestEpoch = a.controllerEpoch();
                }
            }
        }
        activeCachedLifecycle = sim.lifecycleVersion();
        activeCachedControllers = controllersVersion;
        activeCached = best;
        return best;
    }

    /** The epoch of the active controller if it finished its failover load (read only, for measurements), else -1. */
    public int readyControllerEpoch() {
        NodeId active = activeController();
        ZkBrokerAgent a = active == null ? null : agents[ClusterSpec.brokerIdOf(active.name())];
        return a != null && a.isReadyController() ? a.controllerEpoch() : -1;
    }

    @Override
    public List<NodeId> controllerCandidates() {
        List<NodeId> out = new ArrayList<>();
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            out.add(brokerNode(b.id()));
        }
        return out;
    }

    /**
     * The committed partition states: read from the ZooKeeper server with the most applied state, in
     * O(1) from its columns (no path, no text).
     */
    @Override
    public PartitionStateView partitionStates() {
        return view;
    }

    private final int[] stateFields = new int[5];

    private final PartitionStateView view = new PartitionStateView() {
        @Override
        public PartitionState state(int partition) {
            DataTree tree = authoritativeTree();
            if (tree == null) {
                return null;
            }
            if (tree.compactState(partition, stateFields)) {
                return new PartitionState(partition, stateFields[0], stateFields[1],
                        KafkaZnodes.Isr.unpack(cluster, partition, stateFields[3]), stateFields[4]);
            }
            String path = layout.path(partition, true);
            Stat stat = tree.stat(path);
            return stat == null ? null : KafkaZnodes.StateData.decode(tree.data(path)).toState(partition, stat.version());
        }

        @Override
        public int leader(int partition) {
            DataTree tree = authoritativeTree();
            if (tree != null && tree.compactState(partition, stateFields)) {
                return stateFields[0];
            }
            return PartitionStateView.super.leader(partition);
        }
    };

    /**
     * The data tree of the ZooKeeper server with the most applied state (omniscient; for checks and
     * the authoritative view). In a warm start, before any server has started (brokers start first
     * and adopt their roles from it), the state every server is about to load.
     */
    DataTree authoritativeTree() {
        if (serversLifecycle != sim.lifecycleVersion()) {
            // The running server processes change only with the simulation's lifecycle version.
            serversLifecycle = sim.lifecycleVersion();
            List<NodeId> ids = ensemble.servers();
            if (servers == null) {
                servers = new ZkServer[ids.size()];
            }
            serversStarted = false;
            for (int i = 0; i < ids.size(); i++) {
                servers[i] = ensemble.process(ids.get(i));
                serversStarted |= sim.incarnation(ids.get(i)) > 0;
            }
        }
        DataTree best = null;
        for (ZkServer s : servers) {
            if (s != null && s.dataTree() != null && (best == null || s.dataTree().lastProcessedZxid() > best.lastProcessedZxid())) {
                best = s.dataTree();
            }
        }
        if (serversStarted) {
            baseTree = null; // only needed before the servers start
        }
        return best == null && !serversStarted ? baseTree : best;
    }

    /** The ZooKeeper server processes running at lifecycle version {@link #serversLifecycle}, in ensemble order. */
    private ZkServer[] servers;
    private long serversLifecycle = -1;
    private boolean serversStarted;

    /**
     * An admin client ({@code admin-client}, added on first use) sends CreateTopics to the brokers
     * until the controller accepts it (see {@link ControlPlane#createTopic}).
     */
    @Override
    public void createTopic(String topic) {
        if (!cluster.createdAtRuntime(topic)) {
            throw new IllegalArgumentException("topic " + topic + " is not created at runtime");
        }
        dev.faultline.core.control.TopicAdminClient.in(sim, controllerCandidates()).createTopic(topic);
    }

    /** The last {@link #controllerEpochZnode} answer (its text is parsed again only when its mzxid changes). */
    private long[] controllerEpochCache;

    /** The committed {@code /controller_epoch} as {value, mzxid} (omniscient, for KZ-S2), or null. Do not modify. */
    long[] controllerEpochZnode() {
        DataTree tree = authoritativeTree();
        long mzxid = tree == null ? -1 : tree.mzxid(KafkaZnodes.CONTROLLER_EPOCH);
        if (mzxid < 0) {
            return null;
        }
        if (controllerEpochCache == null || controllerEpochCache[1] != mzxid) {
            controllerEpochCache = new long[] {Long.parseLong(tree.data(KafkaZnodes.CONTROLLER_EPOCH)), mzxid};
        }
        return controllerEpochCache;
    }

    /** The {@code pauseThread} fault: broker {@code brokerId}'s controller event thread alone stops for a while. */
    public void pauseControllerThread(int brokerId, long nanos) {
        if (agents[brokerId] != null) {
            agents[brokerId].pauseControllerThread(nanos);
        }
    }

    /** Whether the active controller's event thread is paused (the {@code pauseThread} fault). */
    boolean controllerThreadPaused() {
        if (pausedCachedLifecycle == sim.lifecycleVersion() && pausedCachedControllers == controllersVersion) {
            return threadPausedCached;
        }
        boolean paused = false;
        for (ZkBrokerAgent a : agents) {
            if (a != null && a.isActiveController() && a.isControllerThreadPaused()) {
                paused = true;
                break;
            }
        }
        pausedCachedLifecycle = sim.lifecycleVersion();
        pausedCachedControllers = controllersVersion;
        threadPausedCached = paused;
        return paused;
    }

    ZkBrokerAgent agent(int brokerId) {
        return agents[brokerId];
    }

    /** Switches a KZ-* checker off (to let a planted bug's later symptom show). */
    public ZkControlPlane disableInvariant(String id) {
        checks.disable(id);
        return this;
    }

    /** The ensemble (for tests and measurements). */
    public ZkEnsemble ensemble() {
        return ensemble;
    }

    // ------------------------------------------------------------------ for agents and the controller

    void controllerActivated(ZkBrokerAgent agent, int epoch) {
        checks.controllerActivated(agent.brokerId(), epoch);
        context.history().controllerElected(sim.now(), brokerNode(agent.brokerId()), epoch, "won /controller");
    }

    List<NodeId> zkServers() {
        return ensemble.servers();
    }

    long sessionTimeoutNanos() {
        return sessionTimeoutNanos;
    }

    ClusterSpec cluster() {
        return cluster;
    }

    KafkaZnodes.Layout layout() {
        return layout;
    }

    ControlHistory history() {
        return context.history();
    }

    FailoverRecorder failover() {
        return context.failover();
    }

    KzChecks checks() {
        return checks;
    }

    NodeId brokerNode(int brokerId) {
        NodeId n = brokerId >= 0 && brokerId < brokerNodes.length ? brokerNodes[brokerId] : null;
        return n != null ? n : sim.node(ClusterSpec.brokerNodeName(brokerId));
    }

    /** Whether a running node is paused (no allocation: checks call it after every event). */
    boolean anyRunningNodePaused() {
        if (anyPausedCachedLifecycle == sim.lifecycleVersion() && anyPausedCachedNodes == sim.nodeCount()) {
            return anyPausedCached;
        }
        anyPausedCachedLifecycle = sim.lifecycleVersion();
        anyPausedCachedNodes = sim.nodeCount();
        anyPausedCached = scanRunningNodePaused();
        return anyPausedCached;
    }

    private long anyPausedCachedLifecycle = -1;
    private int anyPausedCachedNodes = -1;
    private boolean anyPausedCached;

    private boolean scanRunningNodePaused() {
        int n = sim.nodeCount();
        if (allNodes == null || allNodes.size() != n) {
            allNodes = sim.nodes();
        }
        for (int i = 0; i < n; i++) {
            NodeId id = allNodes.get(i);
            if (sim.isPaused(id) && sim.isUp(id)) {
                return true;
            }
        }
        return false;
    }

    private List<NodeId> allNodes;

    /** The partitions broker {@code brokerId} hosts, ascending (an index built once per broker; do not modify). */
    int[] hostedPartitions(int brokerId) {
        int[] hosted = hostedPartitions[brokerId];
        if (hosted == null) {
            hosted = cluster.partitionsOf(brokerId);
            hostedPartitions[brokerId] = hosted;
        }
        return hosted;
    }
}
