package dev.faultline.core.kafka;

import java.util.ArrayDeque;

/** The batches of a partition with records waiting or in flight (Kafka's per-partition deque). */
final class ProducerPartitionQueue {
    final ArrayDeque<ProducerBatch> batches = new ArrayDeque<>(2);
    /** A batch of this partition is in flight (one at a time, see {@link KafkaProducer}). */
    boolean muted;
    /** The head batch waits for its retry back-off. */
    boolean backingOff;
    /** The broker whose sets hold this partition, or -1. */
    int broker = -1;
}
