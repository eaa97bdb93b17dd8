/**
 * Kafka's flavour of Raft (KIP-595, KIP-996 pre-vote, KAFKA-15489 check-quorum) as a simulated
 * process: {@link dev.faultline.raft.quorum.RaftNode} owns the timers and effects,
 * {@link dev.faultline.raft.quorum.QuorumState} owns every transition between the epoch states
 * (Unattached, Prospective, Candidate, Leader, Follower, Resigned) and persists the
 * {@code quorum-state} file before the node acts; per-RPC handlers
 * ({@code VoteHandler}, {@code LeaderFetchHandler}, {@code ReplicaFetcher}, {@code LeaderDuties})
 * implement Vote, BeginQuorumEpoch, EndQuorumEpoch and pull-based Fetch with diverging-epoch
 * truncation; {@link dev.faultline.raft.quorum.HighWatermarkRule} is the current-epoch commit rule.
 *
 * <p>Durability (docs/architecture.md#disks-and-durability): the quorum-state file is written and
 * fsynced on every change before the node answers or acts; voters fsync the metadata log after
 * appending fetched records and before their next Fetch; the leader fsyncs its own appends before
 * counting them; observers never fsync (a power loss may cost them an unflushed tail, which they
 * fetch again).
 *
 * <p>Simplifications, each chosen so that the failover timings users compare are unchanged:
 * <ul>
 *   <li>Snapshots (KIP-630): the state machine freezes them ({@link dev.faultline.raft.quorum.RaftNode#addSnapshot});
 *       the log start advances only to a snapshot (retention bytes and time, checked every 60 s);
 *       a replica below the leader's log start fetches its snapshot in 8 MiB chunks; the listener of
 *       a new process, or one behind the log start, is given the latest snapshot first. A snapshot is
 *       written at once, and the bytes below a new log start are gone at once (Kafka deletes whole
 *       segments).</li>
 *   <li>Static voters ({@code controller.quorum.voters}); no KIP-853 voter changes, so
 *       {@code raft.voterChangeBeforeEpochCommit} is not modelled.</li>
 *   <li>One record per client append; the leader batches appends for
 *       {@code controller.quorum.append.linger.ms} and writes them as batches of at most 8 MiB
 *       (a full batch is written at once); a Fetch returns whole batches up to 8 MiB. A record has
 *       the size its payload declares (a client value: 19 bytes), a batch a 61-byte header.</li>
 *   <li>Vote requests are not retried within one candidacy (Kafka's request timeout, 2000 ms, is
 *       longer than the election timeout that ends the candidacy anyway).</li>
 *   <li>A Prospective voter whose election timeout expires starts a new pre-vote round at the same
 *       epoch (Kafka 4.0 goes through Unattached/Follower first; the timing is the same).</li>
 *   <li>A truncation below the high watermark, which Kafka's log refuses with an exception, is
 *       carried out and reported to the checker (KR-S9) so that planted bugs can be observed.</li>
 *   <li>The leader's high watermark in a new epoch starts at "none" and, under the planted
 *       {@code commitPriorEpochByCount} rules, never goes below the HW the node already knew.</li>
 * </ul>
 */
package dev.faultline.raft.quorum;
