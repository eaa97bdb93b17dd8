package dev.faultline.core.kafka;

import java.util.Arrays;

/**
 * What a partition leader keeps about each replica (docs/model.md#replica-state, leader only): the
 * follower's log end offset, {@code lastCaughtUpTimeMs} and the fetch-time bookkeeping behind it,
 * the broker epoch it fetched with, and what this leader last sent it (for incremental fetch
 * sessions); plus the leader epoch start offset and the in-flight ISR change. Callers address
 * replicas by their assignment position; only the followers' positions are stored (about 150 bytes
 * for RF 3).
 */
final class LeaderState {
    private static final int FOLLOWER_LEO = 0;
    private static final int LAST_CAUGHT_UP = 1;
    private static final int PREV_FETCH_LEADER_LEO = 2;
    private static final int PREV_FETCH_TIME = 3;
    private static final int HW_SENT = 4;
    private static final int BROKER_EPOCH = 5;
    private static final int STRIDE = 6;

    final long epochStartOffset;
    /** When (leader's clock) this broker became leader in this epoch. */
    final long sinceNanos;
    /** Proposed ISR of the AlterPartition in flight (mask), or -1 when none is in flight. */
    int proposedIsrMask = -1;
    /** When (leader's clock) the AlterPartition now or last in flight was proposed. */
    long alterProposedNanos = Long.MIN_VALUE / 2;
    /** When (leader's clock) the last AlterPartition in flight completed (answer or timeout). */
    long alterCompletedNanos = Long.MIN_VALUE / 2;
    private final int leaderSlot;
    private final long[] slots;

    LeaderState(int replicas, int leaderSlot, long epochStartOffset, long nowNanos, int isrMask) {
        this.epochStartOffset = epochStartOffset;
        this.sinceNanos = nowNanos;
        this.leaderSlot = leaderSlot;
        this.slots = new long[(replicas - 1) * STRIDE];
        for (int r = 0; r < replicas; r++) {
            if (r == leaderSlot) {
                continue;
            }
            int base = base(r);
            slots[base + FOLLOWER_LEO] = -1; // unknown until the follower fetches
            slots[base + LAST_CAUGHT_UP] = (isrMask & (1 << r)) != 0 ? nowNanos : Long.MIN_VALUE / 2;
            slots[base + PREV_FETCH_LEADER_LEO] = -1;
            slots[base + PREV_FETCH_TIME] = Long.MIN_VALUE / 2;
            slots[base + HW_SENT] = -1;
            slots[base + BROKER_EPOCH] = -1;
        }
    }

    private int base(int slot) {
        if (slot == leaderSlot) {
            throw new IllegalArgumentException("the leader (assignment position " + slot + ") has no follower state");
        }
        return (slot < leaderSlot ? slot : slot - 1) * STRIDE;
    }

    boolean alterInFlight() {
        return proposedIsrMask >= 0;
    }

    long followerLeo(int slot) {
        return slots[base(slot) + FOLLOWER_LEO];
    }

    long lastCaughtUp(int slot) {
        return slots[base(slot) + LAST_CAUGHT_UP];
    }

    /** When the follower last fetched (leader's clock), or a very old time if never in this epoch. */
    long lastFetchTime(int slot) {
        return slots[base(slot) + PREV_FETCH_TIME];
    }

    long brokerEpoch(int slot) {
        return slots[base(slot) + BROKER_EPOCH];
    }

    long hwSent(int slot) {
        return slots[base(slot) + HW_SENT];
    }

    void markSent(int slot, long hw) {
        slots[base(slot) + HW_SENT] = hw;
    }

    /**
     * The leader's log end is about to move past {@code oldLeaderLeo}: a follower that had fetched up
     * to it was caught up until its latest fetch request ({@code lastRequestNanos}). Incremental
     * sessions leave idle partitions out of requests, so this stands in for Kafka's per-fetch update
     * of every partition in the session.
     */
    void onLeaderAppend(int slot, long oldLeaderLeo, long lastRequestNanos) {
        int base = base(slot);
        if (slots[base + FOLLOWER_LEO] == oldLeaderLeo) {
            slots[base + LAST_CAUGHT_UP] = Math.max(slots[base + LAST_CAUGHT_UP], lastRequestNanos);
        }
    }

    /**
     * A fetch from the follower at {@code fetchOffset}
     * (docs/model.md#isr-maintenance-and-the-high-watermark): caught up now if it reached the
     * leader's end; caught up as of its previous fetch if it reached what the leader had then.
     */
    void onFollowerFetch(int slot, long fetchOffset, long leaderLeo, long brokerEpoch, long nowNanos) {
        int base = base(slot);
        if (fetchOffset >= leaderLeo) {
            slots[base + LAST_CAUGHT_UP] = nowNanos;
        } else if (fetchOffset >= slots[base + PREV_FETCH_LEADER_LEO]) {
            slots[base + LAST_CAUGHT_UP] = Math.max(slots[base + LAST_CAUGHT_UP], slots[base + PREV_FETCH_TIME]);
        }
        slots[base + PREV_FETCH_LEADER_LEO] = leaderLeo;
        slots[base + PREV_FETCH_TIME] = nowNanos;
        slots[base + FOLLOWER_LEO] = fetchOffset;
        slots[base + BROKER_EPOCH] = brokerEpoch;
    }

    @Override
    public String toString() {
        return "LeaderState" + Arrays.toString(slots);
    }
}
