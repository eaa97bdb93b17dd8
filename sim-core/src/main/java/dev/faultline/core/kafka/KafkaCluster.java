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
import dev.faultline.core.kernel.Observer;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.core.trace.RunResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
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

    private KafkaCluster(Builder b) {
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
        LivenessWatcher liveness = new LivenessWatcher(sim);
        for (ClusterSpec.BrokerSpec broker : spec.brokers()) {
            liveness.watch(sim.node(ClusterSpec.brokerNodeName(broker.id())));
        }
        sim.addObserver(liveness);
        this.leaderless = new LeaderlessIndex(sim, spec, controlPlane);
        liveness.addListener((node, from, to, at) -> leaderless.brokerChanged(ClusterSpec.brokerIdOf(node.name())));
        controlHistory.addPartitionListener(leaderless::partitionChanged);
        sim.addObserver(new FailoverWatch(sim, spec, controlPlane, failover, liveness));
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
        if (!disabled.contains("DP-L1")) {
            long period = spec.config().getMillisAsNanos("replica.lag.time.max.ms") / 2;
            scheduleIsrLiveness(period, period);
            if (!controlPlane.controllerCandidates().isEmpty()) {
                sim.addObserver(Observer.of("dp-l1-controller-watch", now -> watchController()));
            }
        }
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
    public static Builder builder(ClusterSpec spec) {
        return new Builder(spec);
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
        sim.schedule(atNanos, this::checkConverged);
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

    // ------------------------------------------------------------------ domain assertions

    /**
     * Asserts the ISR of a partition, as the control plane holds it and as its current leader applied
     * it (in any order).
     */
    public void assertIsr(String partition, int... expected) {
        PartitionState s = state(partition);
        int[] want = expected.clone();
        Arrays.sort(want);
        int[] authoritative = s.isr().toIntArray();
        Arrays.sort(authoritative);
        if (!Arrays.equals(want, authoritative)) {
            throw new AssertionError("ISR of " + partition + ": expected " + Arrays.toString(want) + " but the control plane has " + s);
        }
        KafkaBroker leader = s.hasLeader() ? broker(s.leader()) : null;
        if (leader != null) {
            int[] applied = leader.isr(partition(partition));
            Arrays.sort(applied);
            if (!Arrays.equals(want, applied)) {
                throw new AssertionError("ISR of " + partition + ": expected " + Arrays.toString(want) + " but leader broker-" + s.leader()
                        + " applied " + Arrays.toString(applied));
            }
        }
    }

    /** Asserts the leader of a partition, decided by the control plane and applied by that broker. */
    public void assertLeader(String partition, int expected) {
        PartitionState s = state(partition);
        if (s.leader() != expected) {
            throw new AssertionError("leader of " + partition + ": expected " + expected + " but the control plane has " + s);
        }
        KafkaBroker b = broker(expected);
        if (b == null || !b.isLeader(partition(partition))) {
            throw new AssertionError("leader of " + partition + ": broker-" + expected + " has not applied its leadership");
        }
    }

    /** Asserts that no invariant failed. */
    public void assertNoViolation() {
        if (sim.violation() != null) {
            throw new AssertionError("unexpected violation: " + sim.violation().report());
        }
    }

    // ------------------------------------------------------------------ bounded liveness

    /**
     * DP-L1, periodic: a follower in the ISR of a leader that has led for the whole window and that
     * has not fetched for {@code 1.5 · replica.lag.time.max.ms} (plus one second of slack) while it
     * was behind the leader's log end (counted from the later of its last fetch and the append of the
     * first record it lacks, and restarted when a new controller becomes active, since a controller
     * failover drops or fences ISR changes in flight and the leader retries only at its next
     * {@code isr-expiration} run, and restarted when an unavailable controller (none active, or the
     * active one down or paused) becomes available again: without a controller no ISR change can
     * happen, see {@link #watchController}) must have been removed (or have a removal in flight).
     * The window also restarts when the leader's last AlterPartition completed: Kafka's leader
     * proposes no ISR change while one is in flight (one per partition; {@code Partition}'s pending
     * state), and a request whose answer was lost stays in flight until the broker-to-controller
     * channel's request timeout (ZooKeeper mode's {@code controller.socket.timeout.ms}, 30 s), so a
     * lost ISR expansion keeps a follower that then stopped fetching in the ISR that long (fuzz
     * zookeeper seeds 1280, 2477, 3046). While one is in flight the follower is not judged, but an
     * AlterPartition in flight longer than that request timeout plus the bound, counted from its
     * proposal or the last controller change or unavailability, fails DP-L1 (the leader would wait
     * for good: fuzz zookeeper seed 20). Time during which the active controller was busy
     * ({@link ControlPlane#activeControllerBusy}: ZooKeeper mode's single event thread with events
     * in progress or queued) is not counted either: the request waits in that queue behind work the
     * controller must do first, as in Kafka, whose broker-to-controller channel re-sends an
     * AlterPartition without bound. The in-flight time is therefore counted from the later of the
     * proposal, the last controller change or unavailability, and the last instant the controller
     * was busy: the rule fires only when a request stays unanswered for the bound while the
     * controller sat idle, i.e. when the request or its answer was dropped and never re-sent. (A
     * cold 100,000-partition ZooKeeper-mode cluster keeps its controller busy for minutes: its first
     * failover takes the replicas of the brokers not yet registered out of every ISR, one ZooKeeper
     * write per partition, and the leaders' ISR expansions queue behind it, compare seeds 2, 3, 5.)
     * Simplification: checked every {@code replica.lag.time.max.ms / 2}; a follower that is missing
     * nothing (idle partition) is never removed, as in Kafka, so it is not checked: each run looks only
     * at the partitions in their leader's lagging set, not at every replica.
     */
    /** The last virtual time at which no live active controller could take an AlterPartition (DP-L1). */
    private long controllerUnavailableNanos = Long.MIN_VALUE;
    /** The last virtual time at which the active controller was busy ({@link ControlPlane#activeControllerBusy}; DP-L1). */
    private long controllerBusyNanos = Long.MIN_VALUE;

    /**
     * DP-L1's controller condition, sampled after every event: there is an active controller, and
     * it is up and not paused. A partition leader cannot shrink its ISR on its own (KIP-497: the
     * controller applies AlterPartition; ZooKeeper mode's broker-failure handling is the
     * controller's too), so while no controller can act, the ISR keeps a follower that stopped
     * fetching, and Kafka's leader keeps its AlterPartition pending (re-sent on reconnect) until
     * some controller answers (fuzz finding DP-L1-zk-seed-22: active controller broker-4, itself
     * the lagging follower, crashed at 20.462 s; no new controller until its ZooKeeper session
     * expired, and leader broker-1's ISR shrink proposed at 14.0 s stayed unanswered).
     */
    private void watchController() {
        NodeId active = controlPlane.activeController();
        if (active == null || !sim.isUp(active) || sim.isPaused(active)) {
            controllerUnavailableNanos = sim.now();
        } else if (controlPlane.activeControllerBusy()) {
            controllerBusyNanos = sim.now();
        }
    }

    private void scheduleIsrLiveness(long at, long period) {
        sim.schedule(sim.now() + at, () -> {
            checkIsrLiveness();
            scheduleIsrLiveness(period, period);
        });
    }

    private void checkIsrLiveness() {
        long lagNanos = spec.config().getMillisAsNanos("replica.lag.time.max.ms");
        long bound = lagNanos * 3 / 2 + Time.SECOND;
        long requestTimeoutNanos = Long.parseLong(spec.config().getString("controller.socket.timeout.ms", "30000")) * Time.MILLISECOND;
        for (ClusterSpec.BrokerSpec bs : spec.brokers()) {
            KafkaBroker b = broker(bs.id());
            if (b == null || sim.isPaused(brokerNode(bs.id()))) {
                continue;
            }
            long now = b.ctx.now();
            ReplicaTable t = b.replicas;
            // Only led partitions with an in-sync follower possibly behind the log end can fail: the
            // leader's lagging set holds them all (see LeaderSide.lagging), so idle partitions cost nothing.
            it.unimi.dsi.fastutil.ints.IntIterator candidates = b.leaderSide.lagging.iterator();
            while (candidates.hasNext()) {
                int i = candidates.nextInt();
                LeaderState ls = t.leaderStates[i];
                if (t.role[i] != ReplicaTable.LEADER || ls == null || now - ls.sinceNanos <= bound) {
                    continue;
                }
                int p = t.partitions[i];
                // A follower with a removal in flight is judged by the in-flight rule below.
                int mask = t.isrMask[i];
                long leo = b.logEndOffset(i);
                for (int r = 0; r < spec.replicationFactor(p); r++) {
                    int follower = spec.replica(p, r);
                    if (follower == b.brokerId || (mask & (1 << r)) == 0) {
                        continue;
                    }
                    long followerLeo = ls.followerLeo(r);
                    if (followerLeo == leo || followerLeo < 0) {
                        continue;
                    }
                    // The window opens when the follower stopped fetching and the leader had records it lacked.
                    long behindSince = b.store.log(i).appendTime(followerLeo) + (now - sim.now());
                    long windowStart = Math.max(Math.max(ls.lastFetchTime(r), behindSince), ls.sinceNanos);
                    long controllerChange = controlHistory.lastControllerChangeNanos();
                    long controllerEvent = Long.MIN_VALUE / 2;
                    if (controllerChange != Long.MIN_VALUE) {
                        controllerEvent = Math.max(controllerEvent, controllerChange + (now - sim.now()));
                    }
                    if (controllerUnavailableNanos != Long.MIN_VALUE) {
                        controllerEvent = Math.max(controllerEvent, controllerUnavailableNanos + (now - sim.now()));
                    }
                    windowStart = Math.max(windowStart, controllerEvent);
                    if (ls.alterInFlight()) {
                        long inFlightSince = Math.max(ls.alterProposedNanos, controllerEvent);
                        if (controllerBusyNanos != Long.MIN_VALUE) {
                            inFlightSince = Math.max(inFlightSince, controllerBusyNanos + (now - sim.now()));
                        }
                        if (now - inFlightSince > requestTimeoutNanos + bound) {
                            sim.fail("DP-L1", "broker-" + follower + " has not fetched " + spec.partitionName(p) + " while behind, and leader broker-"
                                    + b.brokerId + "'s AlterPartition has been in flight for " + Time.format(now - inFlightSince)
                                    + " (bound " + Time.format(requestTimeoutNanos + bound) + ")", brokerNode(b.brokerId), brokerNode(follower));
                            return;
                        }
                        continue; // the leader cannot change the ISR until the AlterPartition completes
                    }
                    windowStart = Math.max(windowStart, ls.alterCompletedNanos);
                    if (now - windowStart > bound && now - ls.lastCaughtUp(r) > bound) {
                        sim.fail("DP-L1", "broker-" + follower + " has not fetched " + spec.partitionName(p) + " for "
                                + Time.format(now - windowStart) + " while behind, yet is still in leader broker-" + b.brokerId
                                + "'s ISR (bound " + Time.format(bound) + ")", brokerNode(b.brokerId), brokerNode(follower));
                        return;
                    }
                }
            }
        }
    }

    /**
     * DP-L3, to call after faults stopped for long enough: every ISR member of every led partition has
     * the same log as its leader up to the leader's log end. Reports through the simulation's
     * violation (and returns it as text, or {@code null} when it holds).
     */
    public String checkConverged() {
        for (int p = 0; p < spec.partitionCount(); p++) {
            PartitionState s = controlPlane.partitionStates().state(p);
            if (s == null || !s.hasLeader()) {
                continue;
            }
            KafkaBroker leader = broker(s.leader());
            if (leader == null || !leader.isLeader(p)) {
                continue;
            }
            ReplicaLogView reference = leader.log(p);
            for (int member : leader.isr(p)) {
                if (member == s.leader()) {
                    continue;
                }
                KafkaBroker f = broker(member);
                ReplicaLogView log = f != null ? f.log(p) : checker.logOf(member, p);
                String diff = difference(reference, log);
                if (diff != null) {
                    String message = spec.partitionName(p) + ": ISR member broker-" + member + " differs from leader broker-" + s.leader() + ": "
                            + diff;
                    if (!disabled.contains("DP-L3")) {
                        sim.fail("DP-L3", message, brokerNode(member), brokerNode(s.leader()));
                    }
                    return message;
                }
            }
        }
        return null;
    }

    private static String difference(ReplicaLogView leader, ReplicaLogView follower) {
        long n = leader.logEndOffset();
        if (follower.logEndOffset() != n) {
            for (long o = 0; o < Math.min(n, follower.logEndOffset()); o++) {
                if (leader.recordId(o) != follower.recordId(o)) {
                    return "first difference at offset " + o;
                }
            }
            return "log end " + follower.logEndOffset() + " vs " + n;
        }
        for (long o = 0; o < n; o++) {
            if (leader.recordId(o) != follower.recordId(o)) {
                return "first difference at offset " + o;
            }
        }
        return null;
    }

    /**
     * DP-L2, to call after faults stopped and metadata settled: every acks=all record sent since
     * {@code sinceNanos} was acknowledged within {@code request.timeout.ms} of being sent (records
     * still pending count only once their deadline passed). Returns the first miss, or {@code null}.
     */
    public String checkProducesSucceed(long sinceNanos, long requestTimeoutNanos) {
        Map<Long, Long> sentAt = new LinkedHashMap<>();
        Map<Long, KafkaHistory.Operation> outcome = new TreeMap<>();
        for (KafkaHistory.Operation op : history.operations()) {
            if (op.acks() != -1 || op.recordId() < 0) {
                continue;
            }
            if (op.kind().equals("send") && op.timeNanos() >= sinceNanos) {
                sentAt.put(op.recordId(), op.timeNanos());
            } else if ((op.kind().equals("ack") || op.kind().equals("fail")) && sentAt.containsKey(op.recordId())) {
                outcome.putIfAbsent(op.recordId(), op);
            }
        }
        for (Map.Entry<Long, Long> e : sentAt.entrySet()) {
            KafkaHistory.Operation op = outcome.get(e.getKey());
            long deadline = e.getValue() + requestTimeoutNanos;
            String what = null;
            if (op == null && sim.now() > deadline) {
                what = "no outcome";
            } else if (op != null && op.kind().equals("fail")) {
                what = "failed with " + op.error();
            } else if (op != null && op.timeNanos() > deadline) {
                what = "acknowledged only after " + Time.format(op.timeNanos() - e.getValue());
            }
            if (what != null) {
                String message = "record " + Long.toHexString(e.getKey()) + " sent at " + Time.format(e.getValue()) + ": " + what;
                if (!disabled.contains("DP-L2")) {
                    sim.fail("DP-L2", message);
                }
                return message;
            }
        }
        return null;
    }

    /** Builds a {@link KafkaCluster}. */
    public static final class Builder {
        private final ClusterSpec spec;
        private long seed = 1;
        private Simulation simulation;
        private ControlPlane controlPlane;
        private LinkConfig link = new LinkConfig(LatencyModel.constant(Time.micros(500)), 0);
        private final Map<Integer, Map<String, String>> brokerOverrides = new TreeMap<>();
        private final Map<String, ProducerConfig> producers = new LinkedHashMap<>();
        private final Map<String, int[]> consumers = new LinkedHashMap<>();
        private final Set<String> disabled = new TreeSet<>();
        private boolean failOnExpectedLoss;

        private Builder(ClusterSpec spec) {
            this.spec = spec;
        }

        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Uses an existing simulation (its network configuration is left as it is). */
        public Builder simulation(Simulation simulation) {
            this.simulation = simulation;
            return this;
        }

        public Builder controlPlane(ControlPlane controlPlane) {
            this.controlPlane = controlPlane;
            return this;
        }

        /** The default link between all nodes (default: constant 0.5 ms, unlimited bandwidth). */
        public Builder link(LinkConfig link) {
            this.link = link;
            return this;
        }

        /** A per-broker configuration override (e.g. {@code faultline.page.cache.flush.delay.ms}). */
        public Builder brokerConfig(int brokerId, String key, Object value) {
            brokerOverrides.computeIfAbsent(brokerId, k -> new TreeMap<>()).put(key, String.valueOf(value));
            return this;
        }

        public Builder producer(String name, ProducerConfig config) {
            producers.put(name, config);
            return this;
        }

        /** A consumer of these partitions (names like {@code orders-0}). */
        public Builder consumer(String name, String... partitions) {
            int[] ps = new int[partitions.length];
            for (int i = 0; i < ps.length; i++) {
                ps[i] = spec.partition(partitions[i]);
            }
            consumers.put(name, ps);
            return this;
        }

        /** Switches an invariant off by id (e.g. {@code DP-L1}). */
        public Builder disableInvariant(String id) {
            disabled.add(id);
            return this;
        }

        /** Promote EXPECTED losses to failures (to demonstrate a hazard such as JEPSEN-2013). */
        public Builder failOnExpectedLoss(boolean value) {
            this.failOnExpectedLoss = value;
            return this;
        }

        public KafkaCluster build() {
            return new KafkaCluster(this);
        }
    }
}
