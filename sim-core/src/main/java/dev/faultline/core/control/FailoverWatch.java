package dev.faultline.core.control;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Observer;
import dev.faultline.core.kernel.Simulation;
import it.unimi.dsi.fastutil.ints.IntArrayList;

/**
 * Opens failovers in a {@link FailoverRecorder} when the world takes a node down, whatever injected
 * the fault: a broker going down opens a broker failover over the partitions it led (authoritative
 * state at that instant); the node that was active controller going down opens a controller
 * failover. Read-only: an {@link Observer}, and a {@link LivenessWatcher} listener.
 */
public final class FailoverWatch implements Observer {
    private final Simulation simulation;
    private final ClusterSpec cluster;
    private final ControlPlane controlPlane;
    private final FailoverRecorder recorder;
    private NodeId lastController;

    public FailoverWatch(Simulation simulation, ClusterSpec cluster, ControlPlane controlPlane, FailoverRecorder recorder,
                         LivenessWatcher liveness) {
        this.simulation = simulation;
        this.cluster = cluster;
        this.controlPlane = controlPlane;
        this.recorder = recorder;
        liveness.addListener(this::changed);
    }

    private void changed(NodeId node, LivenessWatcher.State from, LivenessWatcher.State to, long atNanos) {
        if (to != LivenessWatcher.State.DOWN) {
            return;
        }
        int brokerId = ClusterSpec.brokerIdOf(node.name());
        if (brokerId >= 0 && cluster.broker(brokerId) != null) {
            PartitionStateView view = controlPlane.partitionStates();
            IntArrayList led = new IntArrayList();
            int hosted = cluster.partitionCountOf(brokerId);
            for (int k = 0; k < hosted; k++) { // only the partitions it hosts can it lead
                int p = cluster.partitionOf(brokerId, k);
                if (view.leader(p) == brokerId) {
                    led.add(p);
                }
            }
            recorder.brokerFailed(brokerId, atNanos, led.toIntArray());
        }
        if (node.equals(lastController)) {
            IntArrayList live = new IntArrayList();
            for (ClusterSpec.BrokerSpec b : cluster.brokers()) {
                NodeId id = simulation.node(ClusterSpec.brokerNodeName(b.id()));
                if (id != null && !id.equals(node) && simulation.isUp(id)) {
                    live.add(b.id());
                }
            }
            recorder.controllerFailed(node, atNanos, live.toIntArray());
            lastController = null;
        }
    }

    @Override
    public String name() {
        return "failover-watch";
    }

    @Override
    public void afterEvent(long nowNanos) {
        NodeId active = controlPlane.activeController();
        if (active != null) {
            lastController = active;
        }
    }
}
