package dev.faultline.core.kafka;

import java.util.Arrays;

/**
 * One replica's log on disk: a record id and leader epoch per offset (batches are runs of equal
 * epoch), the append time of each record (for the page-cache writeback model,
 * docs/architecture.md#disks-and-durability), and the leader-epoch cache
 * ({@code leader-epoch-checkpoint}: ordered (epoch, start offset) entries, strictly increasing in
 * both). Created only when a replica first gets a record or an epoch, so an idle replica has no log
 * object.
 *
 * <p>Simplification: the log start offset is always 0 (no retention or deletion).
 */
final class PartitionLog {
    // Plain growable arrays (not lists): an idle led partition has a log holding one epoch entry, and
    // this keeps it to about a hundred bytes.
    private static final long[] NO_LONGS = new long[0];
    private static final int[] NO_INTS = new int[0];
    private long[] ids = NO_LONGS;
    private int[] epochs = NO_INTS;
    private long[] appendTimes = NO_LONGS;
    private int size;
    private int[] cacheEpochs = NO_INTS;
    private long[] cacheStarts = NO_LONGS;
    private int cacheSize;
    private long flushedOffset;

    /** A leader epoch and its end offset as {@code OffsetsForLeaderEpoch} answers. */
    record EpochEndOffset(int epoch, long endOffset) {
        static final EpochEndOffset UNDEFINED = new EpochEndOffset(KafkaMessage.NO_EPOCH, -1);
    }

    long logEndOffset() {
        return size;
    }

    long id(long offset) {
        checkOffset(offset);
        return ids[(int) offset];
    }

    int epoch(long offset) {
        checkOffset(offset);
        return epochs[(int) offset];
    }

    private void checkOffset(long offset) {
        if (offset < 0 || offset >= size) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside a log ending at " + size);
        }
    }

    /** When the record at {@code offset} was appended (host clock). */
    long appendTime(long offset) {
        checkOffset(offset);
        return appendTimes[(int) offset];
    }

    /** Appends one record (the caller keeps the epoch cache in step, see {@link #assignEpoch}). */
    void append(long id, int epoch, long appendTimeNanos) {
        if (size == ids.length) {
            int capacity = Math.max(8, size * 2);
            ids = Arrays.copyOf(ids, capacity);
            epochs = Arrays.copyOf(epochs, capacity);
            appendTimes = Arrays.copyOf(appendTimes, capacity);
        }
        ids[size] = id;
        epochs[size] = epoch;
        appendTimes[size] = appendTimeNanos;
        size++;
    }

    /**
     * Records that {@code epoch} starts at {@code startOffset} (a new leader, or a follower appending
     * the first record of an epoch). Ignored when the epoch is already the latest; entries with an
     * epoch or start offset not below the new one are removed first (only an old protocol, a planted
     * bug, makes that happen; DP-S4 then reports records no entry covers).
     */
    void assignEpoch(int epoch, long startOffset) {
        if (cacheSize > 0 && cacheEpochs[cacheSize - 1] == epoch) {
            return;
        }
        // Kafka keeps the cache monotonic: entries that a new (epoch, start) would contradict go first.
        while (cacheSize > 0 && (cacheEpochs[cacheSize - 1] >= epoch || cacheStarts[cacheSize - 1] >= startOffset)) {
            cacheSize--;
        }
        if (cacheSize == cacheEpochs.length) {
            cacheEpochs = Arrays.copyOf(cacheEpochs, Math.max(1, cacheSize * 2));
            cacheStarts = Arrays.copyOf(cacheStarts, Math.max(1, cacheSize * 2));
        }
        cacheEpochs[cacheSize] = epoch;
        cacheStarts[cacheSize] = startOffset;
        cacheSize++;
    }

    /** The latest epoch in the cache, or {@link KafkaMessage#NO_EPOCH}. */
    int latestEpoch() {
        return cacheSize == 0 ? KafkaMessage.NO_EPOCH : cacheEpochs[cacheSize - 1];
    }

    /** The start offset of the latest epoch, or 0. */
    long latestEpochStart() {
        return cacheSize == 0 ? 0 : cacheStarts[cacheSize - 1];
    }

    int cacheSize() {
        return cacheSize;
    }

    int cacheEpoch(int i) {
        return cacheEpochs[i];
    }

    long cacheStart(int i) {
        return cacheStarts[i];
    }

    /**
     * KIP-279 lookup: the largest epoch at or below {@code requested} and its end offset (the start
     * of the next higher epoch, or the log end offset for the latest epoch). A requested epoch below
     * every known one answers (requested, start of the first epoch); above every known one, UNDEFINED.
     */
    EpochEndOffset endOffsetFor(int requested) {
        if (requested == KafkaMessage.NO_EPOCH) {
            return EpochEndOffset.UNDEFINED;
        }
        if (cacheSize > 0 && requested == cacheEpochs[cacheSize - 1]) {
            return new EpochEndOffset(requested, logEndOffset());
        }
        int higher = -1;
        for (int i = 0; i < cacheSize; i++) {
            if (cacheEpochs[i] > requested) {
                higher = i;
                break;
            }
        }
        if (higher < 0) {
            return EpochEndOffset.UNDEFINED;
        }
        if (higher == 0) {
            return new EpochEndOffset(requested, cacheStarts[0]);
        }
        return new EpochEndOffset(cacheEpochs[higher - 1], cacheStarts[higher]);
    }

    /**
     * The KIP-101 (0.11) answer that planted bug {@code replication.singleRoundEpochLookup} restores:
     * only an end offset, the start of the first epoch larger than {@code requested}, or the log end
     * offset when there is none.
     */
    long singleRoundEndOffsetFor(int requested) {
        for (int i = 0; i < cacheSize; i++) {
            if (cacheEpochs[i] > requested) {
                return cacheStarts[i];
            }
        }
        return logEndOffset();
    }

    /** Removes every record from {@code offset} on and every epoch entry starting at or after it. */
    void truncateTo(long offset) {
        if (offset < 0 || offset > size) {
            throw new IllegalArgumentException("cannot truncate a log ending at " + size + " to " + offset);
        }
        size = (int) offset;
        truncateEpochCacheFromEnd(offset);
        flushedOffset = Math.min(flushedOffset, offset);
    }

    /** Kafka's {@code truncateFromEnd}: drops epoch entries whose start offset is at or after {@code endOffset}. */
    void truncateEpochCacheFromEnd(long endOffset) {
        while (cacheSize > 0 && cacheStarts[cacheSize - 1] >= endOffset) {
            cacheSize--;
        }
    }

    /** The end of the prefix made durable by an explicit fsync. */
    long flushedOffset() {
        return flushedOffset;
    }

    /** An fsync of this log (clean shutdown, {@code log.flush.interval.messages}). */
    void flush() {
        flushedOffset = size;
    }

    /**
     * The prefix that survives a power loss at {@code nowNanos}: what was fsynced, plus what the OS
     * wrote back because it sat in the page cache for at least {@code writebackDelayNanos}.
     */
    long durableOffset(long nowNanos, long writebackDelayNanos) {
        long horizon = nowNanos - writebackDelayNanos;
        int lo = (int) flushedOffset;
        int hi = size;
        while (lo < hi) { // first record appended after the horizon
            int mid = (lo + hi) >>> 1;
            if (appendTimes[mid] <= horizon) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
