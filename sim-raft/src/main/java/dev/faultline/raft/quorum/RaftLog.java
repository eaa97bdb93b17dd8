package dev.faultline.raft.quorum;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;

/**
 * The process's view of the metadata log {@code __cluster_metadata}: the durable entries from the
 * log start offset on, the snapshots beside them ({@link MetadataLogFile}), and the epoch cache
 * (epoch to start offset, docs/model.md#raft-epoch-states), rebuilt from the log when the process
 * starts. Before the log start only a snapshot remains: the epoch of its last record (the epoch
 * "before" the log start) stands in the epoch cache for everything below it.
 */
public final class RaftLog {
    private final MetadataLogFile log;
    private final IntArrayList epochs = new IntArrayList();
    private final LongArrayList startOffsets = new LongArrayList();
    /** The log start the epoch cache was built for (a disk changed behind the process rebuilds it). */
    private long cachedStart;

    public RaftLog(MetadataLogFile log) {
        this.log = log;
        rebuildEpochCache();
    }

    private void rebuildEpochCache() {
        cachedStart = log.startOffset();
        epochs.clear();
        startOffsets.clear();
        for (long o = log.startOffset(); o < log.endOffset(); o++) {
            noteEpoch(log.get(o).epoch(), o);
        }
    }

    /** The durable log directory underneath (to fsync it). */
    public MetadataLogFile durable() {
        return log;
    }

    public long startOffset() {
        return log.startOffset();
    }

    public long endOffset() {
        return log.endOffset();
    }

    /** Bytes of the records held (batch headers included). */
    public long sizeBytes() {
        return log.sizeBytes();
    }

    /** The epoch of the last entry; the log start's epoch when empty (0 for an empty log from offset 0). */
    public int lastEpoch() {
        checkCache();
        return epochs.isEmpty() ? log.startEpoch() : epochs.getInt(epochs.size() - 1);
    }

    public LogEntry get(long offset) {
        return log.get(offset);
    }

    /** The epoch of the entry just before {@code offset} (the snapshot's at the log start; 0 for offset 0). */
    public int epochBefore(long offset) {
        return offset == log.startOffset() ? log.startEpoch() : get(offset - 1).epoch();
    }

    /** Chain hash of the entry at {@code offset - 1}; 0 for an empty prefix, the snapshot's at the log start. */
    public long chainBefore(long offset) {
        return offset == log.startOffset() ? log.startChain() : get(offset - 1).chainHash();
    }

    /** Appends a new entry (a leader's) with a locally computed chain hash and returns its offset. */
    long append(int epoch, boolean control, long value, Object payload, int sizeBytes, boolean batchStart) {
        checkEpoch(epoch);
        long offset = log.endOffset();
        log.append(new LogEntry(epoch, control, value, LogEntry.chain(chainBefore(offset), epoch, control, value), payload,
                sizeBytes, batchStart));
        noteEpoch(epoch, offset);
        return offset;
    }

    /**
     * Appends a replicated entry: its chain hash is computed here; when it equals the leader's the
     * leader's immutable entry object is kept (the simulator shares equal immutable records).
     */
    long appendReplica(LogEntry e) {
        checkEpoch(e.epoch());
        long offset = log.endOffset();
        long chain = LogEntry.chain(chainBefore(offset), e.epoch(), e.control(), e.value());
        log.append(chain == e.chainHash() ? e
                : new LogEntry(e.epoch(), e.control(), e.value(), chain, e.payload(), e.sizeBytes(), e.batchStart()));
        noteEpoch(e.epoch(), offset);
        return offset;
    }

    /** The log start moved without this process (a disk changed under it): the cache follows. */
    private void checkCache() {
        if (cachedStart != log.startOffset()) {
            rebuildEpochCache();
        }
    }

    private void checkEpoch(int epoch) {
        if (epoch < lastEpoch()) {
            throw new IllegalStateException("append with epoch " + epoch + " after epoch " + lastEpoch());
        }
    }

    /** Removes every entry from {@code offset} on (never below the log start). */
    void truncateTo(long offset) {
        checkCache();
        log.truncate(Math.max(offset, log.startOffset()));
        while (!startOffsets.isEmpty() && startOffsets.getLong(startOffsets.size() - 1) >= offset) {
            epochs.removeInt(epochs.size() - 1);
            startOffsets.removeLong(startOffsets.size() - 1);
        }
    }

    /** The log now starts at {@code snapshot}'s end (cleaning, or a fetched snapshot past the log end). */
    void advanceStartTo(RaftSnapshot snapshot) {
        log.advanceStart(snapshot.endOffset(), snapshot.epoch(), snapshot.chainHash());
        rebuildEpochCache();
    }

    /**
     * The largest epoch in this log that is {@code <= epoch}, with its end offset (the start of the
     * next epoch, or the log end): Kafka's {@code endOffsetForEpoch}. The epoch before the log start
     * counts as ending where the first epoch of the log starts. Returns {@code (0, 0)} when there is
     * none (an empty prefix), the log start when only the snapshot's epoch is older.
     */
    public OffsetAndEpoch endOffsetForEpoch(int epoch) {
        checkCache();
        for (int i = epochs.size() - 1; i >= 0; i--) {
            if (epochs.getInt(i) <= epoch) {
                long end = i + 1 < epochs.size() ? startOffsets.getLong(i + 1) : endOffset();
                return new OffsetAndEpoch(end, epochs.getInt(i));
            }
        }
        if (log.startOffset() > 0) {
            return new OffsetAndEpoch(log.startOffset(), Math.min(epoch, log.startEpoch()));
        }
        return new OffsetAndEpoch(0, 0);
    }

    /** The start offset of {@code epoch} in this log, or -1. */
    public long startOffsetOfEpoch(int epoch) {
        checkCache();
        for (int i = epochs.size() - 1; i >= 0; i--) {
            if (epochs.getInt(i) == epoch) {
                return startOffsets.getLong(i);
            }
        }
        return -1;
    }

    private void noteEpoch(int epoch, long offset) {
        checkCache();
        if (epochs.isEmpty() || epochs.getInt(epochs.size() - 1) != epoch) {
            epochs.add(epoch);
            startOffsets.add(offset);
        }
    }

    /** An offset paired with an epoch. */
    public record OffsetAndEpoch(long offset, int epoch) {
    }
}
