package dev.faultline.core.kafka;

import dev.faultline.core.kernel.SimRandom;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.nio.charset.StandardCharsets;

/**
 * The producer's partitioner (Kafka's {@code BuiltInPartitioner}, and {@code RoundRobinPartitioner}
 * when configured): a keyed record goes to {@code murmur2(key) % partitions}; an unkeyed one to the
 * sticky partition, drawn uniformly among those whose metadata names a leader and kept until
 * {@code batch.size} bytes went to it and its last batch is full, or twice {@code batch.size} in any
 * case. Partitions are the producer's slots (indexes into its partition list).
 */
final class ProducerPartitioner {
    /** Kafka's murmur2 seed ({@code Utils.murmur2}). */
    private static final int MURMUR2_SEED = 0x9747b28c;
    /** Draws of the sticky partitioner before it settles for any partition (see {@link #nextStickyPartition}). */
    private static final int STICKY_DRAWS = 64;

    private final ProducerConfig config;
    private final SimRandom random;
    private final int n;
    /** The producer's partitions whose metadata names no leader (shared, kept by the producer). */
    private final IntOpenHashSet leaderless;
    private int stickySlot = -1;
    private long stickyProducedBytes;
    private long roundRobinCounter;

    ProducerPartitioner(ProducerConfig config, SimRandom random, int n, IntOpenHashSet leaderless) {
        this.config = config;
        this.random = random;
        this.n = n;
        this.leaderless = leaderless;
    }

    /** The partition (slot) of the next record. */
    int partitionFor() {
        if (config.keyCount() > 0 && !config.ignoreKeys()) {
            byte[] key = ("key-" + random.nextInt(config.keyCount())).getBytes(StandardCharsets.UTF_8);
            return (murmur2(key) & 0x7fffffff) % n;
        }
        if (config.roundRobin()) {
            // RoundRobinPartitioner: the next partition in turn among those with a leader.
            int slot = (int) (roundRobinCounter++ % n);
            for (int tries = 0; tries < n && leaderless.contains(slot) && leaderless.size() < n; tries++) {
                slot = (int) (roundRobinCounter++ % n);
            }
            return slot;
        }
        if (stickySlot < 0) {
            stickySlot = nextStickyPartition();
            stickyProducedBytes = 0;
        }
        return stickySlot;
    }

    /**
     * BuiltInPartitioner.nextPartition without load statistics: uniform among the partitions whose
     * metadata names a leader, or among all when none does. Drawn by rejection (at most
     * {@value #STICKY_DRAWS} draws, then among all), so that no list of available partitions is kept.
     */
    private int nextStickyPartition() {
        if (leaderless.size() < n) {
            for (int draw = 0; draw < STICKY_DRAWS; draw++) {
                int slot = random.nextInt(n);
                if (!leaderless.contains(slot)) {
                    return slot;
                }
            }
        }
        return random.nextInt(n);
    }

    /**
     * A record went into partition {@code slot}, whose last batch is now {@code lastBatchFull} or not
     * (BuiltInPartitioner.updatePartitionInfo: switch once batch.size bytes went to the sticky
     * partition and its last batch is full, or once twice batch.size went in any case).
     */
    void appended(int slot, boolean lastBatchFull) {
        if (slot == stickySlot) {
            stickyProducedBytes += config.recordBytes();
            if ((stickyProducedBytes >= config.batchSizeBytes() && lastBatchFull) || stickyProducedBytes >= 2L * config.batchSizeBytes()) {
                stickySlot = -1;
            }
        }
    }

    /**
     * Kafka's {@code Utils.murmur2}: MurmurHash2, 32 bits, seed {@code 0x9747b28c}, over the key
     * bytes (written from the published algorithm).
     */
    static int murmur2(byte[] data) {
        int length = data.length;
        int m = 0x5bd1e995;
        int h = MURMUR2_SEED ^ length;
        int blocks = length / 4;
        for (int i = 0; i < blocks; i++) {
            int o = i * 4;
            int k = (data[o] & 0xff) | ((data[o + 1] & 0xff) << 8) | ((data[o + 2] & 0xff) << 16) | ((data[o + 3] & 0xff) << 24);
            k *= m;
            k ^= k >>> 24;
            k *= m;
            h *= m;
            h ^= k;
        }
        int tail = blocks * 4;
        switch (length - tail) {
            case 3:
                h ^= (data[tail + 2] & 0xff) << 16;
                // fall through
            case 2:
                h ^= (data[tail + 1] & 0xff) << 8;
                // fall through
            case 1:
                h ^= data[tail] & 0xff;
                h *= m;
                break;
            default:
                break;
        }
        h ^= h >>> 13;
        h *= m;
        h ^= h >>> 15;
        return h;
    }
}
