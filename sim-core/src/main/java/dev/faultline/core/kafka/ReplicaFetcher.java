package dev.faultline.core.kafka;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;

/**
 * A follower's fetcher for one leader broker ({@code num.replica.fetchers = 1}): the partitions it
 * fetches from that leader, those whose fetch state changed since the last request (sent in the next
 * incremental request), those removed, and whether a request is in flight.
 */
final class ReplicaFetcher {
    final int leaderId;
    /** Local partition indexes fetched from this leader. */
    final IntLinkedOpenHashSet partitions = new IntLinkedOpenHashSet();
    /** Local partition indexes to include in the next request. */
    final IntLinkedOpenHashSet changed = new IntLinkedOpenHashSet();
    /** Global partitions that left the session since the last request. */
    final IntArrayList removed = new IntArrayList();
    boolean needFull = true;
    boolean inFlight;
    boolean backingOff;
    long requestId;

    ReplicaFetcher(int leaderId) {
        this.leaderId = leaderId;
    }
}
