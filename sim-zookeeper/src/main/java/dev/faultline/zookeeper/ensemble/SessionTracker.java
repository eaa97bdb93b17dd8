package dev.faultline.zookeeper.ensemble;

import it.unimi.dsi.fastutil.longs.Long2LongAVLTreeMap;
import it.unimi.dsi.fastutil.longs.LongAVLTreeSet;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongList;

/**
 * The leader's session tracker ({@code SessionTrackerImpl} with {@code ExpiryQueue}): every
 * session's expiry time is rounded up to the next multiple of {@code tickTime}; touches push it
 * out; the expirer collects whole buckets. Times are the leader's local clock.
 */
final class SessionTracker {
    private final long tickNanos;
    /** Test switch zab.sessionExpiryRoundsDown (ZabBugs, ZK-S7): expiry times are rounded down to a tick. */
    private final boolean expiryRoundsDown;
    private final Long2LongAVLTreeMap timeouts = new Long2LongAVLTreeMap();
    private final Long2LongAVLTreeMap expiry = new Long2LongAVLTreeMap();
    private final LongAVLTreeSet closing = new LongAVLTreeSet();

    SessionTracker(long tickNanos, boolean expiryRoundsDown) {
        this.tickNanos = tickNanos;
        this.expiryRoundsDown = expiryRoundsDown;
    }

    /** {@code ExpiryQueue.roundToNextInterval}. */
    long roundToNextInterval(long timeNanos) {
        return (timeNanos / tickNanos + 1) * tickNanos;
    }

    /** The expiry time of a session touched with {@code deadlineNanos} = touch + timeout: the next tick boundary after it. */
    private long expiryTime(long deadlineNanos) {
        return expiryRoundsDown ? deadlineNanos / tickNanos * tickNanos : roundToNextInterval(deadlineNanos);
    }

    /** Tracks a session with a full timeout from {@code now} (creation, or a new leader's activation). */
    void track(long sessionId, long timeoutNanos, long now) {
        timeouts.put(sessionId, timeoutNanos);
        expiry.put(sessionId, expiryTime(now + timeoutNanos));
    }

    /** A touch; false when the session is unknown or already closing (it cannot be revived). */
    boolean touch(long sessionId, long now) {
        if (!timeouts.containsKey(sessionId) || closing.contains(sessionId)) {
            return false;
        }
        expiry.put(sessionId, expiryTime(now + timeouts.get(sessionId)));
        return true;
    }

    long timeoutOf(long sessionId) {
        return timeouts.get(sessionId);
    }

    boolean isTracked(long sessionId) {
        return timeouts.containsKey(sessionId) && !closing.contains(sessionId);
    }

    /** Marks every session whose expiry time has passed as closing and returns them, in id order. */
    LongList expire(long now) {
        LongArrayList out = new LongArrayList();
        for (var e : expiry.long2LongEntrySet()) {
            if (e.getLongValue() <= now && !closing.contains(e.getLongKey())) {
                out.add(e.getLongKey());
            }
        }
        for (int i = 0; i < out.size(); i++) {
            closing.add(out.getLong(i));
        }
        return out;
    }

    /** The session's closeSession was applied. */
    void remove(long sessionId) {
        timeouts.remove(sessionId);
        expiry.remove(sessionId);
        closing.remove(sessionId);
    }
}
