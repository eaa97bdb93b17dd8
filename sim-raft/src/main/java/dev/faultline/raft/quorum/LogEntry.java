package dev.faultline.raft.quorum;

/**
 * One record of the metadata log. Offsets are positions in the log (no gaps). {@code chainHash}
 * folds this entry into the hash of every entry before it, so two logs whose entries at one offset
 * have equal chain hashes are identical up to that offset (checked by the Log Matching and
 * committed-data invariants in O(1)); the node computes it locally when it appends, never copies it.
 *
 * @param epoch the leader epoch the record was written in
 * @param control true for a {@code LeaderChangeMessage} control record
 * @param value the payload (a client's sequence number; the leader id for control records)
 * @param chainHash hash of this entry and all entries before it in this log
 * @param payload an immutable record carried by the entry (a KRaft metadata record), or
 *     {@code null}; its content must be summarized in {@code value} (the chain hashes only
 *     {@code value}, so it must be a deterministic content hash of the payload)
 */
public record LogEntry(int epoch, boolean control, long value, long chainHash, Object payload) {

    public LogEntry(int epoch, boolean control, long value, long chainHash) {
        this(epoch, control, value, chainHash, null);
    }

    /** The chain hash of an entry with this content after an entry whose chain hash is {@code previous}. */
    public static long chain(long previous, int epoch, boolean control, long value) {
        long h = previous * 0x9E3779B97F4A7C15L + epoch;
        h = Long.rotateLeft(h, 29) ^ (control ? 0x5bd1e995L : 0L);
        h = h * 0xC2B2AE3D27D4EB4FL + value;
        return h ^ (h >>> 31);
    }

    /** Bytes on the wire and on disk (a Kafka record batch header is about 61 bytes; one record each). */
    public int sizeBytes() {
        return 80;
    }
}
