package dev.faultline.core.kafka;

import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;
import java.util.ArrayDeque;

/** The connection to one broker. */
final class ProducerConnection {
    /** Partitions whose head batch may go in the next request to this broker, in the order they became so. */
    final IntLinkedOpenHashSet drainable = new IntLinkedOpenHashSet();
    /** Of those, the ones whose head batch is ready (the broker is ready when one is). */
    final IntLinkedOpenHashSet ready = new IntLinkedOpenHashSet();
    final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();

    /** A produce request in flight. */
    record InFlight(long correlationId, int broker, ProducerBatch[] batches) {
    }
}
