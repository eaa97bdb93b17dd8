package dev.faultline.core.kafka;

import dev.faultline.core.control.KafkaConfig;
import java.util.Map;
import java.util.TreeMap;

/**
 * A simulated producer's settings: real producer property names and defaults ({@code acks} all,
 * {@code retries} {@link Integer#MAX_VALUE}, {@code retry.backoff.ms} 100, {@code request.timeout.ms}
 * 30000, {@code delivery.timeout.ms} 120000) plus the workload: which partitions, how many records
 * per second to each, how many records at most, and the batch size. {@code bootstrap.servers}
 * lists broker node names ({@code broker-1,broker-2}); by default every broker.
 *
 * <p>Simplifications: one batch in flight per partition ({@code max.in.flight.requests.per.connection}
 * = 1, so order is kept without idempotence); {@code enable.idempotence} is not modelled, so a retry
 * after a lost response can duplicate a record, as with idempotence off.
 */
public record ProducerConfig(int[] partitions, int acks, int retries, long retryBackoffNanos, long requestTimeoutNanos,
                             long deliveryTimeoutNanos, double recordsPerSecond, long maxRecordsPerPartition, int batchSize,
                             long startDelayNanos, int[] bootstrapBrokers) {

    /** From client properties (real names) and a workload. */
    public static ProducerConfig of(int[] partitions, double recordsPerSecond, long maxRecordsPerPartition, Map<String, String> properties) {
        TreeMap<String, String> props = new TreeMap<>(properties);
        KafkaConfig c = KafkaConfig.of(Map.of()).withAll(props);
        String acks = c.getString("acks", "all");
        int acksValue = acks.equals("all") || acks.equals("-1") ? -1 : Integer.parseInt(acks);
        if (acksValue != -1 && acksValue != 0 && acksValue != 1) {
            throw new IllegalArgumentException("acks must be all, -1, 0 or 1, got " + acks);
        }
        return new ProducerConfig(partitions.clone(), acksValue, Integer.parseInt(c.getString("retries", "2147483647")),
                Long.parseLong(c.getString("retry.backoff.ms", "100")) * 1_000_000L,
                Long.parseLong(c.getString("request.timeout.ms", "30000")) * 1_000_000L,
                Long.parseLong(c.getString("delivery.timeout.ms", "120000")) * 1_000_000L,
                recordsPerSecond, maxRecordsPerPartition, Integer.parseInt(c.getString("faultline.batch.records", "1")), 0,
                bootstrap(c.getString("bootstrap.servers", "")));
    }

    /** The same workload, starting to produce {@code delayNanos} after the producer starts. */
    public ProducerConfig startingAfter(long delayNanos) {
        return new ProducerConfig(partitions, acks, retries, retryBackoffNanos, requestTimeoutNanos, deliveryTimeoutNanos, recordsPerSecond,
                maxRecordsPerPartition, batchSize, delayNanos, bootstrapBrokers);
    }

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
    public static ProducerConfig of(int[] partitions, double recordsPerSecond, long maxRecordsPerPartition, String acks) {
        return of(partitions, recordsPerSecond, maxRecordsPerPartition, Map.of("acks", acks));
    }
}
