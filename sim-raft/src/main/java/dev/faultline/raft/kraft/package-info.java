/**
 * The KRaft control plane ({@link dev.faultline.raft.kraft.KRaftControlPlane}, a
 * {@link dev.faultline.core.control.ControlPlane}): dedicated controller voters
 * ({@link dev.faultline.raft.kraft.ControllerNode}) each running a quorum controller on the Raft
 * quorum of {@code dev.faultline.raft.quorum}, metadata records replayed into images, and a broker
 * agent in every broker that replays {@code __cluster_metadata} as a Raft observer, registers,
 * heartbeats and forwards AlterPartition. Simplifications are listed on the classes; the largest:
 * dedicated controllers only (no combined mode), no controlled shutdown, no ELR/KIP-966, no
 * controller CPU cost per record, topics created once every broker has registered.
 */
package dev.faultline.raft.kraft;
