package dev.faultline.core.control;

import dev.faultline.core.kernel.Time;

/**
 * One failover, measured in virtual time from the fault (docs/architecture.md#failover-phases). A
 * phase that was never reached (the run ended first, or the partition could not get a leader) is
 * {@code -1}. Phase values are durations from {@link #faultAtNanos}, each the time its phase ended.
 *
 * @param kind broker or controller failure
 * @param target the failed node
 * @param faultAtNanos when the process went down
 * @param detectNanos broker: the control plane knows the broker is gone (ZK session expiry and
 *        watch; KRaft fencing; oracle detection delay); controller: a new controller election started
 * @param electNanos broker: every affected partition has a new leader decided and durable;
 *        controller: a new controller is active
 * @param readyNanos controller only: the new controller can act (ZK: metadata loaded and sent;
 *        KRaft: log caught up); -1 for broker failures
 * @param propagateNanos broker: every affected partition's new leader applied its leadership;
 *        controller: every live broker knows the new controller
 * @param clientNanos broker only: producers succeed again on every affected partition that had a
 *        producer (the end of the longest unavailability window)
 * @param affectedPartitions broker: partitions the failed broker led at the fault
 * @param electedPartitions of those, how many got a new leader
 * @param propagatedPartitions of those, how many new leaders applied their leadership
 * @param unavailability per affected partition with a producer: fault → first successful produce
 */
public record FailoverMeasurement(Kind kind, String target, long faultAtNanos, long detectNanos, long electNanos, long readyNanos,
                                  long propagateNanos, long clientNanos, int affectedPartitions, int electedPartitions,
                                  int propagatedPartitions, Distribution unavailability) {

    /** What failed. */
    public enum Kind { BROKER, CONTROLLER }

    /**
     * A distribution of durations in nanoseconds (nearest-rank percentiles); all -1 when empty.
     */
    public record Distribution(int count, long minNanos, long p50Nanos, long p90Nanos, long p99Nanos, long maxNanos) {
        public static final Distribution EMPTY = new Distribution(0, -1, -1, -1, -1, -1);

        /** From values (sorted in place). */
        public static Distribution of(long[] values, int count) {
            if (count == 0) {
                return EMPTY;
            }
            java.util.Arrays.sort(values, 0, count);
            return new Distribution(count, values[0], rank(values, count, 50), rank(values, count, 90), rank(values, count, 99),
                    values[count - 1]);
        }

        private static long rank(long[] sorted, int count, int percentile) {
            int index = (int) Math.ceil(percentile / 100.0 * count) - 1;
            return sorted[Math.max(0, Math.min(count - 1, index))];
        }
    }

    /** Whether every phase that applies to this kind was reached. */
    public boolean complete() {
        if (kind == Kind.CONTROLLER) {
            return detectNanos >= 0 && electNanos >= 0 && readyNanos >= 0 && propagateNanos >= 0;
        }
        return detectNanos >= 0 && electNanos >= 0 && propagateNanos >= 0;
    }

    @Override
    public String toString() {
        return kind + " " + target + " at " + Time.format(faultAtNanos) + ": detect " + fmt(detectNanos) + ", elect " + fmt(electNanos)
                + (kind == Kind.CONTROLLER ? ", ready " + fmt(readyNanos) : "") + ", propagate " + fmt(propagateNanos)
                + (kind == Kind.BROKER ? ", client " + fmt(clientNanos) + " (" + electedPartitions + "/" + affectedPartitions
                + " partitions elected, " + propagatedPartitions + " applied)" : "");
    }

    private static String fmt(long nanos) {
        return nanos < 0 ? "-" : Time.format(nanos);
    }
}
