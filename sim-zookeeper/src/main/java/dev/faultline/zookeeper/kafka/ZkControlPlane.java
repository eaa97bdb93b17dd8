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
import dev.faultline.core.net.Network;
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
 * Kafka's ZooKeeper mode (model-spec §B): a ZAB ensemble {@code zk-1..N}; every broker's agent
 * holds a ZooKeeper session, registers {@code /brokers/ids/N}, takes part in the {@code /controller}
 * election, and the winner runs the {@link ZkController}.
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
    private final KzChecks checks = new KzChecks();
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
        this.ensemble = ZkEnsemble.create(sim, ensembleSize, zkConfig, layout);
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
        for (NodeId server : ensemble.servers()) {
            ZkDisk disk = new ZkDisk(sim.storage(server));
            for (TxnEntry e : initial) {
                disk.log().append(e);
            }
            disk.log().sync();
        }
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
        return agent;
    }

    @Override
    public NodeId activeController() {
        NodeId best = null;
        int bestEpoch = -1;
        for (int b = 0; b < agents.length; b++) {
            ZkBrokerAgent a = agents[b];
            if (a != null && a.isActiveController() && a.controllerEpoch() > bestEpoch) {
                NodeId node = brokerNode(b);
                if (sim.isUp(node)) {
                    best = node;
                    bestEpoch = a.controllerEpoch();
                }
            }
        }
        return best;
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

    /** The data tree of the ZooKeeper server with the most applied state (omniscient; for checks and the authoritative view). */
    DataTree authoritativeTree() {
        DataTree best = null;
        for (NodeId id : ensemble.servers()) {
            ZkServer s = ensemble.process(id);
            if (s != null && s.dataTree() != null && (best == null || s.dataTree().lastProcessedZxid() > best.lastProcessedZxid())) {
                best = s.dataTree();
            }
        }
        return best;
    }

    /**
     * Whether no cut and no link fault lies between any two running nodes, either way (the KZ-L1/KZ-L2
     * premise). Checked after every event: O(1) while the network has no fault at all, else a scan
     * over the pairs of nodes (never over partitions).
     */
    static boolean runningNodesCleanlyLinked(Simulation sim) {
        Network net = sim.network();
        if (!net.hasCutsOrLinkFaults()) {
            return true;
        }
        List<NodeId> nodes = sim.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            NodeId a = nodes.get(i);
            if (!sim.isUp(a)) {
                continue;
            }
            for (int j = i + 1; j < nodes.size(); j++) {
                NodeId b = nodes.get(j);
                if (sim.isUp(b) && (net.isCut(a, b) || net.isCut(b, a) || !net.linkFault(a, b).isNone() || !net.linkFault(b, a).isNone())) {
                    return false;
                }
            }
        }
        return true;
    }

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
        for (ZkBrokerAgent a : agents) {
            if (a != null && a.isActiveController() && a.isControllerThreadPaused()) {
                return true;
            }
        }
        return false;
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
