package dev.faultline.raft.kraft;

import dev.faultline.raft.quorum.LogEntry;
import dev.faultline.raft.quorum.RaftLog;
import dev.faultline.raft.quorum.RaftNode;

/**
 * When a process writes its own KRaft snapshot (Kafka's {@code SnapshotGenerator}, KIP-630): after
 * each delivery of committed records it counts their bytes; once
 * {@code metadata.log.max.record.bytes.between.snapshots} (20 MiB) have been replayed since the
 * last snapshot, or else {@code metadata.log.max.snapshot.interval.ms} (1 h; 0 turns it off) has
 * passed, the image is written as a snapshot, but only at the end of a record batch (an image that
 * is not batch aligned is not emitted; the counters keep counting). Loading a snapshot resets the
 * counters. Simplification: the snapshot is written at once (Kafka writes it on the generator's own
 * thread, taking time proportional to the image, while the node goes on).
 */
final class SnapshotGenerator {
    private final long maxBytes;
    private final long maxIntervalNanos;
    private long bytesSinceLast;
    private long lastNanos;

    SnapshotGenerator(long maxBytes, long maxIntervalNanos, long nowNanos) {
        this.maxBytes = maxBytes;
        this.maxIntervalNanos = maxIntervalNanos;
        this.lastNanos = nowNanos;
    }

    /** Records of {@code bytes} bytes were replayed; returns whether to write a snapshot now. */
    boolean replayed(long bytes, long nowNanos, boolean batchAligned) {
        bytesSinceLast += bytes;
        if (!batchAligned) {
            return false;
        }
        return bytesSinceLast >= maxBytes || (maxIntervalNanos > 0 && nowNanos - lastNanos >= maxIntervalNanos);
    }

    /** A snapshot was written or loaded. */
    void reset(long nowNanos) {
        bytesSinceLast = 0;
        lastNanos = nowNanos;
    }

    /** Bytes of delivered entries (batch headers included). */
    static long wireBytes(java.util.List<LogEntry> entries) {
        long bytes = 0;
        for (int i = 0; i < entries.size(); i++) {
            bytes += entries.get(i).wireBytes();
        }
        return bytes;
    }

    /** Whether a delivery that ends at {@code end} ends a record batch (the next record starts one, or none follows yet). */
    static boolean batchAligned(RaftNode raft, long end) {
        RaftLog log = raft.log();
        return end >= log.endOffset() || end < log.startOffset() || log.get(end).batchStart();
    }
}
