package dev.faultline.raft.quorum;

import dev.faultline.core.trace.ContentHash;
import dev.faultline.core.trace.ContentHashed;

/**
 * One record of the metadata log. Offsets are positions in the log (no gaps). {@code chainHash}
 * folds this entry into the hash of every entry before it, so two logs whose entries at one offset
 * have equal chain hashes are identical up to that offset (checked by the Log Matching and
 * committed-data invariants in O(1)); the node computes it locally when it appends, never copies it
 * (a follower whose computed chain equals the leader's shares the leader's immutable entry object).
 *
 * <p>Records are grouped in batches as Kafka writes them (one leader append of up to
 * {@link #MAX_BATCH_SIZE_BYTES}): {@code batchStart} marks the first record of a batch, whose
 * {@value #BATCH_HEADER_BYTES}-byte header ({@code DefaultRecordBatch.RECORD_BATCH_OVERHEAD}) counts
 * toward sizes on the wire and on disk.
 *
 * @param epoch the leader epoch the record was written in
 * @param control true for a {@code LeaderChangeMessage} control record
 * @param value the payload (a client's sequence number; the leader id for control records)
 * @param chainHash hash of this entry and all entries before it in this log
 * @param payload an immutable record carried by the entry (a KRaft metadata record), or
 *     {@code null}; its content must be summarized in {@code value} (the chain hashes only
 *     {@code value}, so it must be a deterministic content hash of the payload)
 * @param sizeBytes the record's serialized size inside its batch (without the batch header)
 * @param batchStart whether this record starts a batch
 */
public record LogEntry(int epoch, boolean control, long value, long chainHash, Object payload, int sizeBytes, boolean batchStart)
        implements ContentHashed {
    /** {@code DefaultRecordBatch.RECORD_BATCH_OVERHEAD}: the header of every record batch. */
    public static final int BATCH_HEADER_BYTES = 61;
    /** {@code KafkaRaftClient.MAX_BATCH_SIZE_BYTES} (8 MiB): a batch holds at most this many bytes. */
    public static final int MAX_BATCH_SIZE_BYTES = 8 * 1024 * 1024;
    /** Size of a record without a payload size of its own: a client's 8-byte value in a v2 record. */
    public static final int DEFAULT_RECORD_BYTES = 19;

    public LogEntry(int epoch, boolean control, long value, long chainHash) {
        this(epoch, control, value, chainHash, null, DEFAULT_RECORD_BYTES, true);
    }

    public LogEntry(int epoch, boolean control, long value, long chainHash, Object payload) {
        this(epoch, control, value, chainHash, payload, DEFAULT_RECORD_BYTES, true);
    }

    /** The chain hash of an entry with this content after an entry whose chain hash is {@code previous}. */
    /** For the fingerprint: every component; the payload through {@code value}, its content hash. */
    @Override
    public long contentHash() {
        long h = ContentHash.step(epoch, control ? 1 : 0);
        h = ContentHash.step(h, value);
        h = ContentHash.step(h, chainHash);
        h = ContentHash.step(h, sizeBytes);
        return ContentHash.step(h, batchStart ? 1 : 0);
    }

    public static long chain(long previous, int epoch, boolean control, long value) {
        long h = previous * 0x9E3779B97F4A7C15L + epoch;
        h = Long.rotateLeft(h, 29) ^ (control ? 0x5bd1e995L : 0L);
        h = h * 0xC2B2AE3D27D4EB4FL + value;
        return h ^ (h >>> 31);
    }

    /** Bytes on the wire and on disk: the record, plus the batch header when it starts a batch. */
    public int wireBytes() {
        return sizeBytes + (batchStart ? BATCH_HEADER_BYTES : 0);
    }
}
