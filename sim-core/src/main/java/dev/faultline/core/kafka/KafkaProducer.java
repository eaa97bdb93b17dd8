package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kafka.KafkaMessage.MetadataRequest;
import dev.faultline.core.kafka.KafkaMessage.MetadataResponse;
import dev.faultline.core.kafka.KafkaMessage.ProduceRequest;
import dev.faultline.core.kafka.KafkaMessage.ProduceResponse;
import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntIterator;
import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

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
 */
public final class KafkaProducer implements Node {
    private record Tick() {
    }

    private record Linger(long batchSeq) {
    }

    private record Backoff(int slot) {
    }

    private record RequestTimeout(long correlationId) {
    }

    private record MetadataTimeout(long correlationId) {
    }

    private record MetadataRetry() {
    }

    private record Expiry() {
    }

    private static final Tick TICK = new Tick();
    private static final MetadataRetry METADATA_RETRY = new MetadataRetry();
    private static final Expiry EXPIRY = new Expiry();
    /** Kafka's murmur2 seed ({@code Utils.murmur2}). */
    private static final int MURMUR2_SEED = 0x9747b28c;
    /** Draws of the sticky partitioner before it settles for any partition (see {@link #nextStickyPartition}). */
    private static final int STICKY_DRAWS = 64;

    /** One producer batch (Kafka's ProducerBatch): records of one partition. */
    private static final class Batch {
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

        Batch(long seq, int slot, long createdAtNanos, int capacity) {
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

    /** The batches of a partition with records waiting or in flight (Kafka's per-partition deque). */
    private static final class PartitionQueue {
        final ArrayDeque<Batch> batches = new ArrayDeque<>(2);
        /** A batch of this partition is in flight (one at a time, see the class comment). */
        boolean muted;
        /** The head batch waits for its retry back-off. */
        boolean backingOff;
        /** The broker whose sets hold this partition, or -1. */
        int broker = -1;
    }

    /** The connection to one broker. */
    private static final class Connection {
        /** Partitions whose head batch may go in the next request to this broker, in the order they became so. */
        final IntLinkedOpenHashSet drainable = new IntLinkedOpenHashSet();
        /** Of those, the ones whose head batch is ready (the broker is ready when one is). */
        final IntLinkedOpenHashSet ready = new IntLinkedOpenHashSet();
        final ArrayDeque<InFlight> inFlight = new ArrayDeque<>();
    }

    /** A produce request in flight. */
    private record InFlight(long correlationId, int broker, Batch[] batches) {
    }

    private final NodeContext ctx;
    private final ClientEnv env;
    private final ProducerConfig config;
    private final String name;
    private final SimRandom random;
    private final int[] partitions;
    private final int first;
    private final int n;
    private final int batchCapacity;
    /** Metadata: the leader of each partition (-1 none known), and the connection generation it was learnt in. */
    private final int[] leader;
    private final int[] leaderGeneration;
    /** Per broker id: bumped when the connection is lost; leaders learnt before are stale. */
    private final int[] brokerGeneration;
    /** Partitions whose metadata names no leader (the sticky partitioner avoids them). */
    private final IntOpenHashSet leaderless = new IntOpenHashSet();
    private final Int2ObjectOpenHashMap<PartitionQueue> queues = new Int2ObjectOpenHashMap<>();
    private final Connection[] connections;
    private final Long2ObjectOpenHashMap<InFlight> inFlight = new Long2ObjectOpenHashMap<>();
    private final Long2ObjectOpenHashMap<Batch> lingering = new Long2ObjectOpenHashMap<>();
    /** Live batches in creation order, for {@code delivery.timeout.ms}. */
    private final ArrayDeque<Batch> byAge = new ArrayDeque<>();
    private boolean expiryArmed;
    /** Brokers to send to at the end of the handler (each once). */
    private final IntArrayList kicked = new IntArrayList();
    private final boolean[] isKicked;
    private final IntLinkedOpenHashSet needMetadata = new IntLinkedOpenHashSet();

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
    private int stickySlot = -1;
    private long stickyProducedBytes;
    private long roundRobinCounter;
    private long metadataCorrelation = -1;
    private int[] metadataAsked;
    private boolean metadataAskedAll;
    private boolean metadataBackingOff;
    private int bootstrapIndex;
    private int metadataBroker = -1;
    /**
     * Per broker id: until when (local clock) the connection counts as broken after a reset or a
     * request timeout: metadata requests go to another broker meanwhile, as Kafka's
     * {@code leastLoadedNode} skips nodes in reconnect back-off ({@code reconnect.backoff.max.ms}, 1 s).
     */
    private final long[] unreachableUntil;

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
        leader = new int[n];
        Arrays.fill(leader, -1);
        leaderGeneration = new int[n];
        int maxBroker = env.cluster().maxBrokerId();
        brokerGeneration = new int[maxBroker + 1];
        connections = new Connection[maxBroker + 1];
        unreachableUntil = new long[maxBroker + 1];
        isKicked = new boolean[maxBroker + 1];
        Arrays.fill(unreachableUntil, Long.MIN_VALUE);
        // Record ids are unique in the run: the node index in the high bits.
        nextRecord = ((long) ctx.self().index() + 1) << 40;
    }

    // ------------------------------------------------------------------ lifecycle and timers

    @Override
    public void onStart() {
        if (canary) {
            // Like a canary that has been running: it knows every partition's leader before a fault.
            metadataAskedAll = true;
            refreshMetadata();
            return; // it writes when asked to probe
        }
        if (config.startDelayNanos() == 0) {
            metadataAskedAll = true; // a delayed producer asks for metadata when it first has a record
            refreshMetadata();
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
                    metadataAskedAll = true;
                }
                produce();
                if (produced < config.maxRecords()) {
                    ctx.setTimer(TICK, intervalNanos());
                }
            }
        } else if (tag instanceof Linger l) {
            Batch batch = lingering.remove(l.batchSeq());
            if (batch != null && !batch.done && !batch.sendable) {
                batch.sendable = true;
                place(batch.slot);
            }
        } else if (tag instanceof Backoff b) {
            PartitionQueue q = queues.get(b.slot());
            if (q != null) {
                q.backingOff = false;
                place(b.slot());
            }
        } else if (tag instanceof RequestTimeout rt) {
            InFlight f = inFlight.get(rt.correlationId());
            if (f != null) {
                disconnect(f.broker(), f.correlationId());
            }
        } else if (tag instanceof MetadataTimeout mt) {
            if (mt.correlationId() == metadataCorrelation) { // no answer: ask the next broker
                metadataFailed();
                bootstrapIndex++;
                refreshMetadata();
            }
        } else if (tag instanceof MetadataRetry) {
            metadataBackingOff = false;
            refreshMetadata();
        } else if (tag instanceof Expiry) {
            expiryArmed = false;
            expireBatches();
        }
        flush();
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (message instanceof ProduceResponse) {
            onProduceResponse((ProduceResponse) message);
        } else if (message instanceof MetadataResponse) {
            onMetadata((MetadataResponse) message);
        } else if (message instanceof ConnectionReset) {
            int broker = ClusterSpec.brokerIdOf(((ConnectionReset) message).peer().name());
            if (broker >= 0 && broker < connections.length) {
                disconnect(broker, -1);
                if (metadataCorrelation >= 0 && metadataBroker == broker) {
                    ctx.cancelTimer(new MetadataTimeout(metadataCorrelation));
                    metadataFailed();
                    bootstrapIndex++;
                    backOffMetadata();
                } else if (bootstrapBroker(bootstrapIndex) == broker) {
                    bootstrapIndex++; // do not ask a dead broker for metadata
                }
            }
        }
        flush();
    }

    // ------------------------------------------------------------------ the application and the accumulator

    /** The application sends one record. */
    private void produce() {
        int slot = partitionFor();
        produced++;
        append(slot);
    }

    /** One record to partition {@code slot} goes into the accumulator. */
    private void append(int slot) {
        long id = nextRecord++;
        env.history().sent(trueNow(), name, partitions[slot], id, config.acks());
        PartitionQueue q = queues.get(slot);
        if (q == null) {
            q = new PartitionQueue();
            queues.put(slot, q);
        }
        Batch last = q.batches.peekLast();
        if (last == null || last.closed || last.count >= batchCapacity) {
            last = new Batch(nextBatch++, slot, ctx.now(), batchCapacity);
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
        if (slot == stickySlot) {
            // BuiltInPartitioner.updatePartitionInfo: switch once batch.size bytes went to the partition and
            // its last batch is full, or once twice batch.size went in any case.
            stickyProducedBytes += config.recordBytes();
            boolean lastFull = q.batches.peekLast().count >= batchCapacity;
            if ((stickyProducedBytes >= config.batchSizeBytes() && lastFull) || stickyProducedBytes >= 2L * config.batchSizeBytes()) {
                stickySlot = -1;
            }
        }
        place(slot);
    }

    /** The partition (slot) of the next record. */
    private int partitionFor() {
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
     * Puts a partition where its state says: in its leader's drainable (and ready) set when its head
     * batch may go, in the metadata wish list when its leader is unknown or stale, nowhere when it
     * waits (in flight, backing off) or is idle (then its state is dropped).
     */
    private void place(int slot) {
        PartitionQueue q = queues.get(slot);
        if (q == null) {
            return;
        }
        int target = -1;
        boolean ready = false;
        if (!q.batches.isEmpty() && !q.muted) {
            int l = leader[slot];
            if (l < 0 || l >= connections.length || leaderGeneration[slot] != brokerGeneration[l]) {
                needMetadata.add(slot); // asked at once, even while the batch backs off (Kafka's metadata update is separate)
            } else if (!q.backingOff) {
                target = l;
                ready = q.batches.peekFirst().sendable;
            }
        }
        if (q.broker >= 0 && q.broker != target) {
            Connection old = connections[q.broker];
            old.drainable.remove(slot);
            old.ready.remove(slot);
        }
        q.broker = target;
        if (target >= 0) {
            Connection c = connection(target);
            c.drainable.add(slot);
            if (ready) {
                c.ready.add(slot);
                kick(target);
            } else {
                c.ready.remove(slot);
            }
        }
        if (q.batches.isEmpty() && !q.muted) {
            queues.remove(slot);
        }
    }

    private Connection connection(int broker) {
        Connection c = connections[broker];
        if (c == null) {
            c = new Connection();
            connections[broker] = c;
        }
        return c;
    }

    private void kick(int broker) {
        if (!isKicked[broker]) {
            isKicked[broker] = true;
            kicked.add(broker);
        }
    }

    /** End of a handler: send to the brokers that got ready batches or a free slot, and ask for the metadata needed. */
    private void flush() {
        for (int k = 0; k < kicked.size(); k++) {
            int broker = kicked.getInt(k);
            isKicked[broker] = false;
            send(broker);
        }
        kicked.clear();
        if (!needMetadata.isEmpty()) {
            refreshMetadata();
        }
    }

    // ------------------------------------------------------------------ the sender

    /** Sends produce requests to a ready broker while its connection has room (Sender.sendProducerData). */
    private void send(int broker) {
        Connection c = connections[broker];
        while (c != null && !c.ready.isEmpty() && c.inFlight.size() < config.maxInFlight()) {
            List<Batch> drained = new ArrayList<>();
            long size = 64;
            IntIterator it = c.drainable.iterator();
            while (it.hasNext()) {
                Batch head = queues.get(it.nextInt()).batches.peekFirst();
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
            Batch[] batches = new Batch[count];
            long now = trueNow();
            for (int k = 0; k < count; k++) {
                Batch batch = drained.get(k);
                PartitionQueue q = queues.get(batch.slot);
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
            long correlation = nextCorrelation++;
            ctx.send(ctx.node(ClusterSpec.brokerNodeName(broker)),
                    new ProduceRequest(correlation, config.acks(), config.requestTimeoutNanos(), ps, ids, config.recordBytes()));
            if (config.acks() == 0) {
                // No response is expected: the request is complete once written (Kafka's expectResponse=false).
                for (Batch batch : batches) {
                    for (int k = 0; k < batch.count; k++) {
                        env.history().acked(now, name, partitions[batch.slot], batch.ids[k], -1, -1, 0);
                    }
                    finish(batch);
                }
                continue;
            }
            InFlight f = new InFlight(correlation, broker, batches);
            c.inFlight.addLast(f);
            inFlight.put(correlation, f);
            ctx.setTimer(new RequestTimeout(correlation), config.requestTimeoutNanos());
        }
    }

    private void onProduceResponse(ProduceResponse r) {
        InFlight f = inFlight.remove(r.correlationId());
        if (f == null) {
            return; // late response to a request we gave up on
        }
        ctx.cancelTimer(new RequestTimeout(f.correlationId()));
        connections[f.broker()].inFlight.remove(f);
        kick(f.broker()); // a free slot on the connection: what waits for it may go
        for (int k = 0; k < f.batches().length; k++) {
            Batch batch = f.batches()[k];
            Errors error = k < r.errors().length ? r.errors()[k] : Errors.NETWORK_EXCEPTION;
            if (batch.done) {
                release(batch); // expired while in flight
                continue;
            }
            if (error == Errors.NONE) {
                long now = trueNow();
                int partition = partitions[batch.slot];
                for (int j = 0; j < batch.count; j++) {
                    env.history().acked(now, name, partition, batch.ids[j], r.baseOffsets()[k] + j, r.leaderEpochs()[k], config.acks());
                }
                if (env.reportsFailover()) {
                    env.failover().produceSucceeded(partition, batch.attemptSentAt, now);
                }
                finish(batch);
                if (canary && probing.containsKey(batch.slot)) {
                    if (batch.attemptSentAt >= probing.get(batch.slot)) {
                        probing.remove(batch.slot); // probed: a write sent since the last request succeeded
                    } else {
                        append(batch.slot); // asked again while this write was on its way: write once more
                    }
                }
            } else {
                failAttempt(batch, error, r.currentLeaders()[k]);
            }
        }
    }

    /**
     * An attempt failed: retry (Sender.canRetry: retriable, retries left, delivery timeout not
     * reached) or fail the batch's records. {@code hintedLeader} is the KIP-951 leader hint, or -1.
     */
    private void failAttempt(Batch batch, Errors error, int hintedLeader) {
        int slot = batch.slot;
        PartitionQueue q = queues.get(slot);
        batch.inFlight = false;
        q.muted = false;
        boolean expired = ctx.now() - batch.createdAtNanos >= config.deliveryTimeoutNanos();
        if (!error.retriable() || batch.retries >= config.retries() || expired) {
            Errors reported = expired ? Errors.REQUEST_TIMED_OUT : error;
            long now = trueNow();
            for (int j = 0; j < batch.count; j++) {
                env.history().failed(now, name, partitions[slot], batch.ids[j], config.acks(), reported);
            }
            finish(batch);
            if (canary && probing.containsKey(slot)) {
                append(slot); // the canary keeps writing until a write succeeds
            }
            return;
        }
        batch.retries++;
        boolean leaderChanged = false;
        if (error.invalidatesMetadata()) {
            if (hintedLeader >= 0 && hintedLeader < connections.length && hintedLeader != batch.attemptLeader) {
                setLeader(slot, hintedLeader);
                leaderChanged = true;
            } else if (leader[slot] == batch.attemptLeader) {
                leaderGeneration[slot] = -1; // stale: ask for it before the retry
            }
        }
        q.batches.addFirst(batch);
        if (!leaderChanged) {
            // Sender/RecordAccumulator: a retry to the same leader waits the exponential back-off.
            q.backingOff = true;
            ctx.setTimer(new Backoff(slot), backoffNanos(batch.retries - 1));
        }
        place(slot);
    }

    /** Kafka's ExponentialBackoff(retry.backoff.ms, 2, retry.backoff.max.ms, 0.2). */
    private long backoffNanos(int attempts) {
        long initial = Math.min(config.retryBackoffNanos(), config.retryBackoffMaxNanos());
        long max = config.retryBackoffMaxNanos();
        if (max <= initial) {
            return initial;
        }
        double expMax = StrictMath.log(max / (double) Math.max(initial, 1)) / StrictMath.log(2);
        double term = initial * StrictMath.pow(2, Math.min(attempts, expMax)); // StrictMath: the same on every JVM
        double jitter = 0.8 + 0.4 * random.nextDouble();
        return Math.min((long) (jitter * term), max);
    }

    /** The batch has its outcome: the partition may send its next one. */
    private void finish(Batch batch) {
        batch.done = true;
        batch.inFlight = false;
        PartitionQueue q = queues.get(batch.slot);
        if (q != null) {
            q.muted = false;
            place(batch.slot);
        }
    }

    /** A batch that expired while in flight got its answer (or lost it): its partition may send again. */
    private void release(Batch batch) {
        PartitionQueue q = queues.get(batch.slot);
        if (q != null) {
            q.muted = false;
            place(batch.slot);
        }
    }

    /**
     * The connection to a broker is gone: a reset ({@code timedOut} -1), or the request
     * {@code timedOut} was not answered within {@code request.timeout.ms} (Kafka then closes the
     * connection). Every request in flight on it fails; the leaders learnt on it are stale.
     */
    private void disconnect(int broker, long timedOut) {
        brokerGeneration[broker]++;
        unreachableUntil[broker] = ctx.now() + Time.SECOND;
        Connection c = connections[broker];
        if (c == null) {
            return;
        }
        List<InFlight> lost = new ArrayList<>(c.inFlight);
        c.inFlight.clear();
        for (InFlight f : lost) {
            inFlight.remove(f.correlationId());
            ctx.cancelTimer(new RequestTimeout(f.correlationId()));
            Errors error = f.correlationId() == timedOut ? Errors.REQUEST_TIMED_OUT : Errors.NETWORK_EXCEPTION;
            for (Batch batch : f.batches()) {
                if (batch.done) {
                    release(batch);
                } else {
                    failAttempt(batch, error, -1);
                }
            }
        }
        // Partitions waiting for this broker go back to asking who leads them.
        IntArrayList waiting = new IntArrayList(c.drainable);
        for (int k = 0; k < waiting.size(); k++) {
            place(waiting.getInt(k));
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
            Batch batch = byAge.peekFirst();
            if (batch.done) {
                byAge.pollFirst();
                continue;
            }
            if (now - batch.createdAtNanos < config.deliveryTimeoutNanos()) {
                break;
            }
            byAge.pollFirst();
            PartitionQueue q = queues.get(batch.slot);
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
            if (canary && probing.containsKey(batch.slot)) {
                append(batch.slot); // the canary keeps writing until a write succeeds
            }
        }
        armExpiry();
    }

    // ------------------------------------------------------------------ metadata

    private void setLeader(int slot, int broker) {
        leader[slot] = broker;
        if (broker >= 0 && broker < connections.length) {
            leaderGeneration[slot] = brokerGeneration[broker];
            leaderless.remove(slot);
        } else {
            leaderless.add(slot);
        }
    }

    /** Asks one broker for the leaders of the partitions that need one (one request at a time). */
    private void refreshMetadata() {
        if (metadataCorrelation >= 0 || metadataBackingOff || (needMetadata.isEmpty() && !metadataAskedAll)) {
            return;
        }
        int[] asked;
        if (metadataAskedAll) {
            asked = partitions;
            needMetadata.clear();
        } else {
            asked = new int[needMetadata.size()];
            IntIterator it = needMetadata.iterator();
            for (int k = 0; it.hasNext(); k++) {
                asked[k] = partitions[it.nextInt()];
            }
            needMetadata.clear();
        }
        metadataAsked = asked;
        metadataCorrelation = nextCorrelation++;
        int bootstrapCount = config.bootstrapBrokers().length > 0 ? config.bootstrapBrokers().length : env.cluster().brokers().size();
        for (int k = 0; k < bootstrapCount && unreachable(bootstrapBroker(bootstrapIndex)); k++) {
            bootstrapIndex++; // skip a broker whose connection just broke
        }
        int broker = bootstrapBroker(bootstrapIndex);
        metadataBroker = broker;
        ctx.send(ctx.node(ClusterSpec.brokerNodeName(broker)), new MetadataRequest(metadataCorrelation, asked));
        ctx.setTimer(new MetadataTimeout(metadataCorrelation), config.requestTimeoutNanos());
    }

    /** The metadata request in flight got no answer: its partitions are needed again. */
    private void metadataFailed() {
        metadataCorrelation = -1;
        if (!metadataAskedAll && metadataAsked != null) {
            for (int p : metadataAsked) {
                int slot = slotOf(p);
                if (queues.containsKey(slot)) {
                    needMetadata.add(slot);
                }
            }
        }
    }

    private void backOffMetadata() {
        metadataBackingOff = true;
        ctx.setTimer(METADATA_RETRY, config.retryBackoffNanos());
    }

    private void onMetadata(MetadataResponse r) {
        if (r.correlationId() != metadataCorrelation) {
            return;
        }
        ctx.cancelTimer(new MetadataTimeout(metadataCorrelation));
        metadataCorrelation = -1;
        metadataAskedAll = false;
        boolean missing = false;
        for (int k = 0; k < r.partitions().length; k++) {
            int slot = slotOf(r.partitions()[k]);
            if (slot < 0) {
                continue;
            }
            setLeader(slot, r.leaders()[k]);
            needMetadata.remove(slot);
            PartitionQueue q = queues.get(slot);
            if (q != null) {
                missing |= r.leaders()[k] < 0;
                Batch head = q.batches.peekFirst();
                if (q.backingOff && head != null && head.attemptLeader >= 0 && head.attemptLeader != r.leaders()[k]) {
                    // RecordAccumulator.shouldBackoff (KIP-951): a retry whose leader changed goes at once.
                    q.backingOff = false;
                    ctx.cancelTimer(new Backoff(slot));
                }
                place(slot);
            }
        }
        if (missing) {
            bootstrapIndex++;
            backOffMetadata();
        }
    }

    private boolean unreachable(int broker) {
        return broker >= 0 && broker < unreachableUntil.length && unreachableUntil[broker] > ctx.now();
    }

    private int bootstrapBroker(int index) {
        int[] bootstrap = config.bootstrapBrokers();
        if (bootstrap.length > 0) {
            return bootstrap[Math.floorMod(index, bootstrap.length)];
        }
        var brokers = env.cluster().brokers();
        return brokers.get(Math.floorMod(index, brokers.size())).id();
    }

    /** The slot of a global partition, or -1. */
    private int slotOf(int partition) {
        if (first >= 0) {
            int slot = partition - first;
            return slot >= 0 && slot < n ? slot : -1;
        }
        int slot = Arrays.binarySearch(partitions, partition);
        return slot >= 0 ? slot : -1;
    }

    private long trueNow() {
        return env.trueClock().getAsLong();
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
        return produced >= config.maxRecords() && queues.isEmpty() && inFlight.isEmpty();
    }
}
