package dev.faultline.core.kafka;

import dev.faultline.core.kernel.SimRandom;

/**
 * Kafka's {@code org.apache.kafka.common.utils.ExponentialBackoff} (KIP-580, Kafka 3.7+ clients):
 * attempt {@code n} (from 0) waits {@code initial * multiplier^min(n, expMax)} times a jitter factor
 * drawn uniformly from {@code [1 - jitter, 1 + jitter)}, capped at {@code max} after the jitter, where
 * {@code expMax = log(max / initial) / log(multiplier)} (a real number, so the last step before the
 * cap is partial). With the client defaults ({@code retry.backoff.ms} 100, {@code retry.backoff.max.ms}
 * 1000, multiplier 2, jitter 0.2) attempts 0..4 wait about 100, 200, 400, 800 and 1000 ms, each
 * within 20 %, and never more than 1000 ms. The same rule, with other constants, paces
 * {@code reconnect.backoff.ms} to {@code reconnect.backoff.max.ms} (50 to 1000 ms) and the KRaft
 * broker's heartbeat resend (100 ms to the session timeout, 2 % jitter).
 *
 * <p>Kafka's client draws the jitter from an unseeded per-thread source; here it comes from the caller's seeded
 * stream, one draw per call when there is jitter (none when the back-off is constant), and
 * {@link StrictMath} makes the numbers the same on every JVM.
 */
public final class ExponentialBackoff {
    private final long initialNanos;
    private final long maxNanos;
    private final double multiplier;
    private final double jitter;
    private final double expMax;

    /**
     * @param initialNanos the first back-off (Kafka takes the smaller of it and {@code maxNanos})
     * @param multiplier the growth per attempt (2 in Kafka's clients)
     * @param maxNanos the cap
     * @param jitter the relative jitter (0.2 in Kafka's clients; 0 for none)
     */
    public ExponentialBackoff(long initialNanos, double multiplier, long maxNanos, double jitter) {
        this.initialNanos = Math.min(initialNanos, maxNanos);
        this.maxNanos = maxNanos;
        this.multiplier = multiplier;
        this.jitter = jitter;
        this.expMax = maxNanos > this.initialNanos
                ? StrictMath.log(maxNanos / (double) Math.max(this.initialNanos, 1)) / StrictMath.log(multiplier) : 0;
    }

    /** The client retry back-off: {@code retry.backoff.ms} to {@code retry.backoff.max.ms}, doubling, 20 % jitter. */
    public static ExponentialBackoff retry(long initialNanos, long maxNanos) {
        return new ExponentialBackoff(initialNanos, 2, maxNanos, 0.2);
    }

    /** The back-off before attempt {@code attempts + 1}, after {@code attempts} failed ones (0: the first retry). */
    public long backoffNanos(long attempts, SimRandom random) {
        if (expMax == 0) {
            return initialNanos;
        }
        double term = initialNanos * StrictMath.pow(multiplier, Math.min(attempts, expMax));
        double factor = jitter < Double.MIN_NORMAL ? 1.0 : (1 - jitter) + 2 * jitter * random.nextDouble();
        return Math.min((long) (factor * term), maxNanos);
    }
}
