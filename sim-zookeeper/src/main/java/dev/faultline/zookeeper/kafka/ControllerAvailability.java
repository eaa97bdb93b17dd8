package dev.faultline.zookeeper.kafka;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.DelayBacklog;
import dev.faultline.core.net.LinkHealth;
import dev.faultline.zookeeper.client.ClientState;
import dev.faultline.zookeeper.ensemble.ZkServer;
import java.util.List;

/**
 * KZ-L1 (docs/invariants.md): while the ZooKeeper quorum is up and at least one live broker is
 * connected to it, the cluster has an active controller again within
 * {@code zookeeper.session.timeout.ms + 2·tickTime + cost(P) + ε} of losing the one it had.
 *
 * <p>"Active controller" here is the strict reading: a running, unpaused broker whose controller
 * believes itself active, whose epoch is the committed {@code /controller_epoch} and which has
 * finished its failover load from ZooKeeper ({@code controllerReady}). The window opens when there
 * is none (its broker crashed, lost power or was paused, it resigned, or a new one is still loading)
 * and counts only while these conditions hold, read from the simulation's true state: an
 * established, unpaused ZooKeeper leader with a majority of unpaused servers serving in its epoch;
 * a running, unpaused broker whose ZooKeeper client is connected; no controller event thread paused (the {@code pauseThread} fault: a stuck thread is
 * invisible to ZooKeeper, a known hazard rather than a liveness bug); no cut or link fault between
 * running nodes, nor messages still held back by an ended delay fault ({@link DelayBacklog}). Any
 * break restarts the count, which is conservative: the old controller's session
 * expires at most its timeout after its last touch, which is before the window opened.
 *
 * <p>The bound: the negotiated session timeout (the expiry of the dead controller's session), two
 * ticks (the session tracker expires in tick-sized buckets, and the expiry check runs on the next
 * tick), {@code cost(P)} and ε. {@code cost(P)} is the failover cost of
 * docs/model.md#controller-failover with generous allowances:
 * {@code 4·P·faultline.broker.partition.cost.ns} of CPU (the controller's load and writes, and the
 * data-plane work that shares its broker's CPU), and one 50 ms round trip per ten pipelined
 * ZooKeeper operations of the load ({@code B + T + 2P} reads and writes) plus twenty more
 * (closeSession commit, watch delivery, the election's exists/getData/multi, child reads, the
 * broker's ZooKeeper ops in between); ε = 50 ms. Simplification: clocks and CPU speeds are assumed
 * normal (the fuzzer injects neither clock nor slow faults).
 */
final class ControllerAvailability implements Invariant {
    static final String ID = "KZ-L1";
    private static final long RTT_NANOS = 50 * Time.MILLISECOND;
    private static final long EPSILON_NANOS = 50 * Time.MILLISECOND;

    private final ZkControlPlane plane;
    private final Simulation sim;
    private final ClusterSpec cluster;
    private final long boundNanos;
    private final DelayBacklog backlog;
    /** Since when the window has been open and its conditions held; -1 when not counting. */
    private long sinceNanos = -1;

    ControllerAvailability(ZkControlPlane plane, Simulation sim, ClusterSpec cluster, long sessionTimeoutNanos, long tickTimeNanos) {
        this.plane = plane;
        this.sim = sim;
        this.cluster = cluster;
        this.boundNanos = sessionTimeoutNanos + 2 * tickTimeNanos + cost(cluster) + EPSILON_NANOS;
        this.backlog = DelayBacklog.everyLink(sim, RTT_NANOS);
    }

    /** {@code cost(P)} of the class comment. */
    static long cost(ClusterSpec cluster) {
        long partitionCost = cluster.config().getLong("faultline.broker.partition.cost.ns");
        int p = cluster.partitionCount();
        int zkOps = cluster.brokers().size() + cluster.topics().size() + 2 * p;
        return 4L * p * partitionCost + ((zkOps + 9) / 10 + 20) * RTT_NANOS;
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
        long now = context.now();
        backlog.update(now);
        if (hasActiveController() || backlog.heldAnywhere(now) || !conditionsHold()) {
            sinceNanos = -1;
            return;
        }
        if (sinceNanos < 0) {
            sinceNanos = now;
        } else if (now - sinceNanos > boundNanos) {
            context.fail(ID, "no active controller for " + Time.format(now - sinceNanos) + " (bound " + Time.format(boundNanos)
                    + ") while a ZooKeeper quorum served and broker(s) " + connectedBrokers() + " were connected to it");
            sinceNanos = -1;
        }
    }

    private boolean hasActiveController() {
        long[] epoch = null;
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            ZkBrokerAgent a = plane.agent(b.id());
            NodeId node = plane.brokerNode(b.id());
            if (a != null && a.isReadyController() && sim.isUp(node) && !sim.isPaused(node)) {
                epoch = epoch == null ? plane.controllerEpochZnode() : epoch;
                if (epoch != null && epoch[0] == a.controllerEpoch()) {
                    return true;
                }
            }
        }
        return false;
    }

    private boolean conditionsHold() {
        // An established, unpaused ZooKeeper leader with a majority of unpaused servers serving in its
        // epoch: followers of a paused leader still count themselves as serving until they notice,
        // but nothing commits and no session expires meanwhile (fuzz zookeeper seed 2433).
        NodeId zkLeader = plane.ensemble().establishedLeader();
        if (zkLeader == null || sim.isPaused(zkLeader)) {
            return false;
        }
        List<NodeId> servers = plane.ensemble().servers();
        long zkEpoch = plane.ensemble().process(zkLeader).epoch();
        int serving = 0;
        for (NodeId z : servers) {
            ZkServer server = plane.ensemble().process(z);
            if (server != null && !sim.isPaused(z) && server.isServing() && server.epoch() == zkEpoch) {
                serving++;
            }
        }
        if (serving <= servers.size() / 2 || !anyConnectedBroker() || anyControllerThreadPaused()) {
            return false;
        }
        return LinkHealth.runningNodesCleanlyLinked(sim);
    }

    private boolean anyControllerThreadPaused() {
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            ZkBrokerAgent a = plane.agent(b.id());
            if (a != null && sim.isUp(plane.brokerNode(b.id())) && a.isControllerThreadPaused()) {
                return true;
            }
        }
        return false;
    }

    private boolean anyConnectedBroker() {
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            if (connected(b.id())) {
                return true;
            }
        }
        return false;
    }

    private boolean connected(int brokerId) {
        ZkBrokerAgent a = plane.agent(brokerId);
        NodeId node = plane.brokerNode(brokerId);
        return a != null && sim.isUp(node) && !sim.isPaused(node) && a.zk() != null && a.zk().state() == ClientState.CONNECTED;
    }

    /** Running, unpaused brokers whose ZooKeeper client is connected. */
    private List<Integer> connectedBrokers() {
        List<Integer> out = new java.util.ArrayList<>();
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            ZkBrokerAgent a = plane.agent(b.id());
            NodeId node = plane.brokerNode(b.id());
            if (a != null && sim.isUp(node) && !sim.isPaused(node) && a.zk() != null && a.zk().state() == ClientState.CONNECTED) {
                out.add(b.id());
            }
        }
        return out;
    }
}
