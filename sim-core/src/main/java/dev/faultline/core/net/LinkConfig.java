package dev.faultline.core.net;

import dev.faultline.core.kernel.Time;

/**
 * The steady-state properties of a directed link.
 *
 * @param latency one-way propagation latency
 * @param bandwidthBitsPerSecond transmission rate; 0 means unlimited (no transmission delay)
 */
public record LinkConfig(LatencyModel latency, long bandwidthBitsPerSecond) {
    /** A LAN: 0.5 ms constant one-way latency, unlimited bandwidth. */
    public static final LinkConfig DEFAULT = new LinkConfig(LatencyModel.constant(500 * Time.MICROSECOND), 0);

    public LinkConfig {
        if (latency == null) {
            throw new IllegalArgumentException("latency model is required");
        }
        if (bandwidthBitsPerSecond < 0) {
            throw new IllegalArgumentException("bandwidth must not be negative");
        }
    }

    /** Nanoseconds to put {@code sizeBytes} on the wire. */
    public long transmissionNanos(int sizeBytes) {
        if (bandwidthBitsPerSecond == 0) {
            return 0;
        }
        long bits = (long) sizeBytes * 8L;
        if (bits < Long.MAX_VALUE / Time.SECOND) {
            return (bits * Time.SECOND + bandwidthBitsPerSecond - 1) / bandwidthBitsPerSecond;
        }
        return (long) Math.ceil((double) bits * Time.SECOND / bandwidthBitsPerSecond);
    }
}
