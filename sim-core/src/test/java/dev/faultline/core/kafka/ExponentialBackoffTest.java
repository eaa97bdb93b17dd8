package dev.faultline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/** Kafka's KIP-580 back-off as the clients use it, drawn from seeded streams. */
class ExponentialBackoffTest {
    private static final long MS = Time.MILLISECOND;
    private static final ExponentialBackoff RETRY = ExponentialBackoff.retry(100 * MS, 1000 * MS);

    @Test
    void theRetryBackOffDoublesWithTwentyPercentJitterUpToItsCap() {
        double[] sum = new double[6];
        for (long seed = 1; seed <= 500; seed++) {
            SimRandom r = new SimRandom(seed);
            for (int n = 0; n < 6; n++) {
                long b = RETRY.backoffNanos(n, r);
                sum[n] += b;
                if (n < 4) {
                    long nominal = (100L << n) * MS;
                    assertThat(b).as("seed %d attempt %d", seed, n).isBetween(nominal * 8 / 10, nominal * 12 / 10 - 1);
                } else {
                    // Past log2(10) = 3.32 attempts the term is 1000 ms; the cap comes after the jitter.
                    assertThat(b).as("seed %d attempt %d", seed, n).isBetween(800 * MS, 1000 * MS);
                }
            }
        }
        for (int n = 0; n < 3; n++) {
            assertThat(sum[n + 1] / sum[n]).as("attempt %d to %d doubles on average", n, n + 1).isBetween(1.9, 2.1);
        }
        // Attempt 3: 800 ms x [0.8, 1.2), so about half the draws are above the cap and cut to it.
        assertThat(sum[3] / 500 / MS).isBetween(780.0, 820.0);
    }

    @Test
    void theJitterComesFromTheSeededStream() {
        TreeSet<Long> first = new TreeSet<>();
        for (long seed = 1; seed <= 200; seed++) {
            long a = RETRY.backoffNanos(0, new SimRandom(seed));
            assertThat(RETRY.backoffNanos(0, new SimRandom(seed))).as("same seed, same draw").isEqualTo(a);
            first.add(a);
        }
        assertThat(first).as("200 seeds, as many jitters").hasSizeGreaterThan(190);
    }

    @Test
    void aBackOffWhoseMaximumIsNotAboveItsStartIsConstantAndDrawsNothing() {
        ExponentialBackoff fixed = new ExponentialBackoff(50 * MS, 2, 50 * MS, 0.2);
        SimRandom r = new SimRandom(7);
        assertThat(fixed.backoffNanos(0, r)).isEqualTo(50 * MS);
        assertThat(fixed.backoffNanos(9, r)).isEqualTo(50 * MS);
        assertThat(r.nextLong()).as("no draw taken").isEqualTo(new SimRandom(7).nextLong());
        // Kafka takes the smaller of the two as the start.
        assertThat(new ExponentialBackoff(200 * MS, 2, 100 * MS, 0.2).backoffNanos(3, r)).isEqualTo(100 * MS);
    }

    @Test
    void theReconnectAndHeartbeatBackOffsFollowTheSameRule() {
        ExponentialBackoff reconnect = new ExponentialBackoff(50 * MS, 2, 1000 * MS, 0.2);
        ExponentialBackoff heartbeat = new ExponentialBackoff(100 * MS, 2, 9000 * MS, 0.02);
        for (long seed = 1; seed <= 100; seed++) {
            SimRandom r = new SimRandom(seed);
            assertThat(reconnect.backoffNanos(0, r)).isBetween(40 * MS, 60 * MS - 1);
            assertThat(reconnect.backoffNanos(4, r)).isBetween(640 * MS, 960 * MS - 1);
            assertThat(reconnect.backoffNanos(5, r)).isBetween(800 * MS, 1000 * MS);
            assertThat(heartbeat.backoffNanos(3, r)).isBetween(784 * MS, 816 * MS - 1);
            assertThat(heartbeat.backoffNanos(10, r)).isBetween(8820 * MS, 9000 * MS);
        }
    }
}
