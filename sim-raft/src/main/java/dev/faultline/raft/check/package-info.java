/**
 * The Raft layer's invariants (KR-S1..KR-S9, KR-S11 and KR-L1..KR-L4 in docs/invariants.md), all
 * incremental: per event they read O(voters) scalars from the running nodes and the persisted
 * {@code quorum-state} files, and the ground-truth {@link dev.faultline.raft.check.RaftHistory}
 * checks each appended, truncated or newly committed entry once, in O(1), using the entries' chain
 * hashes ("identical up to offset o" is one comparison). Nothing re-reads a log per event. Select
 * them per run by id ({@link dev.faultline.raft.check.RaftInvariants}); KR-L4 is opt-in.
 */
package dev.faultline.raft.check;
