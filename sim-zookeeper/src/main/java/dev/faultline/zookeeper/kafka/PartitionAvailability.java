package dev.faultline.zookeeper.kafka;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.LeaderElection;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaBroker;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.DelayBacklog;
import dev.faultline.core.net.LinkHealth;
import dev.faultline.zookeeper.ensemble.DataTree;
import dev.faultline.zookeeper.ensemble.Stat;
import dev.faultline.zookeeper.ensemble.ZkServer;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.List;

/**
 * KZ-L2 (docs/invariants.md), on unless {@code faultline.check.kz.l2=false}: when a broker goes
 * down, each partition it hosted must again have a leader that ZooKeeper names and that applied its
 * leadership, within
 * {@code max(zookeeper.session.timeout.ms + 2·tickTime, resend) + cost(P) + 2·RTT + ε}, as long as
 * a live candidate exists: a registered broker in the partition's ISR (the last non-empty ISR seen,
 * so that an emptied ISR, PB-ZKC-2, still counts its last member, KAFKA-5083).
 *
 * <p>{@code resend} = {@code controller.socket.timeout.ms} + the 100 ms back-off of the
 * {@link ControllerChannel}: a LeaderAndIsr lost to a fault before the count (re)started is re-sent
 * at the latest that long after the count started (no request is lost while the conditions hold).
 * Either the detection is still to come (the session timeout and two ticks) or the controller
 * already acted and at most that re-send is outstanding, hence the maximum.
 *
 * <p>The bound counts only while the conditions hold, read from the simulation's true state: every
 * ZooKeeper server up, unpaused and serving; every running node unpaused; no cut or link fault
 * between running nodes, nor messages still held back by an ended delay fault ({@link DelayBacklog});
 * an active controller whose event thread runs. Any break restarts the count, and so does the death
 * of another broker hosting the partition. Simplifications: partitions are examined once per second of virtual time (the second is
 * added to the bound); clocks are assumed to run at virtual time and CPUs at normal speed (clock
 * and slow faults are not read); {@code cost(P)} is {@code 4·P·faultline.broker.partition.cost.ns}
 * of controller and broker work plus one 50 ms round-trip allowance per ten partitions (pipelined
 * ZooKeeper writes) and ten more round trips.
 */
final class PartitionAvailability implements Invariant {
    static final String ID = "KZ-L2";
    private static final long SAMPLE_NANOS = Time.SECOND;
    private static final long RTT_NANOS = 50 * Time.MILLISECOND;
    private static final long EPSILON_NANOS = 50 * Time.MILLISECOND;

    private final ZkControlPlane plane;
    private final Simulation sim;
    private final ClusterSpec cluster;
    private final long boundNanos;
    private final boolean[] wasUp;
    /**
     * The armed partitions, ascending. Per partition (arrays allocated at the first broker death, so
     * an idle cluster pays nothing): whether it is armed, since when its condition held (-1: not
     * holding now), and the last non-empty ISR seen (packed, {@link KafkaZnodes.Isr}, or
     * {@link KafkaZnodes.Isr#NOT_PACKED} with the ISR in {@link #lastIsrText}).
     */
    private IntArrayList pending = new IntArrayList();
    private boolean[] armed;
    private long[] since;
    private int[] lastIsr;
    /** Per armed partition, the last non-empty ISR seen when it has no packed form. */
    private final it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap<IntList> lastIsrText = new it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap<>();
    private final int[] fields = new int[5];
    private long nextSampleNanos;
    private final DelayBacklog backlog;
    /** The last time the conditions did not hold; a count that started at or before it restarts. */
    private long lastBreakNanos = Long.MIN_VALUE;

    PartitionAvailability(ZkControlPlane plane, Simulation sim, ClusterSpec cluster, long sessionTimeoutNanos, long tickTimeNanos) {
        this.plane = plane;
        this.sim = sim;
        this.cluster = cluster;
        long partitionCost = cluster.config().getLong("faultline.broker.partition.cost.ns");
        int p = cluster.partitionCount();
        long cost = 4L * p * partitionCost + ((p + 9) / 10 + 10) * RTT_NANOS;
        long detectionOrResend = Math.max(sessionTimeoutNanos + 2 * tickTimeNanos, ControllerChannel.resendNanos(cluster));
        this.boundNanos = detectionOrResend + cost + 2 * RTT_NANOS + EPSILON_NANOS + SAMPLE_NANOS;
        this.wasUp = new boolean[cluster.maxBrokerId() + 1];
        this.backlog = DelayBacklog.everyLink(sim, RTT_NANOS);
    }

    @Override
    public String name() {
        return ID;
    }

    long boundNanos() {
        return boundNanos;
    }

    @Override
    public void check(CheckContext context) {
        backlog.update(context.now());
        // A broker goes down only with a change of the simulation's lifecycle version.
        for (ClusterSpec.BrokerSpec b : sim.lifecycleVersion() == seenLifecycle ? List.<ClusterSpec.BrokerSpec>of() : cluster.brokers()) {
            boolean up = sim.isUp(plane.brokerNode(b.id()));
            if (wasUp[b.id()] && !up) {
                DataTree tree = plane.authoritativeTree();
                if (armed == null) {
                    armed = new boolean[cluster.partitionCount()];
                    since = new long[cluster.partitionCount()];
                    lastIsr = new int[cluster.partitionCount()];
                }
                boolean added = false;
                for (int p : plane.hostedPartitions(b.id())) {
                    // Each broker death has its own detection time: a pending count restarts (fuzz
                    // zookeeper seed 3074: the broker elected after the first death had died too, and
                    // its old session kept it "alive" to the controller for another session timeout).
                    since[p] = -1L;
                    if (!armed[p]) {
                        armed[p] = true;
                        pending.add(p);
                        added = true;
                        rememberIsr(tree, p, true);
                    }
                }
                if (added) {
                    pending.sort(null);
                }
            }
            wasUp[b.id()] = up;
        }
        seenLifecycle = sim.lifecycleVersion();
        if (pending.isEmpty()) {
            return;
        }
        long now = context.now();
        if (backlog.heldAnywhere(now) || !healthy()) {
            // Every pending count restarts; recorded once here rather than per partition and event
            // (a 100,000-partition failover spent most of its run time in that loop).
            lastBreakNanos = now;
            return;
        }
        if (now < nextSampleNanos) {
            return;
        }
        nextSampleNanos = now + SAMPLE_NANOS;
        IntArrayList done = new IntArrayList();
        DataTree tree = plane.authoritativeTree();
        // Per sample, which brokers run registered (a candidate) and which run (a leader that applied).
        int brokers = cluster.maxBrokerId() + 1;
        if (candidate == null) {
            candidate = new boolean[brokers];
            running = new KafkaBroker[brokers];
        }
        for (int b = 0; b < brokers; b++) {
            NodeId node = plane.brokerNode(b);
            ZkBrokerAgent agent = plane.agent(b);
            boolean up = node != null && sim.isUp(node);
            candidate[b] = up && agent != null && agent.isRegistered();
            running[b] = up ? sim.process(node, KafkaBroker.class) : null;
        }
        IntArrayList remaining = new IntArrayList(pending.size());
        for (int k = 0; k < pending.size(); k++) {
            int p = pending.getInt(k);
            if (since[p] >= 0 && since[p] <= lastBreakNanos) {
                since[p] = -1L; // the conditions broke since this count started
            }
            int leader = leaderNow(tree, p);
            if (leader == ABSENT) {
                since[p] = -1L;
                remaining.add(p);
                continue;
            }
            rememberIsr(tree, p, false);
            if (leader != LeaderElection.NO_LEADER && leader < brokers && running[leader] != null && running[leader].isLeader(p)) {
                armed[p] = false;
                lastIsrText.remove(p);
                continue;
            }
            remaining.add(p);
            if (!hasCandidate(p)) {
                since[p] = -1L;
                continue;
            }
            if (since[p] < 0) {
                since[p] = now;
            } else if (now - since[p] > boundNanos) {
                context.fail(ID, cluster.partitionName(p) + " has had no applied leader for " + Time.format(now - since[p])
                        + " (bound " + Time.format(boundNanos) + ") while ISR member(s) of " + lastIsrOf(p) + " ran and were registered; "
                        + "ZooKeeper has " + plane.partitionStates().state(p));
                return;
            }
        }
        pending = remaining;
    }

    /** The simulation's lifecycle version when the brokers' liveness was last looked at. */
    private long seenLifecycle = -1;
    private static final int ABSENT = Integer.MIN_VALUE;
    private boolean[] candidate;
    private KafkaBroker[] running;

    /** The leader ZooKeeper names for {@code p} (from the tree's columns: no path, no text), or {@link #ABSENT}. */
    private int leaderNow(DataTree tree, int p) {
        if (tree == null) {
            return ABSENT;
        }
        if (tree.compactState(p, fields)) {
            return fields[0];
        }
        PartitionState s = plane.partitionStates().state(p);
        return s == null ? ABSENT : s.leader();
    }

    /** Keeps the partition's ISR in {@code tree} as its last ISR if it is not empty (or, with {@code always}, whatever it is). */
    private void rememberIsr(DataTree tree, int p, boolean always) {
        if (tree != null && tree.compactState(p, fields)) {
            if (KafkaZnodes.Isr.size(fields[3]) > 0 || always) {
                lastIsr[p] = fields[3];
                lastIsrText.remove(p);
            }
            return;
        }
        PartitionState s = tree == null ? null : plane.partitionStates().state(p);
        if (s == null) {
            if (always) {
                lastIsrText.put(p, IntList.of());
                lastIsr[p] = KafkaZnodes.Isr.NOT_PACKED;
            }
        } else if (!s.isr().isEmpty() || always) {
            lastIsrText.put(p, s.isr());
            lastIsr[p] = KafkaZnodes.Isr.NOT_PACKED;
        }
    }

    private IntList lastIsrOf(int p) {
        if (lastIsr[p] != KafkaZnodes.Isr.NOT_PACKED) {
            return KafkaZnodes.Isr.unpack(cluster, p, lastIsr[p]);
        }
        IntList isr = lastIsrText.get(p);
        return isr == null ? IntList.of() : isr;
    }

    private boolean hasCandidate(int p) {
        if (lastIsr[p] != KafkaZnodes.Isr.NOT_PACKED) {
            int packed = lastIsr[p];
            for (int i = 0; i < KafkaZnodes.Isr.size(packed); i++) {
                int m = KafkaZnodes.Isr.member(cluster, p, packed, i);
                if (m < candidate.length && candidate[m]) {
                    return true;
                }
            }
            return false;
        }
        IntList isr = lastIsrOf(p);
        for (int i = 0; i < isr.size(); i++) {
            int m = isr.getInt(i);
            if (m >= 0 && m < candidate.length && candidate[m]) {
                return true;
            }
        }
        return false;
    }

    /** The conditions under which the bound counts (see the class comment); O(nodes), never O(partitions). */
    private boolean healthy() {
        for (NodeId z : plane.ensemble().servers()) {
            ZkServer server = plane.ensemble().process(z);
            if (server == null || sim.isPaused(z) || !server.isServing()) {
                return false;
            }
        }
        NodeId controller = plane.activeController();
        if (controller == null || sim.isPaused(controller) || plane.controllerThreadPaused()) {
            return false;
        }
        if (plane.anyRunningNodePaused()) {
            return false;
        }
        return LinkHealth.runningNodesCleanlyLinked(sim);
    }
}
