package dev.faultline.core.storage;

import java.util.ArrayList;
import java.util.List;

/**
 * An append-only log of entries on disk (a Raft log, a ZooKeeper transaction log). Appends are
 * buffered until {@link #sync()}; a power loss truncates the log to its synced length.
 *
 * <p>Simplification: a truncation is durable at once (as if its metadata were written
 * synchronously), which can only make a power loss lose less than a real file system might.
 *
 * @param <E> the entry type (immutable records)
 */
public final class DurableLog<E> implements Durable {
    private final ArrayList<E> entries = new ArrayList<>();
    private int syncedLength;

    public void append(E entry) {
        entries.add(entry);
    }

    public int size() {
        return entries.size();
    }

    public boolean isEmpty() {
        return entries.isEmpty();
    }

    public E get(int index) {
        return entries.get(index);
    }

    public E last() {
        return entries.isEmpty() ? null : entries.get(entries.size() - 1);
    }

    /** Removes every entry from {@code length} on. */
    public void truncate(int length) {
        if (length < 0 || length > entries.size()) {
            throw new IllegalArgumentException("cannot truncate a log of " + entries.size() + " entries to " + length);
        }
        while (entries.size() > length) {
            entries.remove(entries.size() - 1);
        }
        syncedLength = Math.min(syncedLength, length);
    }

    /** A read-only view of the entries. */
    public List<E> entries() {
        return java.util.Collections.unmodifiableList(entries);
    }

    public int syncedLength() {
        return syncedLength;
    }

    @Override
    public void sync() {
        syncedLength = entries.size();
    }

    @Override
    public void loseUnsynced() {
        truncate(syncedLength);
    }
}
