/**
 * Building and driving bare Raft quorums in a simulation: {@link dev.faultline.raft.harness.RaftCluster}
 * (voters, observers, a client, invariants, traced faults), the workload client, and the
 * leader-crash {@link dev.faultline.raft.harness.ElectionExperiment}.
 */
package dev.faultline.raft.harness;
