package dev.faultline.core.kafka;

import dev.faultline.core.control.KafkaConfig;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated producer's settings: the real producer property names with the defaults of the Kafka
 * 3.9 Java client, plus the workload (which partitions, how many records per second in all, how
 * many records at most, how many distinct keys).
 *
 * <ul>
 *   <li>{@code acks} {@code all}; {@code retries} {@link Integer#MAX_VALUE}; {@code retry.backoff.ms} 100
 *       and {@code retry.backoff.max.ms} 1000 (exponential with 20 % jitter, KIP-580, Kafka 3.7+);
 *       {@code request.timeout.ms} 30000; {@code delivery.timeout.ms} 120000;</li>
 *   <li>{@code batch.size} 16384 bytes; {@code linger.ms} 0 (Kafka 3.9; 4.0 changed it to 5 with
 *       KIP-1030, set it to model a 4.x client); {@code max.in.flight.requests.per.connection} 5;
 *       {@code max.request.size} 1048576;</li>
 *   <li>{@code partitioner.class} unset: the built-in partitioner (key hash for keyed records, the
 *       uniform sticky partitioner of KIP-794 for the others, Kafka 3.3+), or
 *       {@code org.apache.kafka.clients.producer.RoundRobinPartitioner}; {@code partitioner.ignore.keys}
 *       false;</li>
 *   <li>{@code bootstrap.servers} lists broker node names ({@code broker-1,broker-2}); by default every broker;</li>
 *   <li>{@code faultline.record.bytes} 100: the size of one record in a batch (key, value and headers
 *       with the record's own overhead), which sets how many records fill a batch and when the sticky
 *       partitioner switches.</li>
 * </ul>
 *
 * <p>Simplifications: see {@link KafkaProducer}.
 *
 * @param partitions the global partitions written to (one topic's, usually all of them), ascending
 * @param recordsPerSecond records per second for the whole producer
 * @param maxRecords records after which the producer stops ({@link Long#MAX_VALUE}: never)
 * @param keyCount distinct keys, drawn uniformly per record ({@code key-0} .. {@code key-(keyCount-1)}); 0 for unkeyed records
 */
public record ProducerConfig(int[] partitions, int acks, int retries, long retryBackoffNanos, long retryBackoffMaxNanos,
                             long requestTimeoutNanos, long deliveryTimeoutNanos, double recordsPerSecond, long maxRecords, int batchSizeBytes,
                             long lingerNanos, int maxInFlight, int maxRequestSize, int recordBytes, boolean roundRobin, boolean ignoreKeys,
                             int keyCount, long startDelayNanos, int[] bootstrapBrokers) {

    /** Kafka's round-robin partitioner class name ({@code partitioner.class}). */
    public static final String ROUND_ROBIN = "org.apache.kafka.clients.producer.RoundRobinPartitioner";

    public ProducerConfig {
        partitions = partitions.clone();
        Arrays.sort(partitions);
        if (partitions.length == 0) {
            throw new IllegalArgumentException("a producer needs at least one partition");
        }
        if (!(recordsPerSecond > 0)) {
            throw new IllegalArgumentException("records per second must be positive, got " + recordsPerSecond);
        }
        if (keyCount < 0) {
            throw new IllegalArgumentException("key count must not be negative, got " + keyCount);
        }
    }

    /** From client properties (real names) and a workload: {@code recordsPerSecond} for the whole producer. */
    public static ProducerConfig of(int[] partitions, double recordsPerSecond, long maxRecords, Map<String, String> properties) {
        TreeMap<String, String> props = new TreeMap<>(properties);
        KafkaConfig c = KafkaConfig.of(Map.of()).withAll(props);
        String acks = c.getString("acks", "all");
        int acksValue = acks.equals("all") || acks.equals("-1") ? -1 : Integer.parseInt(acks);
        if (acksValue != -1 && acksValue != 0 && acksValue != 1) {
            throw new IllegalArgumentException("acks must be all, -1, 0 or 1, got " + acks);
        }
        String partitioner = c.getString("partitioner.class", "").trim();
        boolean roundRobin = partitioner.equals(ROUND_ROBIN) || partitioner.equals("RoundRobinPartitioner");
        if (!partitioner.isEmpty() && !roundRobin) {
            throw new IllegalArgumentException("partitioner.class: only " + ROUND_ROBIN + " is modelled (unset: the built-in partitioner), got "
                    + partitioner);
        }
        long backoff = ms(c, "retry.backoff.ms", "100");
        return new ProducerConfig(partitions, acksValue, Integer.parseInt(c.getString("retries", "2147483647")), backoff,
                Math.max(backoff, ms(c, "retry.backoff.max.ms", "1000")), ms(c, "request.timeout.ms", "30000"),
                ms(c, "delivery.timeout.ms", "120000"), recordsPerSecond, maxRecords, positive(c, "batch.size", "16384"),
                ms(c, "linger.ms", "0"), positive(c, "max.in.flight.requests.per.connection", "5"),
                positive(c, "max.request.size", "1048576"), positive(c, "faultline.record.bytes", "100"), roundRobin,
                Boolean.parseBoolean(c.getString("partitioner.ignore.keys", "false")), 0, 0, bootstrap(c.getString("bootstrap.servers", "")));
    }

    private static long ms(KafkaConfig c, String key, String fallback) {
        long v = Long.parseLong(c.getString(key, fallback).trim());
        if (v < 0) {
            throw new IllegalArgumentException(key + " must not be negative, got " + v);
        }
        return v * 1_000_000L;
    }

    private static int positive(KafkaConfig c, String key, String fallback) {
        int v = Integer.parseInt(c.getString(key, fallback).trim());
        if (v < 1) {
            throw new IllegalArgumentException(key + " must be at least 1, got " + v);
        }
        return v;
    }

    /** The same workload, starting to produce {@code delayNanos} after the producer starts. */
    public ProducerConfig startingAfter(long delayNanos) {
        return new ProducerConfig(partitions, acks, retries, retryBackoffNanos, retryBackoffMaxNanos, requestTimeoutNanos, deliveryTimeoutNanos,
                recordsPerSecond, maxRecords, batchSizeBytes, lingerNanos, maxInFlight, maxRequestSize, recordBytes, roundRobin, ignoreKeys,
                keyCount, delayNanos, bootstrapBrokers);
    }

    /** The same workload with keyed records: each record's key is drawn uniformly from {@code keys} distinct keys. */
    public ProducerConfig withKeys(int keys) {
        return new ProducerConfig(partitions, acks, retries, retryBackoffNanos, retryBackoffMaxNanos, requestTimeoutNanos, deliveryTimeoutNanos,
                recordsPerSecond, maxRecords, batchSizeBytes, lingerNanos, maxInFlight, maxRequestSize, recordBytes, roundRobin, ignoreKeys,
                keys, startDelayNanos, bootstrapBrokers);
    }

    /**
     * Records that fill one batch: {@code batch.size} less the record-batch header (61 bytes in
     * message format v2, {@code DefaultRecordBatch.RECORD_BATCH_OVERHEAD}) over the record size; at
     * least one (a record larger than {@code batch.size} gets a batch of its own, as in Kafka).
     */
    public int recordsPerBatch() {
        return Math.max(1, (batchSizeBytes - BATCH_OVERHEAD_BYTES) / recordBytes);
    }

    /** Kafka's v2 record-batch header size. */
    static final int BATCH_OVERHEAD_BYTES = 61;

    /** {@code bootstrap.servers} as broker ids ({@code broker-2,broker-3}); empty means every broker. */
    static int[] bootstrap(String servers) {
        if (servers.isBlank()) {
            return new int[0];
        }
        String[] names = servers.split(",");
        int[] ids = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            ids[i] = dev.faultline.core.control.ClusterSpec.brokerIdOf(names[i].trim());
            if (ids[i] < 0) {
                throw new IllegalArgumentException("bootstrap.servers: '" + names[i].trim() + "' is not a broker node name (broker-<id>)");
            }
        }
        return ids;
    }

    /** Defaults with {@code acks}. */
    public static ProducerConfig of(int[] partitions, double recordsPerSecond, long maxRecords, String acks) {
        return of(partitions, recordsPerSecond, maxRecords, Map.of("acks", acks));
    }

    /**
     * Defaults with {@code acks} and Kafka's {@code RoundRobinPartitioner}: consecutive records go to
     * consecutive partitions, so each of the {@code n} partitions gets {@code recordsPerSecond / n}.
     */
    public static ProducerConfig roundRobin(int[] partitions, double recordsPerSecond, long maxRecords, String acks) {
        return of(partitions, recordsPerSecond, maxRecords, Map.of("acks", acks, "partitioner.class", ROUND_ROBIN));
    }
}
