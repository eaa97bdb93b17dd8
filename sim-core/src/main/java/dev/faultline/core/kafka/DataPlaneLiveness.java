package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlHistory;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Observer;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The data plane's bounded-liveness checks: DP-L1 (a follower that stopped fetching leaves the
 * ISR), checked periodically, and DP-L2 (acks=all writes succeed within the request timeout) and
 * DP-L3 (in-sync replicas converge), checked when a scenario asks, after its faults. The safety
 * checks are {@link DataPlaneChecker}'s.
 */
final class DataPlaneLiveness {
    private final Simulation sim;
    private final ClusterSpec spec;
    private final ControlPlane controlPlane;
    private final ControlHistory controlHistory;
    private final KafkaHistory history;
    private final DataPlaneChecker checker;
    private final Set<String> disabled;

    DataPlaneLiveness(Simulation sim, ClusterSpec spec, ControlPlane controlPlane, ControlHistory controlHistory, KafkaHistory history,
                      DataPlaneChecker checker, Set<String> disabled) {
        this.sim = sim;
        this.spec = spec;
        this.controlPlane = controlPlane;
        this.controlHistory = controlHistory;
        this.history = history;
        this.checker = checker;
        this.disabled = disabled;
    }

    /** Starts DP-L1 (unless disabled): its periodic check, and the controller watch it needs. */
    void install() {
        if (!disabled.contains("DP-L1")) {
            long period = spec.config().getMillisAsNanos("replica.lag.time.max.ms") / 2;
            scheduleIsrLiveness(period, period);
            if (!controlPlane.controllerCandidates().isEmpty()) {
                sim.addObserver(Observer.of("dp-l1-controller-watch", now -> watchController()));
            }
        }
    }

    /** Arms DP-L3 at {@code atNanos}. */
    void checkConvergedAt(long atNanos) {
        sim.schedule(atNanos, this::checkConverged);
    }

    private NodeId brokerNode(int id) {
        return sim.node(ClusterSpec.brokerNodeName(id));
    }

    private KafkaBroker broker(int id) {
        return sim.process(brokerNode(id), KafkaBroker.class);
    }


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
    String checkConverged() {
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
    String checkProducesSucceed(long sinceNanos, long requestTimeoutNanos) {
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
}
