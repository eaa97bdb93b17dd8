package dev.faultline.raft.kraft.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.net.LinkHealth;
import it.unimi.dsi.fastutil.ints.IntArrayList;

/**
 * Ground truth for KM-L4 (no fencing of a broker that heartbeats normally, e.g. across a
 * controller failover): the last time each broker was down, paused, or without a clean link to
 * a running controller. O(brokers × voters) per event while a cut or link fault is in force;
 * otherwise every link is clean and the unhealthy brokers are those down or paused, recomputed
 * only when a process starts, stops, pauses or resumes ({@link Simulation#lifecycleVersion}).
 */
final class BrokerHealth implements Invariant {
    private final KRaftChecks checks;
    private final KRaftView view;
    private final KRaftLivenessChecks liveness;
    private final Simulation sim;
    private final ClusterSpec cluster;
    private final int[] voterIds;
    private long lifecycle = -1;
    private int[] downOrPaused = new int[0];

    BrokerHealth(KRaftChecks checks, KRaftView view, KRaftLivenessChecks liveness) {
        this.checks = checks;
        this.view = view;
        this.liveness = liveness;
        this.sim = view.sim();
        this.cluster = view.cluster();
        this.voterIds = view.voterIds();
    }

    @Override
    public String name() {
        return "kraft-broker-health";
    }

    @Override
    public void check(CheckContext ctx) {
        liveness.backlog(); // read the delay faults in force at every event, while they are (DelayBacklog needs it)
        if (!sim.network().hasCutsOrLinkFaults()) {
            if (sim.lifecycleVersion() != lifecycle) {
                lifecycle = sim.lifecycleVersion();
                IntArrayList unhealthy = new IntArrayList();
                for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
                    NodeId node = view.nodeId(view.brokerIndex(spec.id()));
                    if (!sim.isUp(node) || sim.isPaused(node)) {
                        unhealthy.add(spec.id());
                    }
                }
                downOrPaused = unhealthy.toIntArray();
            }
            for (int b : downOrPaused) {
                checks.lastUnhealthyNanos[b] = ctx.now();
            }
            return;
        }
        lifecycle = -1;
        for (ClusterSpec.BrokerSpec spec : cluster.brokers()) {
            int b = spec.id();
            NodeId node = view.nodeId(view.brokerIndex(b));
            boolean healthy = sim.isUp(node) && !sim.isPaused(node);
            for (int v = 0; healthy && v < voterIds.length; v++) {
                NodeId c = view.nodeId(voterIds[v]);
                if (sim.isUp(c) && !sim.isPaused(c)) {
                    healthy = LinkHealth.clean(sim.network(), node, c);
                }
            }
            if (!healthy) {
                checks.lastUnhealthyNanos[b] = ctx.now();
            }
        }
    }
}
