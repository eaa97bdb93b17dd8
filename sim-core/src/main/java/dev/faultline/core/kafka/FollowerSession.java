package dev.faultline.core.kafka;

import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;

/**
 * A leader's incremental fetch session with one follower broker (KIP-227): the partitions with news
 * for that follower since the last response (new records or a new high watermark), and the parked
 * long-poll request, if any. An idle partition is never in {@link #dirty}, so it costs nothing.
 */
final class FollowerSession {
    final int followerId;
    /** Local partition indexes with news, in the order they got it. */
    final IntLinkedOpenHashSet dirty = new IntLinkedOpenHashSet();
    /**
     * Local partition indexes where this follower was caught up but out of the ISR and could not be
     * added because an ISR change was in flight: re-checked at its next fetch. Kafka updates the
     * follower state of every partition of the session on each fetch, so an idle partition is
     * re-checked then; here idle partitions are not in the requests.
     */
    final IntLinkedOpenHashSet rejoin = new IntLinkedOpenHashSet(4);
    boolean parked;
    /** When (leader's clock) the follower's latest fetch request arrived. */
    long lastRequestNanos = Long.MIN_VALUE / 2;
    long parkedRequestId;

    FollowerSession(int followerId) {
        this.followerId = followerId;
    }
}
