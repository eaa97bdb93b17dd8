package dev.faultline.reports;

import java.util.Arrays;

/**
 * Summary of a sample of durations (or counts): nearest-rank percentiles, so every figure is a
 * value that was actually observed.
 *
 * @param count samples
 * @param min smallest
 * @param p50 median
 * @param p90 90th percentile
 * @param p99 99th percentile
 * @param max largest
 * @param mean arithmetic mean
 */
public record Distribution(int count, long min, long p50, long p90, long p99, long max, double mean) {

    public static final Distribution EMPTY = new Distribution(0, 0, 0, 0, 0, 0, 0);

    public static Distribution of(long[] values) {
        if (values.length == 0) {
            return EMPTY;
        }
        long[] v = values.clone();
        Arrays.sort(v);
        double sum = 0;
        for (long x : v) {
            sum += x;
        }
        return new Distribution(v.length, v[0], rank(v, 50), rank(v, 90), rank(v, 99), v[v.length - 1], sum / v.length);
    }

    /** Nearest-rank percentile of sorted values. */
    static long rank(long[] sorted, int percentile) {
        int index = (int) Math.ceil(percentile / 100.0 * sorted.length) - 1;
        return sorted[Math.max(0, Math.min(sorted.length - 1, index))];
    }
}
