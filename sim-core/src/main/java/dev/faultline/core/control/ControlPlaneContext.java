package dev.faultline.core.control;

import dev.faultline.core.kernel.Simulation;

/**
 * What a {@link ControlPlane} gets at {@link ControlPlane#install}: the simulation to add nodes and
 * hooks to, the cluster description, the ground-truth decision history to record into, and the
 * failover recorder to report phases to. The history and recorder are omniscient measurement: no
 * node may read them.
 */
public record ControlPlaneContext(Simulation simulation, ClusterSpec cluster, ControlHistory history, FailoverRecorder failover) {
}
