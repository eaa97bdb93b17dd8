package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kafka.KafkaMessage.MetadataResponse;
import dev.faultline.core.kafka.KafkaMessage.ProduceResponse;
import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.util.ArrayDeque;
import java.util.Arrays;

/**
 * A simulated producer, modelled on the Kafka 3.9 Java client ({@code KafkaProducer},
 * {@code RecordAccumulator}, {@code Sender}, {@code BuiltInPartitioner}): the application sends
 * {@link ProducerConfig#recordsPerSecond()} records a second, evenly spaced, to the whole topic.
 *
 * <ul>
 *   <li><b>Partitioner.</b> A keyed record goes to {@code murmur2(key) % partitions}, as Kafka's
 *       built-in partitioner does. An unkeyed record goes to the current sticky partition (KIP-480,
 *       uniform since KIP-794, Kafka 3.3+): a partition drawn uniformly among those with a known
 *       leader, kept until {@code batch.size} bytes were produced to it and its last batch is full,
 *       or twice {@code batch.size} in any case, then drawn again. Kafka's adaptive weighting by
 *       queue length ({@code partitioner.adaptive.partitioning.enable}) is not modelled: the draw is
 *       uniform, as with adaptive partitioning off. {@code RoundRobinPartitioner} is available.</li>
 *   <li><b>Accumulator.</b> Records append to the partition's last open batch; a batch holds
 *       {@link ProducerConfig#recordsPerBatch()} records and is ready when full or after
 *       {@code linger.ms} (0 in Kafka 3.9: at once). Only partitions with records waiting or in
 *       flight have state; an idle partition costs its metadata entry and nothing else.</li>
 *   <li><b>Sender.</b> One connection per broker with at most
 *       {@code max.in.flight.requests.per.connection} produce requests in flight. Whenever a broker
 *       has a ready batch and a free slot, one ProduceRequest drains the first batch of each of its
 *       partitions with records waiting (up to {@code max.request.size}), as Kafka's
 *       {@code RecordAccumulator.drain} does.</li>
 *   <li><b>Errors.</b> A retriable error re-enqueues the batch at the head of its partition after an
 *       exponential back-off ({@code retry.backoff.ms} to {@code retry.backoff.max.ms}, 20 % jitter,
 *       KIP-580), or at once when the NOT_LEADER_OR_FOLLOWER answer names a new leader (KIP-951,
 *       Kafka 3.7+); {@code retries} and {@code delivery.timeout.ms} bound it. A request that is not
 *       answered within {@code request.timeout.ms}, or a reset connection, fails every request in
 *       flight on that connection.</li>
 *   <li><b>Metadata.</b> At start the producer asks for the leaders of all its partitions (Kafka's
 *       first send waits for the topic's metadata). Afterwards it asks only for the partitions
 *       that need a leader: those whose batch failed with an error that invalidates metadata, and
 *       those with records waiting whose leader was on a broker that has since been disconnected.
 *       Kafka asks for the whole topic each time; asking only for what is needed keeps the cost
 *       of a refresh proportional to what changed (the leaders of other partitions are refreshed
 *       when they are next used). {@code metadata.max.age.ms} is not modelled.</li>
 * </ul>
 *
 * <p>Simplifications: idempotence ({@code enable.idempotence}, sequence numbers) is not modelled, so
 * a partition has at most one batch in flight (which keeps its order; a retry after a lost response
 * can duplicate records, as with idempotence off); {@code buffer.memory} and {@code max.block.ms} are
 * not modelled (the application never blocks). Every send and outcome goes to the
 * {@link KafkaHistory}. The work per record, per request and per response is proportional to the
 * records and partitions it carries, never to the number of partitions of the topic.
 *
 * <p>This class is the application, the accumulator (batches, linger, {@code delivery.timeout.ms})
 * and the canary's probes; the sender (connections, requests in flight, retries) is
 * {@link ProducerSender}, the metadata {@link ProducerMetadata}, the partitioner
 * {@link ProducerPartitioner}.
 */
public final class KafkaProducer implements Node {
    private record Tick() {
    }

    private record Linger(long batchSeq) {
    }

    // Timer tags: their class names go into the trace's fingerprint, so they stay here.
    record Backoff(int slot) {
    }

    record RequestTimeout(long correlationId) {
    }

    record MetadataTimeout(long correlationId) {
    }

    record MetadataRetry() {
    }

    private record Expiry() {
    }

    private static final Tick TICK = new Tick();
    static final MetadataRetry METADATA_RETRY = new MetadataRetry();
    private static final Expiry EXPIRY = new Expiry();

    private final NodeContext ctx;
    private final ClientEnv env;
    private final ProducerConfig config;
    private final String name;
    private final SimRandom random;
    private final int[] partitions;
    private final int first;
    private final int n;
    private final int batchCapacity;
    private final ProducerMetadata metadata;
    private final ProducerPartitioner partitioner;
    private final ProducerSender sender;
    private final Int2ObjectOpenHashMap<ProducerPartitionQueue> queues = new Int2ObjectOpenHashMap<>();
    private final Long2ObjectOpenHashMap<ProducerBatch> lingering = new Long2ObjectOpenHashMap<>();
    /** Live batches in creation order, for {@code delivery.timeout.ms}. */
    private final ArrayDeque<ProducerBatch> byAge = new ArrayDeque<>();
    private boolean expiryArmed;

    /**
     * Canary only: the partitions it probes, each with the true time of the latest request to probe
     * it; a partition leaves once a write sent at or after that time succeeded.
     */
    private final it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap probing = new it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap();
    private final boolean canary;

    private long nextCorrelation = 1;
    private long nextRecord;
    private long nextBatch;
    private long produced;

    KafkaProducer(NodeContext ctx, ClientEnv env, ProducerConfig config) {
        this(ctx, env, config, false);
    }

    /**
     * A producer; {@code canary} for the failover probe ({@link #probe}): no workload of its own,
     * it learns every partition's leader at start and writes only to the partitions it is asked to probe.
     */
    KafkaProducer(NodeContext ctx, ClientEnv env, ProducerConfig config, boolean canary) {
        this.canary = canary;
        this.ctx = ctx;
        this.env = env;
        this.config = config;
        this.name = ctx.self().name();
        this.random = ctx.random();
        this.partitions = config.partitions();
        this.n = partitions.length;
        this.first = partitions[n - 1] - partitions[0] == n - 1 ? partitions[0] : -1;
        this.batchCapacity = config.recordsPerBatch();
        int maxBroker = env.cluster().maxBrokerId();
        this.metadata = new ProducerMetadata(this, ctx, env, config, maxBroker);
        this.partitioner = new ProducerPartitioner(config, random, n, metadata.leaderless);
        this.sender = new ProducerSender(this, ctx, env, config, metadata, random, maxBroker);
        // Record ids are unique in the run: the node index in the high bits.
        nextRecord = ((long) ctx.self().index() + 1) << 40;
    }

    // ------------------------------------------------------------------ lifecycle and timers

    @Override
    public void onStart() {
        if (canary) {
            // Like a canary that has been running: it knows every partition's leader before a fault.
            metadata.askAll();
            metadata.refresh();
            return; // it writes when asked to probe
        }
        if (config.startDelayNanos() == 0) {
            metadata.askAll(); // a delayed producer asks for metadata when it first has a record
            metadata.refresh();
        }
        ctx.setTimer(TICK, config.startDelayNanos() + intervalNanos());
    }

    private long intervalNanos() {
        return Math.max(1, (long) (Time.SECOND / config.recordsPerSecond()));
    }

    @Override
    public void onTimer(Object tag) {
        if (tag instanceof Tick) {
            if (produced < config.maxRecords()) {
                if (produced == 0 && config.startDelayNanos() > 0) {
                    metadata.askAll();
                }
                produce();
                if (produced < config.maxRecords()) {
                    ctx.setTimer(TICK, intervalNanos());
                }
            }
        } else if (tag instanceof Linger l) {
            ProducerBatch batch = lingering.remove(l.batchSeq());
            if (batch != null && !batch.done && !batch.sendable) {
                batch.sendable = true;
                place(batch.slot);
            }
        } else if (tag instanceof Backoff b) {
            ProducerPartitionQueue q = queues.get(b.slot());
            if (q != null) {
                q.backingOff = false;
                place(b.slot());
            }
        } else if (tag instanceof RequestTimeout rt) {
            sender.onRequestTimeout(rt);
        } else if (tag instanceof MetadataTimeout mt) {
            metadata.onTimeout(mt);
        } else if (tag instanceof MetadataRetry) {
            metadata.onRetry();
        } else if (tag instanceof Expiry) {
            expiryArmed = false;
            expireBatches();
        }
        flush();
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (message instanceof ProduceResponse) {
            sender.onProduceResponse((ProduceResponse) message);
        } else if (message instanceof MetadataResponse) {
            metadata.onResponse((MetadataResponse) message);
        } else if (message instanceof ConnectionReset) {
            int broker = ClusterSpec.brokerIdOf(((ConnectionReset) message).peer().name());
            if (sender.knows(broker)) {
                sender.disconnect(broker, -1);
                metadata.connectionReset(broker);
            }
        }
        flush();
    }

    // ------------------------------------------------------------------ the application and the accumulator

    /** The application sends one record. */
    private void produce() {
        int slot = partitioner.partitionFor();
        produced++;
        append(slot);
    }

    /** One record to partition {@code slot} goes into the accumulator. */
    private void append(int slot) {
        long id = nextRecord++;
        env.history().sent(trueNow(), name, partitions[slot], id, config.acks());
        ProducerPartitionQueue q = queues.get(slot);
        if (q == null) {
            q = new ProducerPartitionQueue();
            queues.put(slot, q);
        }
        ProducerBatch last = q.batches.peekLast();
        if (last == null || last.closed || last.count >= batchCapacity) {
            last = new ProducerBatch(nextBatch++, slot, ctx.now(), batchCapacity);
            q.batches.addLast(last);
            byAge.addLast(last);
            armExpiry();
            if (config.lingerNanos() == 0) {
                last.sendable = true;
            } else {
                lingering.put(last.seq, last);
                ctx.setTimer(new Linger(last.seq), config.lingerNanos());
            }
        }
        last.add(id);
        if (last.count >= batchCapacity) {
            last.sendable = true;
        }
        partitioner.appended(slot, q.batches.peekLast().count >= batchCapacity);
        place(slot);
    }

    /**
     * Puts a partition where its state says: in its leader's drainable (and ready) set when its head
     * batch may go, in the metadata wish list when its leader is unknown or stale, nowhere when it
     * waits (in flight, backing off) or is idle (then its state is dropped).
     */
    void place(int slot) {
        ProducerPartitionQueue q = queues.get(slot);
        if (q == null) {
            return;
        }
        int target = -1;
        boolean ready = false;
        if (!q.batches.isEmpty() && !q.muted) {
            int l = metadata.freshLeader(slot);
            if (l < 0) {
                metadata.need(slot); // asked at once, even while the batch backs off (Kafka's metadata update is separate)
            } else if (!q.backingOff) {
                target = l;
                ready = q.batches.peekFirst().sendable;
            }
        }
        if (q.broker >= 0 && q.broker != target) {
            ProducerConnection old = sender.existing(q.broker);
            old.drainable.remove(slot);
            old.ready.remove(slot);
        }
        q.broker = target;
        if (target >= 0) {
            ProducerConnection c = sender.connection(target);
            c.drainable.add(slot);
            if (ready) {
                c.ready.add(slot);
                sender.kick(target);
            } else {
                c.ready.remove(slot);
            }
        }
        if (q.batches.isEmpty() && !q.muted) {
            queues.remove(slot);
        }
    }

    /** End of a handler: send to the brokers that got ready batches or a free slot, and ask for the metadata needed. */
    private void flush() {
        sender.sendKicked();
        if (metadata.needsAny()) {
            metadata.refresh();
        }
    }

    /** The batch has its outcome: the partition may send its next one. */
    void finish(ProducerBatch batch) {
        batch.done = true;
        batch.inFlight = false;
        ProducerPartitionQueue q = queues.get(batch.slot);
        if (q != null) {
            q.muted = false;
            place(batch.slot);
        }
    }

    /** A batch that expired while in flight got its answer (or lost it): its partition may send again. */
    void release(ProducerBatch batch) {
        ProducerPartitionQueue q = queues.get(batch.slot);
        if (q != null) {
            q.muted = false;
            place(batch.slot);
        }
    }

    // ------------------------------------------------------------------ delivery timeout

    private void armExpiry() {
        if (!expiryArmed && !byAge.isEmpty()) {
            expiryArmed = true;
            long due = byAge.peekFirst().createdAtNanos + config.deliveryTimeoutNanos();
            ctx.setTimer(EXPIRY, Math.max(0, due - ctx.now()));
        }
    }

    /** {@code delivery.timeout.ms}: batches older than it fail, waiting or in flight (Sender's expiry of both). */
    private void expireBatches() {
        long now = ctx.now();
        while (!byAge.isEmpty()) {
            ProducerBatch batch = byAge.peekFirst();
            if (batch.done) {
                byAge.pollFirst();
                continue;
            }
            if (now - batch.createdAtNanos < config.deliveryTimeoutNanos()) {
                break;
            }
            byAge.pollFirst();
            ProducerPartitionQueue q = queues.get(batch.slot);
            if (!batch.inFlight && q != null) {
                q.batches.remove(batch);
            }
            long t = trueNow();
            for (int j = 0; j < batch.count; j++) {
                env.history().failed(t, name, partitions[batch.slot], batch.ids[j], config.acks(), Errors.REQUEST_TIMED_OUT);
            }
            boolean wasInFlight = batch.inFlight;
            batch.done = true;
            batch.inFlight = false;
            if (q != null && !wasInFlight) {
                place(batch.slot);
            }
            probeFailed(batch.slot);
        }
        armExpiry();
    }

    /** The batch of partition {@code slot} failed: the canary keeps writing until a write succeeds. */
    void probeFailed(int slot) {
        if (canary && probing.containsKey(slot)) {
            append(slot);
        }
    }

    /** The batch succeeded: a probed partition is done if the write was sent since the last probe request. */
    void probeSucceeded(ProducerBatch batch) {
        if (canary && probing.containsKey(batch.slot)) {
            if (batch.attemptSentAt >= probing.get(batch.slot)) {
                probing.remove(batch.slot); // probed: a write sent since the last request succeeded
            } else {
                append(batch.slot); // asked again while this write was on its way: write once more
            }
        }
    }

    /**
     * Metadata learnt for partition {@code slot} (its leader {@code leader}): a retry backing off
     * towards another leader goes at once. Returns whether the partition has records waiting or in
     * flight.
     */
    boolean leaderLearned(int slot, int leader) {
        ProducerPartitionQueue q = queues.get(slot);
        if (q == null) {
            return false;
        }
        ProducerBatch head = q.batches.peekFirst();
        if (q.backingOff && head != null && head.attemptLeader >= 0 && head.attemptLeader != leader) {
            // RecordAccumulator.shouldBackoff (KIP-951): a retry whose leader changed goes at once.
            q.backingOff = false;
            ctx.cancelTimer(new Backoff(slot));
        }
        place(slot);
        return true;
    }

    /** The batches of partition {@code slot}, or null when it has none waiting or in flight. */
    ProducerPartitionQueue queue(int slot) {
        return queues.get(slot);
    }

    /** Whether partition {@code slot} has records waiting or in flight. */
    boolean hasQueue(int slot) {
        return queues.containsKey(slot);
    }

    /** The next correlation id (produce and metadata requests share one sequence). */
    long nextCorrelation() {
        return nextCorrelation++;
    }

    /** The slot of a global partition, or -1. */
    int slotOf(int partition) {
        if (first >= 0) {
            int slot = partition - first;
            return slot >= 0 && slot < n ? slot : -1;
        }
        int slot = Arrays.binarySearch(partitions, partition);
        return slot >= 0 ? slot : -1;
    }

    long trueNow() {
        return env.trueClock().getAsLong();
    }

    /**
     * The failover probe (a world action when a broker failover opens): write one acks=all record
     * to each of these global partitions, and keep writing to each until a write sent from now on
     * succeeds. The records of one broker travel together, as the accumulator drains them. A
     * partition already being probed is only marked: its next write counts.
     */
    void probe(int[] globalPartitions) {
        long now = trueNow();
        for (int p : globalPartitions) {
            int slot = slotOf(p);
            if (slot < 0) {
                continue;
            }
            boolean already = probing.containsKey(slot);
            probing.put(slot, now);
            if (!already) {
                append(slot);
            }
        }
        flush();
    }

    /** Partitions the canary is still probing. */
    int probing() {
        return probing.size();
    }

    /** Records this producer has sent so far. */
    public long producedRecords() {
        return produced;
    }

    /** Whether every record was produced and has an outcome. */
    public boolean done() {
        return produced >= config.maxRecords() && queues.isEmpty() && sender.idle();
    }
}
