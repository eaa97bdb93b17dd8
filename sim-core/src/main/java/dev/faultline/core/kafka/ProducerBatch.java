package dev.faultline.core.kafka;

import java.util.Arrays;

/** One producer batch (Kafka's ProducerBatch): records of one partition. */
final class ProducerBatch {
    final long seq;
    final int slot;
    final long createdAtNanos;
    long[] ids;
    int count;
    /** Full, lingered long enough, or a retry: may be sent. */
    boolean sendable;
    /** Sent once: no more records append to it (Kafka closes a drained batch). */
    boolean closed;
    boolean inFlight;
    boolean done;
    int retries;
    /** True time the current attempt was sent (the failover recorder counts attempts sent after a fault). */
    long attemptSentAt;
    int attemptLeader = -1;

    ProducerBatch(long seq, int slot, long createdAtNanos, int capacity) {
        this.seq = seq;
        this.slot = slot;
        this.createdAtNanos = createdAtNanos;
        this.ids = new long[Math.min(capacity, 8)];
    }

    void add(long id) {
        if (count == ids.length) {
            ids = Arrays.copyOf(ids, ids.length * 2);
        }
        ids[count++] = id;
    }

    long[] records() {
        return count == ids.length ? ids : Arrays.copyOf(ids, count);
    }
}
