package dev.faultline.raft.harness;

import java.util.Arrays;
import java.util.Locale;

/** Summary statistics of a set of durations (nanoseconds), from a sorted copy. */
public record Distribution(long[] sortedNanos) {
    public Distribution {
        sortedNanos = sortedNanos.clone();
        Arrays.sort(sortedNanos);
    }

    public int count() {
        return sortedNanos.length;
    }

    public long min() {
        return sortedNanos[0];
    }

    public long max() {
        return sortedNanos[sortedNanos.length - 1];
    }

    public double mean() {
        double sum = 0;
        for (long v : sortedNanos) {
            sum += v;
        }
        return sum / sortedNanos.length;
    }

    /** Nearest-rank percentile, {@code p} in (0, 100]. */
    public long percentile(double p) {
        int rank = (int) Math.ceil(p / 100.0 * sortedNanos.length);
        return sortedNanos[Math.max(0, Math.min(sortedNanos.length - 1, rank - 1))];
    }

    public long median() {
        return percentile(50);
    }

    /** "min a  median b  mean c  p90 d  p99 e  max f" in milliseconds. */
    public String describeMillis() {
        if (sortedNanos.length == 0) {
            return "no samples";
        }
        return String.format(Locale.ROOT, "min %.1f  median %.1f  mean %.1f  p90 %.1f  p99 %.1f  max %.1f", min() / 1e6,
                median() / 1e6, mean() / 1e6, percentile(90) / 1e6, percentile(99) / 1e6, max() / 1e6);
    }
}
