package dev.faultline.raft.kraft;

import dev.faultline.core.control.PartitionState;
import it.unimi.dsi.fastutil.ints.Int2ObjectMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;

/**
 * The partition states of one metadata image: a base array, possibly shared (immutable) with other
 * images and snapshots that hold the same states (a warm start's snapshot, a snapshot two nodes took
 * at the same offset), plus this image's own changes since. While the base is private, changes are
 * written into it; while it is shared, they go to a change map over it (a hash lookup per read
 * while there are any), and once they outgrow a third of the partitions they are folded into a new
 * private copy (amortised O(1) per change). {@link #freeze()} returns an array equal to the
 * current states and marks it shared, so a snapshot keeps it without copying again.
 *
 * <p>This is how the simulator avoids holding one copy of two million partition states per
 * node: Kafka's processes each hold their own image, but equal immutable data need not be
 * duplicated in a simulation.
 */
final class PartitionTable {
    private PartitionState[] base;
    /** Whether {@link #base} may be read by others (then it is never written). */
    private boolean shared;
    private final Int2ObjectOpenHashMap<PartitionState> changes = new Int2ObjectOpenHashMap<>();

    PartitionTable(int partitionCount) {
        this.base = new PartitionState[partitionCount];
    }

    /** A table reading the shared {@code base}, which it never writes (it copies before folding). */
    PartitionTable(PartitionState[] base) {
        this.base = base;
        this.shared = true;
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
        if (!shared) {
            base[p] = s;
            return;
        }
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
        shared = true; // later changes go to the change map: the returned array stays as it is
        return base;
    }

    /** Drops every change and reads the shared {@code newBase} (a loaded snapshot). */
    void reset(PartitionState[] newBase) {
        base = newBase;
        shared = true;
        changes.clear();
    }

    /** A private copy of the base with the changes applied; later changes are written into it. */
    private void fold() {
        PartitionState[] next = base.clone();
        for (Int2ObjectMap.Entry<PartitionState> e : changes.int2ObjectEntrySet()) {
            next[e.getIntKey()] = e.getValue();
        }
        base = next;
        shared = false;
        changes.clear();
    }
}
