package dev.faultline.raft.kraft;

import dev.faultline.core.control.PartitionState;
import it.unimi.dsi.fastutil.ints.Int2ObjectMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;

/**
 * The partition states of one metadata image: an immutable base array, shared with every other
 * image and snapshot that holds the same states (a warm start's snapshot, a snapshot two nodes took
 * at the same offset), plus this image's own changes since. Reading is one array access (and a
 * hash lookup while there are changes); when the changes outgrow a third of the partitions they
 * are folded into a new private base array (amortised O(1) per change). {@link #freeze()} returns
 * a base array equal to the current states, which a snapshot keeps without copying again.
 *
 * <p>This is how the simulator avoids holding one copy of two million partition states per
 * node: Kafka's processes each hold their own image, but equal immutable data need not be
 * duplicated in a simulation.
 */
final class PartitionTable {
    private PartitionState[] base;
    private final Int2ObjectOpenHashMap<PartitionState> changes = new Int2ObjectOpenHashMap<>();

    PartitionTable(int partitionCount) {
        this.base = new PartitionState[partitionCount];
    }

    /** A table reading {@code base}, which it never writes (it copies before folding). */
    PartitionTable(PartitionState[] base) {
        this.base = base;
    }

    int size() {
        return base.length;
    }

    PartitionState get(int p) {
        if (changes.isEmpty()) {
            return base[p];
        }
        PartitionState s = changes.get(p);
        return s != null ? s : base[p];
    }

    void put(int p, PartitionState s) {
        changes.put(p, s);
        if (changes.size() > base.length / 3 + 16) {
            fold();
        }
    }

    /** The states as one immutable array (this table keeps reading it; later changes go on top). */
    PartitionState[] freeze() {
        if (!changes.isEmpty()) {
            fold();
        }
        return base;
    }

    /** Drops every change and reads {@code newBase} (a loaded snapshot). */
    void reset(PartitionState[] newBase) {
        base = newBase;
        changes.clear();
    }

    private void fold() {
        PartitionState[] next = base.clone();
        for (Int2ObjectMap.Entry<PartitionState> e : changes.int2ObjectEntrySet()) {
            next[e.getIntKey()] = e.getValue();
        }
        base = next;
        changes.clear();
    }
}
