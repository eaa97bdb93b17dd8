/**
 * The KRaft control plane ({@link dev.faultline.raft.kraft.KRaftControlPlane}, a
 * {@link dev.faultline.core.control.ControlPlane}): dedicated controller voters
 * ({@link dev.faultline.raft.kraft.ControllerNode}) each running a quorum controller on the Raft
 * quorum of {@code dev.faultline.raft.quorum}, metadata records replayed into images, and a broker
 * agent in every broker that replays {@code __cluster_metadata} as a Raft observer, registers,
 * heartbeats and forwards AlterPartition. The controller and each broker's metadata loader run on
 * their own event queue ({@link dev.faultline.raft.kraft.EventThread}) beside the Raft client and
 * pay a CPU cost per record; every process writes KIP-630 snapshots. Simplifications are listed on
 * the classes; the largest: no ELR/KIP-966, static voters, topics created once every broker has
 * registered.
 */
package dev.faultline.raft.kraft;
