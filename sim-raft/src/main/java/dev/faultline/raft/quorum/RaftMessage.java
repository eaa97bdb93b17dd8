package dev.faultline.raft.quorum;

import dev.faultline.core.kernel.Message;
import java.util.List;

/**
 * The Raft RPCs of KIP-595 (and KIP-996 pre-vote), plus the classic policy's heartbeat and a client
 * append. Node ids are {@link dev.faultline.core.kernel.NodeId#index()} values; {@code -1} means none.
 * Every request and response carries the sender's epoch; a higher epoch moves the receiver to it.
 */
public sealed interface RaftMessage extends Message {

    /** The sender's epoch. */
    int epoch();

    /**
     * Vote (KIP-595) or pre-vote (KIP-996, {@code preVote = true}: asked at the prospective's current
     * epoch, changes no persisted vote).
     */
    record VoteRequest(int epoch, int candidateId, int lastEpoch, long lastOffset, boolean preVote)
            implements RaftMessage {
    }

    record VoteResponse(int epoch, int leaderId, boolean granted, boolean preVote) implements RaftMessage {
    }

    /** A new leader announces itself (sent at once and every {@code fetch timeout / 2}). */
    record BeginQuorumEpochRequest(int epoch, int leaderId) implements RaftMessage {
    }

    record BeginQuorumEpochResponse(int epoch, int leaderId) implements RaftMessage {
    }

    /** A resigning leader names its preferred successors, most caught-up first. */
    record EndQuorumEpochRequest(int epoch, int leaderId, List<Integer> preferredSuccessors) implements RaftMessage {
        public EndQuorumEpochRequest {
            preferredSuccessors = List.copyOf(preferredSuccessors);
        }
    }

    /**
     * Pull-based replication: the replica asks for records from its log end.
     *
     * @param epoch the replica's current leader epoch ({@code currentLeaderEpoch})
     * @param fetchOffset the replica's log end offset
     * @param lastFetchedEpoch epoch of the entry just before {@code fetchOffset}
     * @param correlationId matches the response; a late response to a timed-out request is discarded
     */
    record FetchRequest(int epoch, int replicaId, long fetchOffset, int lastFetchedEpoch, long correlationId)
            implements RaftMessage {
    }

    /**
     * @param error NONE, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH or NOT_LEADER_OR_FOLLOWER
     * @param divergingEpoch with {@code divergingEndOffset}: the replica must truncate; -1 when none
     * @param records entries starting at the request's {@code fetchOffset} (epoch, control, value only)
     * @param snapshotEndOffset with {@code snapshotEpoch}: the fetch offset is below the leader's log
     *     start (or its epoch is older than the leader's oldest snapshot): fetch this snapshot
     *     (KIP-630); -1 when none
     */
    record FetchResponse(int epoch, int leaderId, FetchError error, int divergingEpoch, long divergingEndOffset,
                         long fetchOffset, List<LogEntry> records, long highWatermark, long correlationId,
                         long snapshotEndOffset, int snapshotEpoch)
            implements RaftMessage {
        public FetchResponse(int epoch, int leaderId, FetchError error, int divergingEpoch, long divergingEndOffset,
                             long fetchOffset, List<LogEntry> records, long highWatermark, long correlationId) {
            this(epoch, leaderId, error, divergingEpoch, divergingEndOffset, fetchOffset, records, highWatermark, correlationId, -1, -1);
        }

        @Override
        public int sizeBytes() {
            long size = 64;
            for (int i = 0; i < records.size(); i++) {
                size += records.get(i).wireBytes();
            }
            if (!records.isEmpty() && !records.get(0).batchStart()) {
                size += LogEntry.BATCH_HEADER_BYTES; // a fetch from inside a batch still sends a batch header
            }
            return (int) Math.min(Integer.MAX_VALUE, size);
        }
    }

    /** Fetch error codes. */
    enum FetchError { NONE, FENCED_LEADER_EPOCH, UNKNOWN_LEADER_EPOCH, NOT_LEADER_OR_FOLLOWER, SNAPSHOT_NOT_FOUND }

    /**
     * FetchSnapshot (KIP-630): the replica asks the leader for the bytes of snapshot
     * {@code (snapshotEndOffset, snapshotEpoch)} from {@code position}, at most
     * {@code KafkaRaftClient.MAX_FETCH_SIZE_BYTES} (8 MiB) per response.
     */
    record FetchSnapshotRequest(int epoch, int replicaId, long snapshotEndOffset, int snapshotEpoch, long position,
                                long correlationId) implements RaftMessage {
    }

    /**
     * One chunk of a snapshot: {@code chunkBytes} bytes from {@code position} of a snapshot of
     * {@code size} bytes. The simulator carries the leader's immutable snapshot object itself (the
     * bytes it stands for are what {@link #sizeBytes} counts); the replica keeps it only once it
     * has received every chunk.
     */
    record FetchSnapshotResponse(int epoch, int leaderId, FetchError error, long position, long chunkBytes,
                                 RaftSnapshot snapshot, long correlationId) implements RaftMessage {
        @Override
        public int sizeBytes() {
            return (int) Math.min(Integer.MAX_VALUE, 64 + chunkBytes);
        }
    }

    /** Classic timer policy only: the leader's periodic heartbeat (an empty AppendEntries in the Raft paper). */
    record Heartbeat(int epoch, int leaderId) implements RaftMessage {
    }

    /** A client asks the leader to append one record. */
    record ClientAppend(int epoch, long value) implements RaftMessage {
    }

    /**
     * Answer to a client append: {@code leaderId} is the answering node itself when it accepted the
     * record, otherwise the leader it knows ({@code -1} if none).
     */
    record ClientAppendReply(int epoch, int leaderId, boolean accepted) implements RaftMessage {
    }
}
