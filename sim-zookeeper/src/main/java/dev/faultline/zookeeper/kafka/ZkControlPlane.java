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
    private final KzChecks checks = new KzChecks();
    private long sessionTimeoutNanos;

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
        this.ensemble = ZkEnsemble.create(sim, ensembleSize, zkConfig);
        this.agents = new ZkBrokerAgent[cluster.maxBrokerId() + 1];
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

    private List<TxnEntry> initialZnodes() {
        List<TxnEntry> out = new ArrayList<>();
        List<Op> base = List.of(new Op.Create(KafkaZnodes.BROKERS, "", CreateMode.PERSISTENT),
                new Op.Create(KafkaZnodes.BROKER_IDS, "", CreateMode.PERSISTENT),
                new Op.Create(KafkaZnodes.TOPICS, "", CreateMode.PERSISTENT),
                new Op.Create(KafkaZnodes.CONTROLLER_EPOCH, "0", CreateMode.PERSISTENT));
        out.add(new TxnEntry(Zxid.make(0, 1), 0, 0, 0, new Txn.Ops(base, true)));
        int first = 0;
        for (ClusterSpec.TopicSpec t : cluster.topics()) {
            if (cluster.createdAtRuntime(t.name())) {
                first += t.partitions(); // created by an admin during the run (createTopic)
                continue;
            }
            List<Op> ops = new ArrayList<>();
            ops.add(new Op.Create(KafkaZnodes.topicPath(t.name()), "assignment", CreateMode.PERSISTENT));
            ops.add(new Op.Create(KafkaZnodes.partitionsPath(t.name()), "", CreateMode.PERSISTENT));
            for (int i = 0; i < t.partitions(); i++) {
                int p = first + i;
                IntArrayList isr = IntArrayList.wrap(cluster.replicas(p));
                KafkaZnodes.StateData data = new KafkaZnodes.StateData(cluster.replica(p, 0), 0, 0, isr);
                ops.add(new Op.Create(KafkaZnodes.partitionPath(t.name(), i), "", CreateMode.PERSISTENT));
                ops.add(new Op.Create(KafkaZnodes.statePath(t.name(), i), data.encode(), CreateMode.PERSISTENT));
            }
            first += t.partitions();
            out.add(new TxnEntry(Zxid.make(0, out.size() + 1), 0, 0, 0, new Txn.Ops(ops, true)));
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

    /** The committed partition states: read from the ZooKeeper server with the most applied state. */
    @Override
    public PartitionStateView partitionStates() {
        return partition -> {
            DataTree tree = authoritativeTree();
            if (tree == null) {
                return null;
            }
            String topic = cluster.topics().get(cluster.topicOf(partition)).name();
            String path = KafkaZnodes.statePath(topic, cluster.partitionInTopic(partition));
            Stat stat = tree.stat(path);
            return stat == null ? null : KafkaZnodes.StateData.decode(tree.data(path)).toState(partition, stat.version());
        };
    }

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

    /** Whether no cut and no link fault lies between any two running nodes, either way (the KZ-L1/KZ-L2 premise). */
    static boolean runningNodesCleanlyLinked(Simulation sim) {
        List<NodeId> nodes = sim.nodes();
        Network net = sim.network();
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

    /** The committed {@code /controller_epoch} as {value, mzxid} (omniscient, for KZ-S2), or null. */
    long[] controllerEpochZnode() {
        DataTree tree = authoritativeTree();
        if (tree == null || !tree.exists(KafkaZnodes.CONTROLLER_EPOCH)) {
            return null;
        }
        return new long[] {Long.parseLong(tree.data(KafkaZnodes.CONTROLLER_EPOCH)), tree.stat(KafkaZnodes.CONTROLLER_EPOCH).mzxid()};
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
        return sim.node(ClusterSpec.brokerNodeName(brokerId));
    }
}
