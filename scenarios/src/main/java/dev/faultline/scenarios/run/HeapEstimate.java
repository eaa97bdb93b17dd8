package dev.faultline.scenarios.run;

import dev.faultline.scenarios.spec.Scenario;

/**
 * How much heap a run needs, from the scenario's size and mode, so that the {@code faultline}
 * launcher can pick {@code -Xmx} and a run too big for the heap is refused with a clear message
 * before it starts instead of dying with an OutOfMemoryError. Bytes per partition replica
 * (partitions x replication factor) are measured per mode and start by {@code ./bench scale}
 * ({@link #bytesPerReplica}); the estimate adds a fixed base for the JVM and a small cluster, a
 * little per process, and a margin of 50% for what the benchmark's runs did not exercise (more
 * failovers, longer histories of produced records, a JVM that collects later).
 */
public final class HeapEstimate {
    /** The JVM, the classes and a small cluster. */
    public static final long BASE_BYTES = 256L << 20;
    /** Per broker, controller or ZooKeeper server process (queues, sessions, caches outside partitions). */
    static final long PER_NODE_BYTES = 2L << 20;

    private HeapEstimate() {
    }

    /**
     * Heap per partition replica a run needs, by mode and start, before the margin. Derived from
     * {@code ./bench scale --sizes 10k,100k} (warm) and {@code --sizes 100k --cases broker --start cold}
     * on 2026-12-07 (6 brokers, RF 3, 300 records/s, one failover; 2 cores, -Xmx10g), rounded up from
     * the larger of two figures per replica: the settled cluster's heap ({@code B/repl}) and the most
     * heap in use just after any GC during the run, less the JVM's own ({@code peak MiB}; an upper
     * bound of the live set, failover queues included). At 100,000 partitions, warm: ZooKeeper mode
     * 194-204 B settled, about 470 B at the peak (its controller failover's batches); KRaft 198-204
     * B, about 220 B; the oracle 177 B, about 200 B. Cold (the start-up protocol's state stays until
     * the first fault): ZooKeeper mode 1,500 B settled, about 1,830 B at the peak; KRaft 263 B, about
     * 430 B; the oracle 171 B, about 335 B. ZooKeeper mode also keeps each partition's state znode in
     * every ZooKeeper server's data tree, counted here per replica.
     */
    static long bytesPerReplica(Scenario.Mode mode, boolean warm) {
        switch (mode) {
            case ZOOKEEPER: return warm ? 500 : 2_000;
            case KRAFT: return warm ? 250 : 450;
            default: return warm ? 250 : 350;
        }
    }

    /** The heap one run of {@code s} needs, margin included, in bytes. */
    public static long bytes(Scenario s) {
        long nodes = s.cluster().brokers() + s.cluster().controllers() + s.cluster().zookeeper();
        long data = s.replicaCount() * bytesPerReplica(s.cluster().mode(), s.cluster().warmStart()) + nodes * PER_NODE_BYTES;
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
