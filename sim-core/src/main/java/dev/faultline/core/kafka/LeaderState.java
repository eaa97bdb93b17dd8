package dev.faultline.core.kafka;

import java.util.Arrays;

/**
 * What a partition leader keeps about each replica (model-spec §D.1, leader only): the follower's
 * log end offset, {@code lastCaughtUpTimeMs} and the fetch-time bookkeeping behind it, the broker
 * epoch it fetched with, and what this leader last sent it (for incremental fetch sessions); plus the
 * leader epoch start offset and the in-flight ISR change. Slots follow the assignment order.
 */
final class LeaderState {
    private static final int FOLLOWER_LEO = 0;
    private static final int LAST_CAUGHT_UP = 1;
    private static final int PREV_FETCH_LEADER_LEO = 2;
    private static final int PREV_FETCH_TIME = 3;
    private static final int HW_SENT = 4;
    private static final int SENT_LEO = 5;
    private static final int BROKER_EPOCH = 6;
    private static final int STRIDE = 7;

    final long epochStartOffset;
    /** When (leader's clock) this broker became leader in this epoch. */
    final long sinceNanos;
    /** Proposed ISR of the AlterPartition in flight (mask), or -1 when none is in flight. */
    int proposedIsrMask = -1;
    private final long[] slots;

    LeaderState(int replicas, long epochStartOffset, long nowNanos, int isrMask) {
        this.epochStartOffset = epochStartOffset;
        this.sinceNanos = nowNanos;
        this.slots = new long[replicas * STRIDE];
        for (int r = 0; r < replicas; r++) {
            int base = r * STRIDE;
            slots[base + FOLLOWER_LEO] = -1; // unknown until the follower fetches
            slots[base + LAST_CAUGHT_UP] = (isrMask & (1 << r)) != 0 ? nowNanos : Long.MIN_VALUE / 2;
            slots[base + PREV_FETCH_LEADER_LEO] = -1;
            slots[base + PREV_FETCH_TIME] = Long.MIN_VALUE / 2;
            slots[base + HW_SENT] = -1;
            slots[base + SENT_LEO] = -1;
            slots[base + BROKER_EPOCH] = -1;
        }
    }

    boolean alterInFlight() {
        return proposedIsrMask >= 0;
    }

    long followerLeo(int slot) {
        return slots[slot * STRIDE + FOLLOWER_LEO];
    }

    long lastCaughtUp(int slot) {
        return slots[slot * STRIDE + LAST_CAUGHT_UP];
    }

    /** When the follower last fetched (leader's clock), or a very old time if never in this epoch. */
    long lastFetchTime(int slot) {
        return slots[slot * STRIDE + PREV_FETCH_TIME];
    }

    long brokerEpoch(int slot) {
        return slots[slot * STRIDE + BROKER_EPOCH];
    }

    long hwSent(int slot) {
        return slots[slot * STRIDE + HW_SENT];
    }

    long sentLeo(int slot) {
        return slots[slot * STRIDE + SENT_LEO];
    }

    void markSent(int slot, long leo, long hw) {
        slots[slot * STRIDE + SENT_LEO] = leo;
        slots[slot * STRIDE + HW_SENT] = hw;
    }

    /**
     * A fetch from the follower at {@code fetchOffset} (model-spec §D.3 step 3): caught up now if it
     * reached the leader's end; caught up as of its previous fetch if it reached what the leader had then.
     */
    void onFollowerFetch(int slot, long fetchOffset, long leaderLeo, long brokerEpoch, long nowNanos) {
        int base = slot * STRIDE;
        if (fetchOffset >= leaderLeo) {
            slots[base + LAST_CAUGHT_UP] = nowNanos;
        } else if (fetchOffset >= slots[base + PREV_FETCH_LEADER_LEO]) {
            slots[base + LAST_CAUGHT_UP] = Math.max(slots[base + LAST_CAUGHT_UP], slots[base + PREV_FETCH_TIME]);
        }
        slots[base + PREV_FETCH_LEADER_LEO] = leaderLeo;
        slots[base + PREV_FETCH_TIME] = nowNanos;
        slots[base + FOLLOWER_LEO] = fetchOffset;
        slots[base + SENT_LEO] = fetchOffset;
        slots[base + BROKER_EPOCH] = brokerEpoch;
    }

    @Override
    public String toString() {
        return "LeaderState" + Arrays.toString(slots);
    }
}
