package dev.faultline.core.kafka;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;

/**
 * A follower's fetcher for one leader broker ({@code num.replica.fetchers = 1}): how many partitions
 * fetch from that leader (each is flagged in the {@link ReplicaTable}), those whose fetch state changed since the last request (sent in the next
 * incremental request), those removed, and whether a request is in flight.
 */
final class ReplicaFetcher {
    final int leaderId;
    /** How many local partitions fetch from this leader (flag {@link ReplicaTable#FETCHING}). */
    int fetching;
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
