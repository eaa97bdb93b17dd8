package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kafka.KafkaMessage.ProduceRequest;
import dev.faultline.core.kafka.KafkaMessage.ProduceResponse;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.SimRandom;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntIterator;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.ArrayList;
import java.util.List;

/**
 * The producer's sender (Kafka's {@code Sender} and the produce half of its {@code NetworkClient}):
 * one connection per broker, the produce requests in flight on each, what an answer does to the
 * batches it carried (success, retry after a back-off, or failure), request timeouts and lost
 * connections (see {@link KafkaProducer}, "Sender" and "Errors"). The accumulator side (which
 * partitions are drainable and ready on which connection) is {@link KafkaProducer#place}; the
 * sender only drains what it finds there and hands finished batches back.
 */
final class ProducerSender {
    private final KafkaProducer producer;
    private final NodeContext ctx;
    private final ClientEnv env;
    private final ProducerConfig config;
    private final ProducerMetadata metadata;
    private final SimRandom random;
    private final ExponentialBackoff retryBackoff;
    private final String name;
    private final int[] partitions;
    private final ProducerConnection[] connections;
    private final Long2ObjectOpenHashMap<ProducerConnection.InFlight> inFlight = new Long2ObjectOpenHashMap<>();
    /** Brokers to send to at the end of the handler (each once). */
    private final IntArrayList kicked = new IntArrayList();
    private final boolean[] isKicked;

    ProducerSender(KafkaProducer producer, NodeContext ctx, ClientEnv env, ProducerConfig config, ProducerMetadata metadata,
            SimRandom random, int maxBroker) {
        this.producer = producer;
        this.ctx = ctx;
        this.env = env;
        this.config = config;
        this.metadata = metadata;
        this.random = random;
        this.retryBackoff = ExponentialBackoff.retry(config.retryBackoffNanos(), config.retryBackoffMaxNanos());
        this.name = ctx.self().name();
        this.partitions = config.partitions();
        connections = new ProducerConnection[maxBroker + 1];
        isKicked = new boolean[maxBroker + 1];
    }

    /** The connection to {@code broker}, or null if the producer never used one. */
    ProducerConnection existing(int broker) {
        return connections[broker];
    }

    /** The connection to {@code broker}, opened if needed. */
    ProducerConnection connection(int broker) {
        ProducerConnection c = connections[broker];
        if (c == null) {
            c = new ProducerConnection();
            connections[broker] = c;
        }
        return c;
    }

    /** Whether {@code broker} is a broker id this producer can connect to. */
    boolean knows(int broker) {
        return broker >= 0 && broker < connections.length;
    }

    /** {@code broker} has a ready batch or a free slot: it is sent to at the end of the handler. */
    void kick(int broker) {
        if (!isKicked[broker]) {
            isKicked[broker] = true;
            kicked.add(broker);
        }
    }

    /** End of a handler: send to the brokers that got ready batches or a free slot. */
    void sendKicked() {
        for (int k = 0; k < kicked.size(); k++) {
            int broker = kicked.getInt(k);
            isKicked[broker] = false;
            send(broker);
        }
        kicked.clear();
    }

    /** Whether no produce request is in flight. */
    boolean idle() {
        return inFlight.isEmpty();
    }

    /** Sends produce requests to a ready broker while its connection has room (Sender.sendProducerData). */
    private void send(int broker) {
        ProducerConnection c = connections[broker];
        while (c != null && !c.ready.isEmpty() && c.inFlight.size() < config.maxInFlight()) {
            List<ProducerBatch> drained = new ArrayList<>();
            long size = 64;
            IntIterator it = c.drainable.iterator();
            while (it.hasNext()) {
                ProducerBatch head = producer.queue(it.nextInt()).batches.peekFirst();
                long bytes = 61 + (long) head.count * config.recordBytes();
                if (!drained.isEmpty() && size + bytes > config.maxRequestSize()) {
                    break;
                }
                size += bytes;
                drained.add(head);
            }
            int count = drained.size();
            int[] ps = new int[count];
            long[][] ids = new long[count][];
            ProducerBatch[] batches = new ProducerBatch[count];
            long now = producer.trueNow();
            for (int k = 0; k < count; k++) {
                ProducerBatch batch = drained.get(k);
                ProducerPartitionQueue q = producer.queue(batch.slot);
                q.batches.pollFirst();
                q.muted = true;
                q.broker = -1;
                c.drainable.remove(batch.slot);
                c.ready.remove(batch.slot);
                batch.closed = true;
                batch.sendable = true;
                batch.inFlight = true;
                batch.attemptSentAt = now;
                batch.attemptLeader = broker;
                ps[k] = partitions[batch.slot];
                ids[k] = batch.records();
                batches[k] = batch;
            }
            long correlation = producer.nextCorrelation();
            ctx.send(ctx.node(ClusterSpec.brokerNodeName(broker)),
                    new ProduceRequest(correlation, config.acks(), config.requestTimeoutNanos(), ps, ids, config.recordBytes()));
            if (config.acks() == 0) {
                // No response is expected: the request is complete once written (Kafka's expectResponse=false).
                for (ProducerBatch batch : batches) {
                    for (int k = 0; k < batch.count; k++) {
                        env.history().acked(now, name, partitions[batch.slot], batch.ids[k], -1, -1, 0);
                    }
                    producer.finish(batch);
                }
                continue;
            }
            ProducerConnection.InFlight f = new ProducerConnection.InFlight(correlation, broker, batches);
            c.inFlight.addLast(f);
            inFlight.put(correlation, f);
            ctx.setTimer(new KafkaProducer.RequestTimeout(correlation), config.requestTimeoutNanos());
        }
    }

    void onProduceResponse(ProduceResponse r) {
        ProducerConnection.InFlight f = inFlight.remove(r.correlationId());
        if (f == null) {
            return; // late response to a request we gave up on
        }
        ctx.cancelTimer(new KafkaProducer.RequestTimeout(f.correlationId()));
        connections[f.broker()].inFlight.remove(f);
        kick(f.broker()); // a free slot on the connection: what waits for it may go
        for (int k = 0; k < f.batches().length; k++) {
            ProducerBatch batch = f.batches()[k];
            Errors error = k < r.errors().length ? r.errors()[k] : Errors.NETWORK_EXCEPTION;
            if (batch.done) {
                producer.release(batch); // expired while in flight
                continue;
            }
            if (error == Errors.NONE) {
                long now = producer.trueNow();
                int partition = partitions[batch.slot];
                for (int j = 0; j < batch.count; j++) {
                    env.history().acked(now, name, partition, batch.ids[j], r.baseOffsets()[k] + j, r.leaderEpochs()[k], config.acks());
                }
                if (env.reportsFailover()) {
                    env.failover().produceSucceeded(partition, batch.attemptSentAt, now);
                }
                producer.finish(batch);
                producer.probeSucceeded(batch);
            } else {
                failAttempt(batch, error, r.currentLeaders()[k]);
            }
        }
    }

    /** {@code request.timeout.ms} passed without an answer: the connection is closed. */
    void onRequestTimeout(KafkaProducer.RequestTimeout rt) {
        ProducerConnection.InFlight f = inFlight.get(rt.correlationId());
        if (f != null) {
            disconnect(f.broker(), f.correlationId());
        }
    }

    /**
     * An attempt failed: retry (Sender.canRetry: retriable, retries left, delivery timeout not
     * reached) or fail the batch's records. {@code hintedLeader} is the KIP-951 leader hint, or -1.
     */
    private void failAttempt(ProducerBatch batch, Errors error, int hintedLeader) {
        int slot = batch.slot;
        ProducerPartitionQueue q = producer.queue(slot);
        batch.inFlight = false;
        q.muted = false;
        boolean expired = ctx.now() - batch.createdAtNanos >= config.deliveryTimeoutNanos();
        if (!error.retriable() || batch.retries >= config.retries() || expired) {
            Errors reported = expired ? Errors.REQUEST_TIMED_OUT : error;
            long now = producer.trueNow();
            for (int j = 0; j < batch.count; j++) {
                env.history().failed(now, name, partitions[slot], batch.ids[j], config.acks(), reported);
            }
            producer.finish(batch);
            producer.probeFailed(slot);
            return;
        }
        batch.retries++;
        boolean leaderChanged = false;
        if (error.invalidatesMetadata()) {
            if (hintedLeader >= 0 && hintedLeader < connections.length && hintedLeader != batch.attemptLeader) {
                metadata.setLeader(slot, hintedLeader);
                leaderChanged = true;
            } else if (metadata.leader(slot) == batch.attemptLeader) {
                metadata.markStale(slot); // stale: ask for it before the retry
            }
        }
        q.batches.addFirst(batch);
        if (!leaderChanged) {
            // Sender/RecordAccumulator: a retry to the same leader waits the exponential back-off.
            q.backingOff = true;
            ctx.setTimer(new KafkaProducer.Backoff(slot), backoffNanos(batch.retries - 1));
        }
        producer.place(slot);
    }

    /** Kafka's ExponentialBackoff(retry.backoff.ms, 2, retry.backoff.max.ms, 0.2) (KIP-580). */
    private long backoffNanos(int attempts) {
        return retryBackoff.backoffNanos(attempts, random);
    }

    /**
     * The connection to a broker is gone: a reset ({@code timedOut} -1), or the request
     * {@code timedOut} was not answered within {@code request.timeout.ms} (Kafka then closes the
     * connection). Every request in flight on it fails; the leaders learnt on it are stale.
     */
    void disconnect(int broker, long timedOut) {
        metadata.disconnected(broker);
        ProducerConnection c = connections[broker];
        if (c == null) {
            return;
        }
        List<ProducerConnection.InFlight> lost = new ArrayList<>(c.inFlight);
        c.inFlight.clear();
        for (ProducerConnection.InFlight f : lost) {
            inFlight.remove(f.correlationId());
            ctx.cancelTimer(new KafkaProducer.RequestTimeout(f.correlationId()));
            Errors error = f.correlationId() == timedOut ? Errors.REQUEST_TIMED_OUT : Errors.NETWORK_EXCEPTION;
            for (ProducerBatch batch : f.batches()) {
                if (batch.done) {
                    producer.release(batch);
                } else {
                    failAttempt(batch, error, -1);
                }
            }
        }
        // Partitions waiting for this broker go back to asking who leads them.
        IntArrayList waiting = new IntArrayList(c.drainable);
        for (int k = 0; k < waiting.size(); k++) {
            producer.place(waiting.getInt(k));
        }
    }
}
