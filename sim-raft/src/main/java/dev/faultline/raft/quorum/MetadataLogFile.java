package dev.faultline.raft.quorum;

import dev.faultline.core.storage.Durable;
import java.util.ArrayList;
import java.util.List;

/**
 * The metadata log directory of one node ({@code __cluster_metadata-0}): the log segments from the
 * log start offset on, and the frozen snapshots ({@code <endOffset>-<epoch>.checkpoint}). Appends
 * are buffered until {@link #sync()}; a power loss truncates the log to its synced length.
 * Snapshots are fsynced when frozen and survive a power loss, as does the log start offset.
 *
 * <p>Simplifications: advancing the log start and truncations are durable at once (as if their
 * metadata were written synchronously), which can only make a power loss lose less.
 */
public final class MetadataLogFile implements Durable {
    private final ArrayList<LogEntry> entries = new ArrayList<>();
    private long startOffset;
    /** Epoch and chain hash of the record just before {@link #startOffset} (0 at offset 0). */
    private int startEpoch;
    private long startChain;
    /** Entries synced (counted from the start offset). */
    private int syncedLength;
    /** Bytes of the entries (wire size, batch headers included). */
    private long sizeBytes;
    /** Frozen snapshots, oldest first. */
    private final ArrayList<RaftSnapshot> snapshots = new ArrayList<>();

    public long startOffset() {
        return startOffset;
    }

    public int startEpoch() {
        return startEpoch;
    }

    public long startChain() {
        return startChain;
    }

    public long endOffset() {
        return startOffset + entries.size();
    }

    /** Bytes held by the log (not counting snapshots). */
    public long sizeBytes() {
        return sizeBytes;
    }

    public LogEntry get(long offset) {
        if (offset < startOffset || offset >= endOffset()) {
            throw new IndexOutOfBoundsException("offset " + offset + " outside [" + startOffset + ", " + endOffset() + ")");
        }
        return entries.get((int) (offset - startOffset));
    }

    public void append(LogEntry entry) {
        entries.add(entry);
        sizeBytes += entry.wireBytes();
    }

    /** Removes every entry from {@code offset} on ({@code offset >= startOffset}). */
    public void truncate(long offset) {
        if (offset < startOffset || offset > endOffset()) {
            throw new IllegalArgumentException("cannot truncate a log over [" + startOffset + ", " + endOffset() + ") to " + offset);
        }
        int keep = (int) (offset - startOffset);
        while (entries.size() > keep) {
            sizeBytes -= entries.remove(entries.size() - 1).wireBytes();
        }
        syncedLength = Math.min(syncedLength, keep);
    }

    /** Drops the entries below {@code newStart} (a snapshot ends there); the log continues from it. */
    public void advanceStart(long newStart, int epochBefore, long chainBefore) {
        if (newStart <= startOffset) {
            return;
        }
        int drop = (int) Math.min(entries.size(), newStart - startOffset);
        List<LogEntry> prefix = entries.subList(0, drop);
        for (int i = 0; i < prefix.size(); i++) {
            sizeBytes -= prefix.get(i).wireBytes();
        }
        prefix.clear();
        syncedLength = Math.max(0, syncedLength - drop);
        if (newStart > startOffset + drop) {
            // Past the end: the log is empty and continues at the snapshot's end.
            entries.clear();
            sizeBytes = 0;
            syncedLength = 0;
        }
        startOffset = newStart;
        startEpoch = epochBefore;
        startChain = chainBefore;
    }

    /** A frozen snapshot (fsynced with it). Kept sorted by end offset; an equal id replaces nothing. */
    public void addSnapshot(RaftSnapshot snapshot) {
        int i = snapshots.size();
        while (i > 0 && snapshots.get(i - 1).endOffset() > snapshot.endOffset()) {
            i--;
        }
        if (i > 0 && snapshots.get(i - 1).endOffset() == snapshot.endOffset() && snapshots.get(i - 1).epoch() == snapshot.epoch()) {
            return;
        }
        snapshots.add(i, snapshot);
    }

    /** Forgets the snapshots older than {@code keepFrom} (the snapshot at the log start stays). */
    public void removeSnapshotsBefore(long keepFrom) {
        snapshots.removeIf(s -> s.endOffset() < keepFrom);
    }

    /** Removes one snapshot (a deleted or corrupted file). */
    public void removeSnapshot(RaftSnapshot snapshot) {
        snapshots.remove(snapshot);
    }

    public List<RaftSnapshot> snapshots() {
        return java.util.Collections.unmodifiableList(snapshots);
    }

    public RaftSnapshot latestSnapshot() {
        return snapshots.isEmpty() ? null : snapshots.get(snapshots.size() - 1);
    }

    public RaftSnapshot earliestSnapshot() {
        return snapshots.isEmpty() ? null : snapshots.get(0);
    }

    public long snapshotBytes() {
        long total = 0;
        for (RaftSnapshot s : snapshots) {
            total += s.sizeBytes();
        }
        return total;
    }

    public long syncedEndOffset() {
        return startOffset + syncedLength;
    }

    @Override
    public void sync() {
        syncedLength = entries.size();
    }

    @Override
    public void loseUnsynced() {
        truncate(startOffset + syncedLength);
    }
}
