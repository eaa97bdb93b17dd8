package dev.faultline.scenarios.run;

import dev.faultline.scenarios.spec.Scenario;

/**
 * How much heap a run needs, from the scenario's size and mode, so that the {@code faultline}
 * launcher can pick {@code -Xmx} and a run too big for the heap is refused with a clear message
 * before it starts instead of dying with an OutOfMemoryError. Bytes per partition replica
 * (partitions x replication factor) and per partition are measured per mode by {@code ./bench scale}
 * (heap after set-up minus the heap before, divided by replicas); the estimate adds a fixed base
 * for the JVM and the run's own working set, and a margin of 50% for what a run allocates as it goes
 * (message queues during a failover, the trace ring, the history of produced records).
 */
public final class HeapEstimate {
    /** The JVM, the classes and a small cluster. */
    public static final long BASE_BYTES = 256L << 20;
    /** Per broker, controller or ZooKeeper server process (queues, sessions, caches outside partitions). */
    static final long PER_NODE_BYTES = 2L << 20;

    private HeapEstimate() {
    }

    /**
     * Measured heap per partition replica after set-up, by mode (./bench scale, 100k partitions RF 3,
     * 6 brokers, cold start, on the commit that set these values). ZooKeeper mode also keeps each
     * partition's state znode in every ZooKeeper server's data tree, counted here per replica.
     */
    static long bytesPerReplica(Scenario.Mode mode) {
        switch (mode) {
            case ZOOKEEPER: return 1_000;
            case KRAFT: return 800;
            default: return 400;
        }
    }

    /** The heap one run of {@code s} needs, margin included, in bytes. */
    public static long bytes(Scenario s) {
        long nodes = s.cluster().brokers() + s.cluster().controllers() + s.cluster().zookeeper();
        long data = s.replicaCount() * bytesPerReplica(s.cluster().mode()) + nodes * PER_NODE_BYTES;
        return BASE_BYTES + data + data / 2;
    }

    /** "6.2 GiB", "512 MiB". */
    public static String format(long bytes) {
        if (bytes >= 1L << 30) {
            return String.format(java.util.Locale.ROOT, "%.1f GiB", bytes / (double) (1L << 30));
        }
        return (bytes >> 20) + " MiB";
    }

    /** A -Xmx value at least {@code bytes}, in whole GiB ("7g") or MiB ("768m"). */
    public static String xmx(long bytes) {
        if (bytes >= 1L << 30) {
            return ((bytes + (1L << 30) - 1) >> 30) + "g";
        }
        return ((bytes + (1L << 20) - 1) >> 20) + "m";
    }
}
