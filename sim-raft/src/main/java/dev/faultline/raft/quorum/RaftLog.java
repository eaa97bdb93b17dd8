package dev.faultline.raft.quorum;

import dev.faultline.core.storage.DurableLog;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;

/**
 * The process's view of the metadata log {@code __cluster_metadata}: the durable entries plus the
 * epoch cache (epoch to start offset, model-spec §C.2), rebuilt from the log when the process
 * starts.
 *
 * <p>Simplification (KIP-630 snapshots): no snapshots are taken; the log start offset is always 0,
 * so a replica far behind catches up by fetching the log rather than a snapshot. Snapshot timing
 * does not enter any failover measurement this module makes.
 */
public final class RaftLog {
    private final DurableLog<LogEntry> log;
    private final IntArrayList epochs = new IntArrayList();
    private final LongArrayList startOffsets = new LongArrayList();

    public RaftLog(DurableLog<LogEntry> log) {
        this.log = log;
        for (int i = 0; i < log.size(); i++) {
            noteEpoch(log.get(i).epoch(), i);
        }
    }

    /** The durable log underneath (to fsync it). */
    public DurableLog<LogEntry> durable() {
        return log;
    }

    public long endOffset() {
        return log.size();
    }

    /** The epoch of the last entry, 0 when empty. */
    public int lastEpoch() {
        return epochs.isEmpty() ? 0 : epochs.getInt(epochs.size() - 1);
    }

    public LogEntry get(long offset) {
        return log.get((int) offset);
    }

    /** The epoch of the entry just before {@code offset} (0 for offset 0). */
    public int epochBefore(long offset) {
        return offset == 0 ? 0 : get(offset - 1).epoch();
    }

    /** Chain hash of the entry at {@code offset - 1}; 0 for an empty prefix. */
    public long chainBefore(long offset) {
        return offset == 0 ? 0 : get(offset - 1).chainHash();
    }

    /** Appends an entry with a locally computed chain hash and returns its offset. */
    long append(int epoch, boolean control, long value, Object payload) {
        if (epoch < lastEpoch()) {
            throw new IllegalStateException("append with epoch " + epoch + " after epoch " + lastEpoch());
        }
        long offset = log.size();
        log.append(new LogEntry(epoch, control, value, LogEntry.chain(chainBefore(offset), epoch, control, value), payload));
        noteEpoch(epoch, offset);
        return offset;
    }

    /** Removes every entry from {@code offset} on. */
    void truncateTo(long offset) {
        log.truncate((int) offset);
        while (!startOffsets.isEmpty() && startOffsets.getLong(startOffsets.size() - 1) >= offset) {
            epochs.removeInt(epochs.size() - 1);
            startOffsets.removeLong(startOffsets.size() - 1);
        }
    }

    /**
     * The largest epoch in this log that is {@code <= epoch}, with its end offset (the start of the
     * next epoch, or the log end): Kafka's {@code endOffsetForEpoch}. Returns {@code (0, 0)} when
     * there is none.
     */
    public OffsetAndEpoch endOffsetForEpoch(int epoch) {
        for (int i = epochs.size() - 1; i >= 0; i--) {
            if (epochs.getInt(i) <= epoch) {
                long end = i + 1 < epochs.size() ? startOffsets.getLong(i + 1) : endOffset();
                return new OffsetAndEpoch(end, epochs.getInt(i));
            }
        }
        return new OffsetAndEpoch(0, 0);
    }

    /** The start offset of {@code epoch} in this log, or -1. */
    public long startOffsetOfEpoch(int epoch) {
        for (int i = epochs.size() - 1; i >= 0; i--) {
            if (epochs.getInt(i) == epoch) {
                return startOffsets.getLong(i);
            }
        }
        return -1;
    }

    private void noteEpoch(int epoch, long offset) {
        if (epochs.isEmpty() || epochs.getInt(epochs.size() - 1) != epoch) {
            epochs.add(epoch);
            startOffsets.add(offset);
        }
    }

    /** An offset paired with an epoch. */
    public record OffsetAndEpoch(long offset, int epoch) {
    }
}
