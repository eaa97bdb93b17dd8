package dev.faultline.raft.kraft;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.LivenessWatcher;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Observer;
import dev.faultline.core.kernel.Simulation;
import it.unimi.dsi.fastutil.ints.IntArrayList;

/**
 * Opens a controller failover when the active controller's node goes down (the cluster's own
 * failover watch only watches brokers): measured phases are detect (a voter became
 * Prospective/Candidate), elect (a voter became Raft leader), ready (it claimed) and propagate
 * (every live broker's observer learned the new leader).
 */
final class ControllerFailureWatch implements Observer {
    private final KRaftControlPlane plane;
    private final Simulation sim;
    private final ClusterSpec cluster;
    private NodeId lastActive;

    ControllerFailureWatch(KRaftControlPlane plane) {
        this.plane = plane;
        this.sim = plane.sim();
        this.cluster = plane.cluster();
    }

    void changed(NodeId node, LivenessWatcher.State from, LivenessWatcher.State to, long atNanos) {
        if (to != LivenessWatcher.State.DOWN || !node.equals(lastActive)) {
            return;
        }
        IntArrayList live = new IntArrayList();
        for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
            NodeId id = sim.node(ClusterSpec.brokerNodeName(b.id()));
            if (id != null && sim.isUp(id)) {
                live.add(b.id());
            }
        }
        plane.context().failover().controllerFailed(node, atNanos, live.toIntArray());
        lastActive = null;
    }

    @Override
    public String name() {
        return "kraft-controller-failover-watch";
    }

    @Override
    public void afterEvent(long nowNanos) {
        NodeId active = plane.activeController();
        if (active != null) {
            lastActive = active;
        }
    }
}
