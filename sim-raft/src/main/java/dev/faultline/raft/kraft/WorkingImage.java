package dev.faultline.raft.kraft;

import dev.faultline.core.control.PartitionState;
import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayFIFOQueue;

/**
 * An image that is a committed image plus records not committed yet: the active controller's
 * working state (Kafka keeps it in a {@code SnapshotRegistry} and reverts to the last committed
 * offset on renounce) and the image KM-S4 judges a leader's records against. Broker state is
 * copied at creation (O(brokers)); partition states it changed are kept in a map over the
 * committed image, each dropped again once the committed image has applied the record that set it
 * ({@link #prune}), so its size is the number of uncommitted changes, never the partition count.
 *
 * <p>Every record the committed image applies after this view was made must be one this view
 * applied first (the leader's own log in its epoch), so the copied broker state never goes stale.
 */
public final class WorkingImage extends MetadataImage {
    private final MetadataImage committed;
    private final Int2ObjectOpenHashMap<PartitionState> changes = new Int2ObjectOpenHashMap<>();
    private final Int2LongOpenHashMap lastWrite = new Int2LongOpenHashMap();
    /** (offset, partition) of every change, oldest first. */
    private final LongArrayFIFOQueue writes = new LongArrayFIFOQueue();

    public WorkingImage(MetadataImage committed) {
        super(committed);
        this.committed = committed;
        lastWrite.defaultReturnValue(-1);
    }

    @Override
    public PartitionState partition(int p) {
        if (!changes.isEmpty()) {
            PartitionState s = changes.get(p);
            if (s != null) {
                return s;
            }
        }
        return committed.partition(p);
    }

    @Override
    void store(long offset, PartitionState s) {
        int p = s.partition();
        changes.put(p, s);
        lastWrite.put(p, offset);
        writes.enqueue(offset);
        writes.enqueue(p);
    }

    /** The committed image has applied every record below {@code committedEnd}: forget what it now holds. */
    public void prune(long committedEnd) {
        while (!writes.isEmpty() && writes.firstLong() < committedEnd) {
            long offset = writes.dequeueLong();
            int p = (int) writes.dequeueLong();
            if (lastWrite.get(p) == offset) {
                lastWrite.remove(p);
                changes.remove(p);
            }
        }
    }

    /** Uncommitted partition changes held (for tests and benchmarks). */
    int pendingChanges() {
        return changes.size();
    }
}
