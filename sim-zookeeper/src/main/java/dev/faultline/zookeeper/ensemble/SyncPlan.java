package dev.faultline.zookeeper.ensemble;

import java.util.List;

/**
 * The leader's synchronization decision for one learner ({@code LearnerHandler.syncFollower}),
 * computed by the pure function {@link #plan}.
 *
 * @param kind DIFF, TRUNC (TRUNC then DIFF when {@code entries} is not empty) or SNAP
 * @param truncateToZxid for TRUNC, the zxid the learner keeps up to
 * @param fromIndex index in the leader's committed history of the first entry to send
 */
public record SyncPlan(Kind kind, long truncateToZxid, int fromIndex) {
    public enum Kind {
        DIFF, TRUNC, SNAP
    }

    /**
     * Decides how to bring a learner whose last logged zxid is {@code peerLastZxid} up to the
     * leader's committed history (docs/model.md#discovery-synchronization-and-broadcast):
     * <ul>
     *   <li>equal: empty DIFF;</li>
     *   <li>beyond the leader's last committed zxid: TRUNC to it;</li>
     *   <li>inside the committed-log window: DIFF after it; if the learner's zxid is not in the
     *       leader's history, TRUNC to the last common zxid first (ZOOKEEPER-1154), unless the planted
     *       bug {@code zab.syncDiffWithoutTrunc} is on, which sends the DIFF alone;</li>
     *   <li>older than the window: SNAP.</li>
     * </ul>
     * With the test switch {@code zab.truncOffByOne} a TRUNC keeps one committed zxid less than it should.
     *
     * @param history zxids of the leader's committed history, increasing
     */
    public static SyncPlan plan(long peerLastZxid, List<Long> history, int window, ZabBugs bugs) {
        int size = history.size();
        long maxCommitted = size == 0 ? 0 : history.get(size - 1);
        if (peerLastZxid == maxCommitted) {
            return new SyncPlan(Kind.DIFF, 0, size);
        }
        if (peerLastZxid > maxCommitted) {
            return new SyncPlan(Kind.TRUNC, truncPoint(history, size, bugs), size);
        }
        int windowStart = Math.max(0, size - window);
        long minCommitted = windowStart == 0 ? 0 : history.get(windowStart - 1);
        if (peerLastZxid < minCommitted) {
            return new SyncPlan(Kind.SNAP, 0, 0);
        }
        // First history index with zxid > peerLastZxid.
        int next = upperBound(history, peerLastZxid);
        boolean inHistory = peerLastZxid == 0 || (next > 0 && history.get(next - 1) == peerLastZxid);
        if (inHistory || bugs.syncDiffWithoutTrunc()) {
            return new SyncPlan(Kind.DIFF, 0, next);
        }
        return new SyncPlan(Kind.TRUNC, truncPoint(history, next, bugs), next);
    }

    /** The zxid a TRUNC keeps: the last of the first {@code common} history entries (one less with zab.truncOffByOne). */
    private static long truncPoint(List<Long> history, int common, ZabBugs bugs) {
        int keep = bugs.truncOffByOne() ? common - 1 : common;
        return keep <= 0 ? 0 : history.get(keep - 1);
    }

    private static int upperBound(List<Long> history, long zxid) {
        int lo = 0;
        int hi = history.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (history.get(mid) <= zxid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
