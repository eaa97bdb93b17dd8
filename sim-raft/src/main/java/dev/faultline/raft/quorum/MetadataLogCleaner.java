package dev.faultline.raft.quorum;

import dev.faultline.core.kernel.NodeContext;

/**
 * A Raft node's metadata log cleaner (Kafka's {@code RaftMetadataLogCleanerManager} and
 * {@code KafkaMetadataLog.maybeClean}, KIP-630): once the node holds a snapshot it runs at most every
 * 60 s, and after each new snapshot, deleting old snapshots and advancing the log start while the
 * log is over {@code metadata.max.retention.bytes} or its oldest snapshot over
 * {@code metadata.max.retention.ms}. It owns the node's {@link RaftTimer#LOG_CLEANER} timer.
 */
final class MetadataLogCleaner {
    /** {@code KafkaRaftClient}'s snapshot cleaner runs at most every 60 s ({@code RaftMetadataLogCleanerManager}). */
    static final long LOG_CLEANER_INTERVAL_NANOS = 60_000_000_000L;

    private final NodeContext ctx;
    private final RaftLog log;
    /** {@code metadata.max.retention.bytes} (100 MiB) and {@code metadata.max.retention.ms} (7 days). */
    private long retentionBytes = 100L * 1024 * 1024;
    private long retentionNanos = 7L * 24 * 3600 * 1_000_000_000L;

    MetadataLogCleaner(NodeContext ctx, RaftLog log) {
        this.ctx = ctx;
        this.log = log;
    }

    /** {@code metadata.max.retention.bytes} and {@code metadata.max.retention.ms} (negative: no limit). */
    void setRetention(long maxBytes, long maxNanos) {
        this.retentionBytes = maxBytes;
        this.retentionNanos = maxNanos;
    }

    /** The next cleaning runs one interval from now. */
    void schedule() {
        ctx.setTimer(RaftTimer.LOG_CLEANER, LOG_CLEANER_INTERVAL_NANOS);
    }

    /** A snapshot was added: cleaning runs from now on (if it was not scheduled yet). */
    void arm() {
        if (!ctx.hasTimer(RaftTimer.LOG_CLEANER)) {
            schedule();
        }
    }

    /**
     * {@code KafkaMetadataLog.maybeClean}: while the log and snapshots together exceed the retention
     * size, or the oldest snapshot is older than the retention time, delete the oldest snapshot and
     * advance the log start to the next one (never the last snapshot; never past the log end).
     * Simplification: the log's bytes below the new start are gone at once (Kafka deletes whole
     * segments of {@code metadata.log.segment.bytes}, so its size check keeps counting them until the
     * segment rolls).
     */
    void maybeClean() {
        MetadataLogFile file = log.durable();
        while (file.snapshots().size() >= 2) {
            RaftSnapshot oldest = file.snapshots().get(0);
            RaftSnapshot next = file.snapshots().get(1);
            boolean tooBig = retentionBytes >= 0 && log.sizeBytes() + file.snapshotBytes() > retentionBytes;
            boolean tooOld = retentionNanos >= 0 && ctx.now() - oldest.createdNanos() > retentionNanos;
            if (!(tooBig || tooOld) || next.endOffset() > log.endOffset()) {
                return;
            }
            ctx.trace("raft", "cleaning: delete " + oldest + ", log start " + log.startOffset() + " -> " + next.endOffset()
                    + (tooBig ? " (retention bytes)" : " (retention ms)"));
            if (next.endOffset() > log.startOffset()) {
                log.advanceStartTo(next);
            }
            file.removeSnapshotsBefore(next.endOffset());
        }
    }
}
