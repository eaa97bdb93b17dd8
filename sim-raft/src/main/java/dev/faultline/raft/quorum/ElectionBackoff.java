package dev.faultline.raft.quorum;

import dev.faultline.core.kernel.SimRandom;

/**
 * Kafka's election backoff formulas (pure functions;
 * docs/model.md#elections-pre-vote-and-check-quorum).
 */
public final class ElectionBackoff {
    private ElectionBackoff() {
    }

    /**
     * {@code binaryExponentialElectionBackoffMs}: after {@code retries} failed candidacies,
     * {@code base × rand(0 .. 2^min(20, retries) - 1)}, capped at {@code max}.
     */
    public static long binaryExponential(int retries, long baseNanos, long maxNanos, SimRandom random) {
        if (retries <= 0) {
            throw new IllegalArgumentException("retries must be positive: " + retries);
        }
        long slots = 1L << Math.min(20, retries);
        return Math.min(maxNanos, baseNanos * random.nextLong(slots));
    }

    /**
     * {@code strictExponentialElectionBackoffMs}: a follower at {@code position} of an
     * {@code n}-entry preferred-successor list waits 0 for position 0, else
     * {@code min(max, (max >> (n - 1)) << (position - 1))}; a follower not listed waits {@code max}.
     */
    public static long strictExponential(int position, int listSize, long maxNanos) {
        if (position < 0) {
            return maxNanos;
        }
        if (position == 0) {
            return 0;
        }
        return Math.min(maxNanos, (maxNanos >> (listSize - 1)) << (position - 1));
    }
}
