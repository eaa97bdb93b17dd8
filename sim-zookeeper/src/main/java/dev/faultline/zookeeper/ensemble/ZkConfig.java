package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.kernel.Time;

/**
 * A ZooKeeper server's configuration, with the real property names and defaults
 * (docs/model.md#zookeeper-settings).
 *
 * @param tickTimeNanos {@code tickTime}: 2000 ms by default (what operators ship), 3000 ms is the code default
 * @param initLimit ticks a follower may take to connect and sync ({@code initLimit}, 10)
 * @param syncLimit ticks a follower may lag or stay silent ({@code syncLimit}, 5)
 * @param minSessionTimeoutNanos {@code minSessionTimeout}, default {@code 2*tickTime}
 * @param maxSessionTimeoutNanos {@code maxSessionTimeout}, default {@code 20*tickTime}
 * @param finalizeWaitNanos FLE {@code finalizeWait} (200 ms, a constant in the real code)
 * @param minNotificationIntervalNanos {@code zookeeper.fastleader.minNotificationInterval} (200 ms)
 * @param maxNotificationIntervalNanos {@code zookeeper.fastleader.maxNotificationInterval} (60 s)
 * @param committedLogWindow proposals the leader keeps in memory for DIFF sync (~500)
 * @param costs CPU cost model
 * @param connectionProbeIntervalNanos how often a follower probes its leader connection (stands in for
 *        the FIN a crashed process's OS sends; see {@code FollowerRole})
 * @param bugs the planted-bug switches ({@link ZabBugs}), all off by default
 */
public record ZkConfig(long tickTimeNanos, int initLimit, int syncLimit, long minSessionTimeoutNanos,
                       long maxSessionTimeoutNanos, long finalizeWaitNanos, long minNotificationIntervalNanos,
                       long maxNotificationIntervalNanos, int committedLogWindow, Costs costs,
                       long connectionProbeIntervalNanos, ZabBugs bugs) {

    /** The defaults with {@code tickTime} = 2000 ms. */
    public static ZkConfig defaults() {
        return withTickTime(2000 * Time.MILLISECOND);
    }

    /** The defaults for another {@code tickTime} (session bounds follow it). */
    public static ZkConfig withTickTime(long tickTimeNanos) {
        return new ZkConfig(tickTimeNanos, 10, 5, 2 * tickTimeNanos, 20 * tickTimeNanos, 200 * Time.MILLISECOND,
                200 * Time.MILLISECOND, 60 * Time.SECOND, 500, Costs.DEFAULT, 10 * Time.MILLISECOND, ZabBugs.NONE);
    }

    public ZkConfig withBugs(ZabBugs newBugs) {
        return new ZkConfig(tickTimeNanos, initLimit, syncLimit, minSessionTimeoutNanos, maxSessionTimeoutNanos,
                finalizeWaitNanos, minNotificationIntervalNanos, maxNotificationIntervalNanos, committedLogWindow,
                costs, connectionProbeIntervalNanos, newBugs);
    }

    public ZkConfig withCommittedLogWindow(int window) {
        return new ZkConfig(tickTimeNanos, initLimit, syncLimit, minSessionTimeoutNanos, maxSessionTimeoutNanos,
                finalizeWaitNanos, minNotificationIntervalNanos, maxNotificationIntervalNanos, window, costs,
                connectionProbeIntervalNanos, bugs);
    }

    /** {@code initLimit * tickTime}. */
    public long initLimitNanos() {
        return initLimit * tickTimeNanos;
    }

    /** {@code syncLimit * tickTime}. */
    public long syncLimitNanos() {
        return syncLimit * tickTimeNanos;
    }

    /** Clamps a requested session timeout to {@code [minSessionTimeout, maxSessionTimeout]}. */
    public long negotiateSessionTimeout(long requestedNanos) {
        return Math.max(minSessionTimeoutNanos, Math.min(maxSessionTimeoutNanos, requestedNanos));
    }

    /**
     * CPU costs charged with {@code ctx.work}. Rough figures for a JVM ZooKeeper server; they matter
     * only where they grow with the data (a snapshot, a large DIFF), so small clusters are unaffected.
     *
     * @param perRequestNanos handling one client request or quorum packet
     * @param perZnodeNanos reading or writing one znode (serialization, data tree update)
     * @param perTxnSyncNanos serializing one transaction into a DIFF
     */
    public record Costs(long perRequestNanos, long perZnodeNanos, long perTxnSyncNanos) {
        public static final Costs DEFAULT = new Costs(20 * Time.MICROSECOND, 5 * Time.MICROSECOND,
                2 * Time.MICROSECOND);
    }
}
