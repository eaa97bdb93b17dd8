package dev.faultline.core.kafka;

import dev.faultline.core.check.Invariant;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlHistory;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.ControlPlaneContext;
import dev.faultline.core.control.FailoverRecorder;
import dev.faultline.core.control.FailoverWatch;
import dev.faultline.core.control.KafkaConfig;
import dev.faultline.core.control.LivenessWatcher;
import dev.faultline.core.control.OracleControlPlane;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.fault.Target;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A Kafka cluster in a simulation, ready to run: brokers {@code broker-<id>} with a control plane
 * (the oracle unless another is given), producers and consumers, the data-plane invariants DP-S1..S7,
 * the bounded-liveness checks DP-L1..L3, and failover measurement. The scenario runner and the
 * ZooKeeper and KRaft modules reuse it with their own {@link ControlPlane}.
 *
 * <pre>{@code
 * KafkaCluster c = KafkaCluster.builder(ClusterSpec.builder().brokers(3).topic("orders", 1, 3).build())
 *         .seed(7).producer("producer-1", ProducerConfig.of(new int[] {0}, 100, 1000, "all")).build();
 * c.start();
 * c.runFor(Time.seconds(5));
 * c.crash(1);
 * c.runFor(Time.seconds(5));
 * c.assertIsr("orders-0", 2, 3);
 * }</pre>
 */
public final class KafkaCluster {
    private final Simulation sim;
    private final ClusterSpec spec;
    private final ControlPlane controlPlane;
    private final FailoverRecorder failover;
    private final ControlHistory controlHistory;
    private final KafkaHistory history;
    private final DataPlaneChecker checker;
    private final List<String> producers;
    private final List<String> consumers;
    private final Set<String> disabled;
    private final TopicCreationWatch topicCreations;
    private final LeaderlessIndex leaderless;
    private final DataPlaneLiveness liveness;
    private final ClusterAssertions assertions = new ClusterAssertions(this);

    KafkaCluster(KafkaClusterBuilder b) {
        this.spec = b.spec;
        this.sim = b.simulation != null ? b.simulation : new Simulation(b.seed);
        if (b.simulation == null) {
            sim.network().setDefaultConfig(b.link);
        }
        this.controlPlane = b.controlPlane != null ? b.controlPlane : new OracleControlPlane();
        this.failover = new FailoverRecorder();
        this.controlHistory = new ControlHistory(failover);
        this.history = new KafkaHistory();
        this.disabled = new TreeSet<>(b.disabled);
        this.checker = new DataPlaneChecker(sim, spec, controlPlane, controlHistory, history, disabled, b.failOnExpectedLoss);
        history.setChecker(checker);
        for (ClusterSpec.BrokerSpec broker : spec.brokers()) {
            int id = broker.id();
            KafkaConfig config = spec.config().withAll(b.brokerOverrides.getOrDefault(id, Map.of()));
            BrokerEnv env = new BrokerEnv(spec, config, controlPlane, failover, checker, sim::now);
            // Warm start: only a broker's first process adopts the established state; a restart recovers from its disk.
            boolean[] started = new boolean[1];
            sim.addNode(ClusterSpec.brokerNodeName(id), ctx -> {
                boolean warm = spec.warmStart() && !started[0];
                started[0] = true;
                return new KafkaBroker(ctx, env, id, warm);
            });
        }
        controlPlane.install(new ControlPlaneContext(sim, spec, controlHistory, failover));
        LivenessWatcher processes = new LivenessWatcher(sim);
        for (ClusterSpec.BrokerSpec broker : spec.brokers()) {
            processes.watch(sim.node(ClusterSpec.brokerNodeName(broker.id())));
        }
        sim.addObserver(processes);
        this.leaderless = new LeaderlessIndex(sim, spec, controlPlane);
        processes.addListener((node, from, to, at) -> leaderless.brokerChanged(ClusterSpec.brokerIdOf(node.name())));
        controlHistory.addPartitionListener(leaderless::partitionChanged);
        sim.addObserver(new FailoverWatch(sim, spec, controlPlane, failover, processes));
        this.topicCreations = new TopicCreationWatch(sim, spec, controlPlane);
        controlHistory.addPartitionListener(topicCreations::partitionChanged);
        checker.onLeadershipApplied(p -> {
            leaderless.partitionChanged(p);
            topicCreations.partitionChanged(p);
        });
        if (spec.hasRuntimeTopics()) {
            sim.addObserver(topicCreations);
        }
        for (Invariant inv : checker.invariants()) {
            sim.addInvariant(inv);
        }
        boolean canary = spec.config().getBoolean("faultline.canary.enable");
        ClientEnv clientEnv = new ClientEnv(spec, history, failover, sim::now, !canary);
        this.producers = new ArrayList<>(b.producers.keySet());
        for (Map.Entry<String, ProducerConfig> e : b.producers.entrySet()) {
            ProducerConfig pc = e.getValue();
            sim.addNode(e.getKey(), ctx -> new KafkaProducer(ctx, clientEnv, pc));
        }
        this.consumers = new ArrayList<>(b.consumers.keySet());
        for (Map.Entry<String, int[]> e : b.consumers.entrySet()) {
            int[] ps = e.getValue();
            sim.addNode(e.getKey(), ctx -> new KafkaConsumer(ctx, clientEnv, ps, Time.millis(100), Time.seconds(30)));
        }
        if (canary && spec.partitionCount() > 0) {
            // A cluster without topics has nothing to write to (and a producer needs a partition).
            addCanary(clientEnv);
        }
        this.liveness = new DataPlaneLiveness(sim, spec, controlPlane, controlHistory, history, checker, disabled);
        liveness.install();
    }

    /** The node name of the failover canary. */
    public static final String CANARY = "canary";

    /**
     * The failover canary ({@code faultline.canary.enable}, on by default): a producer node
     * ({@value #CANARY}) with the Kafka 3.9 client's defaults and {@code acks=all} that writes
     * nothing until a broker failover opens, then writes one record to each partition the failed
     * broker led (batched per broker like any producer's) and keeps writing to each until a write
     * sent after the fault succeeds, as an operator's canary that writes to every partition would
     * see it. The failover's client phase is measured from its writes alone, so it does not depend
     * on how sparse the workload's traffic is; the workload's producers do not end it. Its writes
     * are acks=all records like any (DP-S1 judges them) but stay out of the record counts and the
     * operation list of the history.
     */
    private void addCanary(ClientEnv clientEnv) {
        int[] all = new int[spec.partitionCount()];
        for (int p = 0; p < all.length; p++) {
            all[p] = p;
        }
        ProducerConfig config = ProducerConfig.of(all, 1, Long.MAX_VALUE, Map.of("acks", "all"));
        ClientEnv env = new ClientEnv(spec, history, failover, sim::now, true);
        history.probeClient(CANARY);
        NodeId node = sim.addNode(CANARY, ctx -> new KafkaProducer(ctx, env, config, true));
        failover.addBrokerFailureListener((brokerId, atNanos, led) -> {
            if (led.length > 0) {
                sim.schedule(sim.now(), () -> {
                    KafkaProducer probe = sim.process(node, KafkaProducer.class);
                    if (probe != null) {
                        probe.probe(led);
                    }
                });
            }
        });
    }

    /** A builder over a cluster description. */
    public static KafkaClusterBuilder builder(ClusterSpec spec) {
        return new KafkaClusterBuilder(spec);
    }

    // ------------------------------------------------------------------ running

    public Simulation sim() {
        return sim;
    }

    public ClusterSpec spec() {
        return spec;
    }

    public ControlPlane controlPlane() {
        return controlPlane;
    }

    public KafkaHistory history() {
        return history;
    }

    public ControlHistory controlHistory() {
        return controlHistory;
    }

    public FailoverRecorder failover() {
        return failover;
    }

    /** Every acks=all loss seen so far, classified. */
    public List<DataLoss> losses() {
        return checker.losses();
    }

    /** Starts every node (brokers, control-plane nodes, clients). */
    public KafkaCluster start() {
        sim.startAll();
        return this;
    }

    public RunResult runFor(long nanos) {
        return sim.runFor(nanos);
    }

    public NodeId brokerNode(int id) {
        return sim.node(ClusterSpec.brokerNodeName(id));
    }

    /** The running broker process, or {@code null} while it is down. */
    public KafkaBroker broker(int id) {
        return sim.process(brokerNode(id), KafkaBroker.class);
    }

    public void crash(int brokerId) {
        sim.traceFault("crash broker-" + brokerId);
        sim.crash(brokerNode(brokerId));
    }

    public void powerLoss(int brokerId) {
        sim.traceFault("power-loss broker-" + brokerId);
        sim.powerLoss(brokerNode(brokerId));
    }

    public void restart(int brokerId) {
        sim.traceFault("restart broker-" + brokerId);
        sim.restart(brokerNode(brokerId));
    }

    /**
     * The operator stops broker {@code brokerId} cleanly: a controlled shutdown, then the process
     * exits; it starts again {@code downNanos} after the exit when positive. Returns whether the
     * broker was running.
     */
    public boolean controlledShutdown(int brokerId, long downNanos) {
        sim.traceFault("controlled-shutdown broker-" + brokerId);
        return ControlledShutdownFault.begin(sim, brokerNode(brokerId), downNanos);
    }

    /** Global partition of a name like {@code orders-0}. */
    public int partition(String name) {
        return spec.partition(name);
    }

    /**
     * A fault target naming the current leader of a partition (docs/scenarios.md#targets
     * {@code leader-of(orders-0)}), resolved from the control plane's authoritative state when the
     * fault fires.
     */
    public Target leaderOf(String partition) {
        int p = partition(partition);
        return Target.of("leader-of(" + partition + ")", s -> {
            int leader = controlPlane.partitionStates().leader(p);
            return leader < 0 ? List.of() : List.of(brokerNode(leader));
        });
    }

    /** A fault target naming one broker drawn from the {@code faults} stream when the fault fires. */
    public Target randomBroker() {
        List<String> names = new ArrayList<>();
        for (ClusterSpec.BrokerSpec b : spec.brokers()) {
            names.add(ClusterSpec.brokerNodeName(b.id()));
        }
        return Target.randomOne("random-broker", Target.nodes(names));
    }

    /**
     * Arms DP-L3 at {@code atNanos} (after the last fault plus the scenario's Δ): the run fails there
     * if an in-sync replica's log differs from its leader's.
     */
    public void checkConvergedAt(long atNanos) {
        liveness.checkConvergedAt(atNanos);
    }

    /**
     * An administrator creates a topic marked {@link ClusterSpec#createdAtRuntime(String) created at
     * runtime}, now (call from a world action, e.g. {@code sim.schedule(at, () -> c.createTopic("t"))}).
     * The creation is measured from now ({@link #topicCreations()}).
     */
    public void createTopic(String topic) {
        if (!spec.createdAtRuntime(topic)) {
            throw new IllegalArgumentException("topic " + topic + " is not marked created at runtime");
        }
        sim.traceFault("admin creates topic " + topic);
        topicCreations.requested(topic);
        controlPlane.createTopic(topic);
    }

    /** The topics created at runtime so far, measured (request order). */
    public List<dev.faultline.core.control.TopicCreation> topicCreations() {
        return topicCreations.measurements();
    }

    /**
     * A partition that could have a live leader (a live, unpaused replica in its ISR, or any with
     * unclean election) but has none, or whose leader has not applied its leadership, described; or
     * {@code null}. Incremental ({@link LeaderlessIndex}): after the first call, it looks only at
     * partitions something happened to.
     */
    public String leaderlessPartition() {
        return leaderless.leaderless();
    }

    /** The authoritative state of a partition. */
    public PartitionState state(String partition) {
        return controlPlane.partitionStates().state(partition(partition));
    }

    /** The result so far. */
    public KafkaRunResult result(RunResult run) {
        return new KafkaRunResult(run, failover.result(controlPlane.mode(), controlHistory), checker.losses(), history.sentCount(),
                history.ackedCount(), history.failedCount(), history.consumedCount());
    }

    // ------------------------------------------------------------------ domain assertions (for tests)

    /**
     * Asserts the ISR of a partition, as the control plane holds it and as its current leader applied
     * it (in any order). See {@link ClusterAssertions}.
     */
    public void assertIsr(String partition, int... expected) {
        assertions.isr(partition, expected);
    }

    /** Asserts the leader of a partition, decided by the control plane and applied by that broker. */
    public void assertLeader(String partition, int expected) {
        assertions.leader(partition, expected);
    }

    /** Asserts that no invariant failed. */
    public void assertNoViolation() {
        assertions.noViolation();
    }

    // ------------------------------------------------------------------ bounded liveness (DataPlaneLiveness)

    /**
     * DP-L3, to call after faults stopped for long enough: every ISR member of every led partition
     * has the same log as its leader up to the leader's log end. Reports through the simulation's
     * violation (and returns it as text, or {@code null} when it holds).
     */
    public String checkConverged() {
        return liveness.checkConverged();
    }

    /**
     * DP-L2, to call after faults stopped and metadata settled: every acks=all record sent since
     * {@code sinceNanos} was acknowledged within {@code request.timeout.ms} of being sent. Returns
     * the first miss, or {@code null} (see {@link DataPlaneLiveness#checkProducesSucceed}).
     */
    public String checkProducesSucceed(long sinceNanos, long requestTimeoutNanos) {
        return liveness.checkProducesSucceed(sinceNanos, requestTimeoutNanos);
    }
}
