package dev.faultline.core.kafka;

import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;

/** Helpers for the sets of partitions (local indexes) the broker keeps per session and fetcher. */
final class PartitionSets {
    private PartitionSets() {
    }

    /** Clears a set and gives back its memory when it grew large (sets of idle partitions stay small). */
    static void clear(IntLinkedOpenHashSet set) {
        boolean large = set.size() > 64;
        set.clear();
        if (large) {
            set.trim();
        }
    }
}
