package dev.faultline.core.net;

import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;

/**
 * One-way propagation latency of a link, drawn per message from the {@code network} stream.
 * Every model is clamped at zero.
 */
public sealed interface LatencyModel {

    /** Draws one latency in nanoseconds. */
    long sampleNanos(SimRandom random);

    /** A short description for reports, e.g. {@code lognormal(median=0.5ms, p99=3ms)}. */
    String describe();

    static LatencyModel constant(long nanos) {
        return new Constant(nanos);
    }

    /** Always the same latency. */
    record Constant(long nanos) implements LatencyModel {
        public Constant {
            requireNonNegative(nanos, "latency");
        }

        @Override
        public long sampleNanos(SimRandom random) {
            return nanos;
        }

        @Override
        public String describe() {
            return "constant(" + Time.format(nanos) + ")";
        }
    }

    /** Uniform in {@code [minNanos, maxNanos]}. */
    record Uniform(long minNanos, long maxNanos) implements LatencyModel {
        public Uniform {
            requireNonNegative(minNanos, "min");
            if (maxNanos < minNanos) {
                throw new IllegalArgumentException("uniform latency: max " + Time.format(maxNanos) + " is below min " + Time.format(minNanos));
            }
        }

        @Override
        public long sampleNanos(SimRandom random) {
            return random.nextLongBetween(minNanos, maxNanos);
        }

        @Override
        public String describe() {
            return "uniform(" + Time.format(minNanos) + ".." + Time.format(maxNanos) + ")";
        }
    }

    /** Normal with a mean and standard deviation, clamped at zero. */
    record Normal(long meanNanos, long stddevNanos) implements LatencyModel {
        public Normal {
            requireNonNegative(meanNanos, "mean");
            requireNonNegative(stddevNanos, "stddev");
        }

        @Override
        public long sampleNanos(SimRandom random) {
            return Math.max(0L, Math.round(meanNanos + stddevNanos * random.nextGaussian()));
        }

        @Override
        public String describe() {
            return "normal(mean=" + Time.format(meanNanos) + ", stddev=" + Time.format(stddevNanos) + ")";
        }
    }

    /**
     * Log-normal given by its median and 99th percentile, the way latencies are usually quoted:
     * {@code mu = ln(median)}, {@code sigma = (ln(p99) - mu) / 2.3263}.
     */
    record LogNormal(long medianNanos, long p99Nanos) implements LatencyModel {
        private static final double Z99 = 2.3263478740408408;

        public LogNormal {
            if (medianNanos <= 0) {
                throw new IllegalArgumentException("lognormal latency: median must be positive");
            }
            if (p99Nanos < medianNanos) {
                throw new IllegalArgumentException("lognormal latency: p99 " + Time.format(p99Nanos) + " is below the median " + Time.format(medianNanos));
            }
        }

        @Override
        public long sampleNanos(SimRandom random) {
            double mu = StrictMath.log(medianNanos);
            double sigma = (StrictMath.log(p99Nanos) - mu) / Z99;
            return Math.max(0L, Math.round(StrictMath.exp(mu + sigma * random.nextGaussian())));
        }

        @Override
        public String describe() {
            return "lognormal(median=" + Time.format(medianNanos) + ", p99=" + Time.format(p99Nanos) + ")";
        }
    }

    /** A floor plus an exponential tail with the given mean. */
    record Exponential(long minNanos, long meanNanos) implements LatencyModel {
        public Exponential {
            requireNonNegative(minNanos, "min");
            requireNonNegative(meanNanos, "mean");
        }

        @Override
        public long sampleNanos(SimRandom random) {
            return minNanos + Math.round(meanNanos * random.nextExponential());
        }

        @Override
        public String describe() {
            return "exponential(min=" + Time.format(minNanos) + ", mean=" + Time.format(meanNanos) + ")";
        }
    }

    private static void requireNonNegative(long v, String what) {
        if (v < 0) {
            throw new IllegalArgumentException(what + " must not be negative: " + v);
        }
    }
}
