package dev.faultline.core.kernel;

import java.util.HashMap;
import java.util.Map;

/**
 * The run's random streams: one root seed, and one named stream per consumer ({@code network},
 * {@code workload}, {@code faults}, {@code node:broker-3}, ...). A stream depends only on (seed,
 * name), so adding draws to one never shifts another. Lookups only; the map is never iterated.
 */
public final class RandomStreams {
    private final SimRandom root;
    private final Map<String, SimRandom> streams = new HashMap<>();

    public RandomStreams(long seed) {
        this.root = new SimRandom(seed);
    }

    public long seed() {
        return root.seed();
    }

    /** The stream with this name, created on first use and shared afterwards. */
    public SimRandom stream(String name) {
        return streams.computeIfAbsent(name, root::fork);
    }
}
