package dev.faultline.core.kernel;

import java.nio.charset.StandardCharsets;

/**
 * A seeded pseudo-random stream (SplitMix64). The algorithm is written out here rather than
 * borrowed from the JDK so that the same seed gives the same numbers on every JVM version, and
 * every distribution uses {@link StrictMath}, whose results are bit-identical everywhere.
 *
 * <p>Streams are forked by name: {@code fork("network")} depends only on this stream's seed and
 * the name, never on how many numbers were drawn, so a new consumer of randomness never shifts
 * another stream.
 */
public final class SimRandom {
    private static final long GOLDEN = 0x9E3779B97F4A7C15L;

    private final long seed;
    private long state;
    private boolean haveSpareGaussian;
    private double spareGaussian;

    public SimRandom(long seed) {
        this.seed = seed;
        this.state = seed;
    }

    /** The seed this stream started from. */
    public long seed() {
        return seed;
    }

    /** A stream derived from this stream's seed and {@code name}, independent of draws so far. */
    public SimRandom fork(String name) {
        return new SimRandom(mix64(seed ^ mix64(fnv1a64(name))));
    }

    public long nextLong() {
        state += GOLDEN;
        return mix64(state);
    }

    public int nextInt() {
        return (int) (nextLong() >>> 32);
    }

    /** Uniform in {@code [0, bound)}; unbiased (rejection sampling). */
    public int nextInt(int bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        return (int) nextLong(bound);
    }

    /** Uniform in {@code [0, bound)}; unbiased (rejection sampling). */
    public long nextLong(long bound) {
        if (bound <= 0) {
            throw new IllegalArgumentException("bound must be positive: " + bound);
        }
        long limit = Long.MAX_VALUE - (Long.MAX_VALUE % bound);
        while (true) {
            long r = nextLong() >>> 1;
            if (r < limit) {
                return r % bound;
            }
        }
    }

    /** Uniform in {@code [min, max]} (both inclusive). */
    public long nextLongBetween(long min, long max) {
        if (max < min) {
            throw new IllegalArgumentException("max " + max + " < min " + min);
        }
        if (max == min) {
            return min;
        }
        return min + nextLong(max - min + 1);
    }

    /** Uniform in {@code [0, 1)} with 53 bits of precision. */
    public double nextDouble() {
        return (nextLong() >>> 11) * 0x1.0p-53;
    }

    public boolean nextBoolean() {
        return nextLong() < 0;
    }

    /** True with probability {@code p}; draws nothing when {@code p} is 0 or 1. */
    public boolean chance(double p) {
        if (p <= 0) {
            return false;
        }
        if (p >= 1) {
            return true;
        }
        return nextDouble() < p;
    }

    /** Standard normal (Box-Muller with {@link StrictMath}). */
    public double nextGaussian() {
        if (haveSpareGaussian) {
            haveSpareGaussian = false;
            return spareGaussian;
        }
        double u1;
        do {
            u1 = nextDouble();
        } while (u1 == 0.0);
        double u2 = nextDouble();
        double r = StrictMath.sqrt(-2.0 * StrictMath.log(u1));
        double theta = 2.0 * StrictMath.PI * u2;
        spareGaussian = r * StrictMath.sin(theta);
        haveSpareGaussian = true;
        return r * StrictMath.cos(theta);
    }

    /** Exponential with mean 1. */
    public double nextExponential() {
        double u;
        do {
            u = nextDouble();
        } while (u == 0.0);
        return -StrictMath.log(u);
    }

    /** Fisher-Yates shuffle of a list, in place. */
    public <T> void shuffle(java.util.List<T> list) {
        for (int i = list.size() - 1; i > 0; i--) {
            int j = nextInt(i + 1);
            T tmp = list.get(i);
            list.set(i, list.get(j));
            list.set(j, tmp);
        }
    }

    /** The SplitMix64 / Stafford variant 13 finaliser. */
    public static long mix64(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** FNV-1a over the UTF-8 bytes: a string hash that is the same on every JVM. */
    public static long fnv1a64(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= (b & 0xff);
            h *= 0x100000001b3L;
        }
        return h;
    }
}
