package dev.faultline.core.control;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayList;
import java.util.List;

/**
 * The omniscient control plane (docs/model.md#the-oracle): it sees every process go down at once
 * (through a {@link LivenessWatcher}) and, after {@code faultline.oracle.detection.delay.ms}
 * (default 0), elects new leaders with {@link LeaderElection} and applies the new partition states
 * on every live broker at the same instant, with no messages. Brokers register when they start and
 * get their full state; AlterPartition requests are decided at once. It is the lower bound the real
 * modes are measured against: whatever failover time remains belongs to clients and the data plane.
 *
 * <p>Warm start ({@link ClusterSpec#warmStart()}): the oracle is established at once; each broker's
 * first process adopts the initial partition states itself and registers inside its start, without
 * a push (see {@link #registerEstablished}).
 *
 * <p>Decisions follow KRaft's shape: a broker failure removes it from every ISR (partition epoch + 1)
 * and elects new leaders where it led (leader epoch + 1); a returning broker is re-elected where a
 * partition had no leader. A paused broker is alive; what it is told waits until it resumes.
 */
public final class OracleControlPlane implements ControlPlane {
    private ControlPlaneContext context;
    private Simulation sim;
    private ClusterSpec cluster;
    private long detectionDelayNanos;
    private LivenessWatcher liveness;
    private int[] leader;
    private int[] leaderEpoch;
    private int[] partitionEpoch;
    private int[] isrMask;
    /** Whether each partition exists (topics created at runtime do not until {@link #createTopic}). */
    private boolean[] exists;
    private BrokerHandle[] handles;
    private boolean[] alive;
    /** Brokers in controlled shutdown (KIP-841: neither leader nor new ISR member). */
    private boolean[] shuttingDown;
    private long[] brokerEpochs;
    private long[] registeredAt;
    private int[] registrations;
    private long[] downAt;
    private List<List<PartitionState>> pendingWhilePaused;
    private long nextBrokerEpoch = 1;

    @Override
    public String mode() {
        return "oracle";
    }

    @Override
    public void install(ControlPlaneContext context) {
        this.context = context;
        this.sim = context.simulation();
        this.cluster = context.cluster();
        this.detectionDelayNanos = cluster.config().getMillisAsNanos("faultline.oracle.detection.delay.ms");
        int partitions = cluster.partitionCount();
        leader = new int[partitions];
        leaderEpoch = new int[partitions];
        partitionEpoch = new int[partitions];
        isrMask = new int[partitions];
        exists = new boolean[partitions];
        for (int p = 0; p < partitions; p++) {
            if (cluster.createdAtRuntime(p)) {
                leader[p] = LeaderElection.NO_LEADER;
                continue;
            }
            exists[p] = true;
            leader[p] = cluster.replica(p, 0); // topic creation: the preferred replica leads, all replicas in sync
            isrMask[p] = (1 << cluster.replicationFactor(p)) - 1;
        }
        int n = cluster.maxBrokerId() + 1;
        handles = new BrokerHandle[n];
        alive = new boolean[n];
        shuttingDown = new boolean[n];
        brokerEpochs = new long[n];
        registeredAt = new long[n];
        registrations = new int[n];
        downAt = new long[n];
        java.util.Arrays.fill(downAt, Long.MAX_VALUE);
        pendingWhilePaused = new ArrayList<>(n);
        for (int b = 0; b < n; b++) {
            pendingWhilePaused.add(null);
        }
        liveness = new LivenessWatcher(sim);
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            NodeId node = sim.node(ClusterSpec.brokerNodeName(b.id()));
            if (node == null) {
                throw new IllegalStateException("oracle: broker node " + ClusterSpec.brokerNodeName(b.id()) + " must be added before install");
            }
            liveness.watch(node);
        }
        liveness.addListener(this::livenessChanged);
        sim.addObserver(liveness);
    }

    @Override
    public BrokerAgent newBrokerAgent(int brokerId) {
        return new Agent(brokerId);
    }

    @Override
    public NodeId activeController() {
        return null;
    }

    @Override
    public List<NodeId> controllerCandidates() {
        return List.of();
    }

    @Override
    public PartitionStateView partitionStates() {
        return new PartitionStateView() {
            @Override
            public PartitionState state(int partition) {
                return exists[partition] ? stateOf(partition) : null;
            }

            @Override
            public int leader(int partition) {
                return leader[partition];
            }
        };
    }

    private PartitionState stateOf(int p) {
        return new PartitionState(p, leader[p], leaderEpoch[p], isrOf(p, isrMask[p]), partitionEpoch[p]);
    }

    private IntList isrOf(int p, int mask) {
        IntArrayList out = new IntArrayList(Integer.bitCount(mask));
        for (int r = 0; r < cluster.replicationFactor(p); r++) {
            if ((mask & (1 << r)) != 0) {
                out.add(cluster.replica(p, r));
            }
        }
        return out;
    }

    private int maskOf(int p, IntList isr) {
        int mask = 0;
        for (int r = 0; r < cluster.replicationFactor(p); r++) {
            if (isr.contains(cluster.replica(p, r))) {
                mask |= 1 << r;
            }
        }
        return mask;
    }

    // ------------------------------------------------------------------ liveness

    private void livenessChanged(NodeId node, LivenessWatcher.State from, LivenessWatcher.State to, long atNanos) {
        int b = ClusterSpec.brokerIdOf(node.name());
        if (to == LivenessWatcher.State.DOWN) {
            int registrationsAtDown = registrations[b];
            downAt[b] = atNanos;
            sim.schedule(atNanos + detectionDelayNanos, () -> brokerDown(b, registrationsAtDown));
        } else if (from == LivenessWatcher.State.DOWN) {
            downAt[b] = Long.MAX_VALUE;
        } else if (to == LivenessWatcher.State.RUNNING && from == LivenessWatcher.State.PAUSED) {
            List<PartitionState> pending = pendingWhilePaused.get(b);
            pendingWhilePaused.set(b, null);
            if (pending != null && handles[b] != null) {
                handles[b].becomeLeaderOrFollower(pending);
            }
        }
    }

    /** Whether the oracle counts broker {@code r} as alive now: registered, and not down for the detection delay. */
    private boolean eligible(int r) {
        return alive[r] && !shuttingDown[r] && sim.now() - downAt[r] < detectionDelayNanos;
    }

    private void brokerDown(int b, int registrationsAtDown) {
        if (!alive[b]) {
            return;
        }
        if (registrations[b] > registrationsAtDown) {
            // It came back (and registered) before the oracle noticed: as if it never left.
            sim.traceFault("oracle: broker-" + b + " bounced before detection");
            return;
        }
        alive[b] = false;
        handles[b] = null;
        long now = sim.now();
        context.failover().brokerFailureDetected(b, now);
        sim.traceFault("oracle: broker-" + b + " is dead");
        List<PartitionState> changes = new ArrayList<>();
        for (int p : cluster.partitionsOf(b)) {
            if (leader[p] == b) {
                elect(p, "broker-" + b + " failed", changes);
            } else {
                int slot = slotOf(p, b);
                if ((isrMask[p] & (1 << slot)) != 0 && Integer.bitCount(isrMask[p]) > 1) {
                    isrMask[p] &= ~(1 << slot);
                    partitionEpoch[p]++;
                    PartitionState s = stateOf(p);
                    context.history().isrChanged(now, s, "broker-" + b + " failed");
                    changes.add(s);
                }
            }
        }
        push(changes);
    }

    /** Elects a leader for {@code p} among live brokers other than the current one; adds the new state to {@code changes}. */
    private void elect(int p, String cause, List<PartitionState> changes) {
        int[] assignment = cluster.replicas(p);
        IntList isr = isrOf(p, isrMask[p]);
        int old = leader[p];
        LeaderElection.Election e = LeaderElection.offlinePartition(assignment, isr, this::eligible,
                cluster.uncleanLeaderElectionEnabled(p));
        if (!e.elected()) {
            if (old == LeaderElection.NO_LEADER) {
                return;
            }
            leader[p] = LeaderElection.NO_LEADER;
            leaderEpoch[p]++;
            partitionEpoch[p]++;
            PartitionState s = stateOf(p);
            context.history().leaderElected(sim.now(), s, false, cause + ": no eligible replica");
            changes.add(s);
            return;
        }
        IntList newIsr = LeaderElection.isrAfterElection(e, isr, this::eligible);
        leader[p] = e.leader();
        leaderEpoch[p]++;
        partitionEpoch[p]++;
        isrMask[p] = maskOf(p, newIsr);
        PartitionState s = stateOf(p);
        context.history().leaderElected(sim.now(), s, e.unclean(), cause);
        changes.add(s);
    }

    /**
     * Controlled shutdown of broker {@code b} (the oracle's version of
     * docs/model.md#controlled-shutdown): at once, partitions it leads (replication factor above 1)
     * get a controlled-shutdown election (docs/model.md#partition-leader-election) and it leaves
     * the ISR of partitions it follows; every live broker applies the new states at this instant. A
     * partition with no other eligible ISR member keeps its leader; it goes offline when the broker
     * exits, as after a failure.
     */
    private void controlledShutdown(int b) {
        shuttingDown[b] = true;
        long now = sim.now();
        sim.traceFault("oracle: broker-" + b + " in controlled shutdown");
        List<PartitionState> changes = new ArrayList<>();
        for (int p : cluster.partitionsOf(b)) {
            if (!exists[p] || cluster.replicationFactor(p) <= 1) {
                continue; // not created yet, or a single replica
            }
            IntList isr = isrOf(p, isrMask[p]);
            if (leader[p] == b) {
                LeaderElection.Election e = LeaderElection.controlledShutdown(cluster.replicas(p), isr, this::eligible, r -> shuttingDown[r]);
                if (!e.elected()) {
                    continue;
                }
                leader[p] = e.leader();
                leaderEpoch[p]++;
                partitionEpoch[p]++;
                isrMask[p] = maskOf(p, LeaderElection.isrAfterControlledShutdown(e, isr, r -> shuttingDown[r]));
                PartitionState s = stateOf(p);
                context.history().leaderElected(now, s, false, "broker-" + b + " controlled shutdown");
                changes.add(s);
            } else {
                IntList shrunk = LeaderElection.isrWithout(isr, b);
                if (!shrunk.equals(isr)) {
                    isrMask[p] = maskOf(p, shrunk);
                    partitionEpoch[p]++;
                    PartitionState s = stateOf(p);
                    context.history().isrChanged(now, s, "broker-" + b + " controlled shutdown");
                    changes.add(s);
                }
            }
        }
        push(changes);
    }

    private int slotOf(int p, int broker) {
        for (int r = 0; r < cluster.replicationFactor(p); r++) {
            if (cluster.replica(p, r) == broker) {
                return r;
            }
        }
        throw new IllegalArgumentException("broker " + broker + " is not a replica of " + cluster.partitionName(p));
    }

    // ------------------------------------------------------------------ registration and pushes

    private void register(int b, BrokerHandle handle) {
        handles[b] = handle;
        alive[b] = true;
        shuttingDown[b] = false;
        registeredAt[b] = sim.now();
        registrations[b]++;
        brokerEpochs[b] = nextBrokerEpoch++;
        handle.registered(brokerEpochs[b]);
        List<PartitionState> changes = new ArrayList<>();
        for (int p : cluster.partitionsOf(b)) {
            if (exists[p] && leader[p] == LeaderElection.NO_LEADER) {
                elect(p, "broker-" + b + " registered", changes);
            }
        }
        // The registering broker learns everything; the others learn what changed.
        List<PartitionState> full = new ArrayList<>(cluster.partitionCount());
        for (int p = 0; p < cluster.partitionCount(); p++) {
            if (exists[p]) {
                full.add(stateOf(p));
            }
        }
        deliver(b, full);
        pushExcept(changes, b);
    }

    /**
     * Warm start: the first incarnation of broker {@code b} in a warm run is a registered member of
     * an established cluster. It already holds the current partition states, so unlike
     * {@link #register} nothing is elected or pushed; it only gets its broker epoch.
     */
    private void registerEstablished(int b, BrokerHandle handle) {
        handles[b] = handle;
        alive[b] = true;
        shuttingDown[b] = false;
        registeredAt[b] = sim.now();
        registrations[b]++;
        brokerEpochs[b] = nextBrokerEpoch++;
        handle.registered(brokerEpochs[b]);
    }

    /**
     * Topic creation at once: each partition gets the first eligible replica of its assignment as
     * leader and every eligible replica in its ISR (leader and partition epoch 0); every live broker
     * learns the new states at this instant. A partition with no eligible replica is created with
     * no leader and the whole assignment as ISR, and is elected when a replica registers.
     */
    @Override
    public void createTopic(String topic) {
        if (!cluster.createdAtRuntime(topic)) {
            throw new IllegalArgumentException("topic " + topic + " is not created at runtime");
        }
        int first = cluster.topicFirstPartition(topic);
        int count = cluster.topics().get(cluster.topicOf(first)).partitions();
        if (exists[first]) {
            sim.traceFault("oracle: topic " + topic + " already exists");
            return;
        }
        sim.traceFault("oracle: create topic " + topic);
        List<PartitionState> created = new ArrayList<>(count);
        for (int p = first; p < first + count; p++) {
            int mask = 0;
            int lead = LeaderElection.NO_LEADER;
            for (int r = 0; r < cluster.replicationFactor(p); r++) {
                if (eligible(cluster.replica(p, r))) {
                    mask |= 1 << r;
                    if (lead == LeaderElection.NO_LEADER) {
                        lead = cluster.replica(p, r);
                    }
                }
            }
            exists[p] = true;
            leader[p] = lead;
            isrMask[p] = mask == 0 ? (1 << cluster.replicationFactor(p)) - 1 : mask;
            created.add(stateOf(p));
        }
        push(created);
    }

    private void push(List<PartitionState> changes) {
        pushExcept(changes, -1);
    }

    private void pushExcept(List<PartitionState> changes, int except) {
        if (changes.isEmpty()) {
            return;
        }
        for (ClusterSpec.BrokerSpec broker : cluster.brokers()) {
            int b = broker.id();
            if (b != except && alive[b] && handles[b] != null) {
                deliver(b, changes);
            }
        }
    }

    private void deliver(int b, List<PartitionState> states) {
        NodeId node = sim.node(ClusterSpec.brokerNodeName(b));
        if (sim.isPaused(node)) {
            List<PartitionState> pending = pendingWhilePaused.get(b);
            if (pending == null) {
                pending = new ArrayList<>();
                pendingWhilePaused.set(b, pending);
            }
            pending.addAll(states);
            return;
        }
        handles[b].becomeLeaderOrFollower(states);
    }

    private void alterPartition(int b, AlterPartitionRequest r) {
        if (!alive[b] || handles[b] == null) {
            return;
        }
        int p = r.partition();
        Errors error = Errors.NONE;
        if (leader[p] != r.leaderId() || leaderEpoch[p] != r.leaderEpoch()) {
            error = Errors.FENCED_LEADER_EPOCH;
        } else if (partitionEpoch[p] != r.partitionEpoch()) {
            error = Errors.INVALID_UPDATE_VERSION;
        } else if (!r.newIsr().contains(r.leaderId())) {
            error = Errors.INVALID_UPDATE_VERSION;
        } else {
            for (int k = 0; k < r.newIsr().size(); k++) {
                int member = r.newIsr().getInt(k);
                boolean added = (isrMask[p] & (1 << slotOf(p, member))) == 0;
                // KIP-841/KIP-903: a replica joins only while registered, with its current broker epoch.
                if (added && (!alive[member] || shuttingDown[member] || r.newIsrBrokerEpochs().getLong(k) != brokerEpochs[member])) {
                    error = Errors.INELIGIBLE_REPLICA;
                }
            }
        }
        if (error != Errors.NONE) {
            deliverAlterResponse(b, new AlterPartitionResult(p, error, stateOf(p)));
            return;
        }
        isrMask[p] = maskOf(p, r.newIsr());
        partitionEpoch[p]++;
        PartitionState s = stateOf(p);
        context.history().isrChanged(sim.now(), s, "AlterPartition from broker-" + b);
        deliverAlterResponse(b, new AlterPartitionResult(p, Errors.NONE, s));
        pushExcept(List.of(s), b);
    }

    private void deliverAlterResponse(int b, AlterPartitionResult result) {
        NodeId node = sim.node(ClusterSpec.brokerNodeName(b));
        if (sim.isPaused(node)) {
            // Simplification: a paused leader gets the new state with the paused backlog instead of a response.
            if (result.state() != null) {
                deliver(b, List.of(result.state()));
            }
            return;
        }
        handles[b].alterPartitionResponse(result);
    }

    /** The oracle's part of a broker process: registers at start and hands AlterPartition over. */
    private final class Agent implements BrokerAgent {
        private final int brokerId;
        private BrokerHandle handle;

        Agent(int brokerId) {
            this.brokerId = brokerId;
        }

        @Override
        public void start(BrokerHandle broker) {
            this.handle = broker;
            if (cluster.warmStart() && registrations[brokerId] == 0) {
                // Warm start: the broker was registered long ago and has just adopted the current
                // partition states (KafkaBroker's warm adoption); it is registered now, inside its
                // start, with nothing to push.
                registerEstablished(brokerId, handle);
                return;
            }
            // Zero-time registration, as a world action right after this event.
            sim.schedule(sim.now(), () -> {
                if (sim.isUp(handle.context().self()) && sim.process(handle.context().self()) == handle) {
                    register(brokerId, handle);
                }
            });
        }

        @Override
        public boolean onMessage(NodeId from, Message message) {
            return false;
        }

        @Override
        public boolean onTimer(Object tag) {
            return false;
        }

        @Override
        public void alterPartition(AlterPartitionRequest request) {
            BrokerHandle h = handle;
            sim.schedule(sim.now(), () -> {
                if (handles[brokerId] == h) {
                    OracleControlPlane.this.alterPartition(brokerId, request);
                }
            });
        }

        @Override
        public long brokerEpoch() {
            return handle == null ? -1 : brokerEpochs[brokerId];
        }

        /** Moves leadership away at once (a world action right after this event), then lets the broker go. */
        @Override
        public void controlledShutdown(Runnable readyToStop) {
            if (!cluster.config().getBoolean("controlled.shutdown.enable")) {
                readyToStop.run();
                return;
            }
            BrokerHandle h = handle;
            sim.schedule(sim.now(), () -> {
                if (handles[brokerId] == h && h != null) {
                    OracleControlPlane.this.controlledShutdown(brokerId);
                }
                readyToStop.run();
            });
        }
    }
}
