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
import dev.faultline.core.kernel.Time;
import it.unimi.dsi.fastutil.longs.LongArrayFIFOQueue;

/**
 * A simulated producer (model-spec §D.2): writes records to its partitions at a fixed rate, sends
 * them to the leader its metadata names, retries retriable errors after {@code retry.backoff.ms},
 * refreshes metadata on NOT_LEADER_OR_FOLLOWER, timeouts and connection resets, gives up after
 * {@code retries} or {@code delivery.timeout.ms}, and records every send and outcome in the
 * {@link KafkaHistory}. See {@link ProducerConfig} for the simplifications.
 */
public final class KafkaProducer implements Node {
    private record Tick() {
    }

    private record Backoff(int slot) {
    }

    private record RequestTimeout(int slot, long correlationId) {
    }

    private record MetadataTimeout(long correlationId) {
    }

    private static final Tick TICK = new Tick();
    private static final MetadataTimeout METADATA_RETRY = new MetadataTimeout(-1);

    private final NodeContext ctx;
    private final ClientEnv env;
    private final ProducerConfig config;
    private final String name;
    private final int[] partitions;
    private final int[] leader;
    private final LongArrayFIFOQueue[] queued;
    private final LongArrayFIFOQueue[] queuedAt;
    private final long[][] inFlightIds;
    private final long[] inFlightCorrelation;
    private final long[] batchCreatedAt;
    /** When (true time) the attempt in flight was sent: the failover recorder counts only acks of attempts sent after a fault. */
    private final long[] attemptSentAt;
    private final int[] attempts;
    private final boolean[] backingOff;
    private final long[] produced;
    private long nextCorrelation = 1;
    private long nextRecord;
    private long metadataCorrelation = -1;
    private int bootstrapIndex;
    private int metadataBroker = -1;

    KafkaProducer(NodeContext ctx, ClientEnv env, ProducerConfig config) {
        this.ctx = ctx;
        this.env = env;
        this.config = config;
        this.name = ctx.self().name();
        this.partitions = config.partitions();
        int n = partitions.length;
        leader = new int[n];
        java.util.Arrays.fill(leader, -1);
        queued = new LongArrayFIFOQueue[n];
        queuedAt = new LongArrayFIFOQueue[n];
        inFlightIds = new long[n][];
        inFlightCorrelation = new long[n];
        batchCreatedAt = new long[n];
        attemptSentAt = new long[n];
        attempts = new int[n];
        backingOff = new boolean[n];
        produced = new long[n];
        for (int i = 0; i < n; i++) {
            queued[i] = new LongArrayFIFOQueue();
            queuedAt[i] = new LongArrayFIFOQueue();
        }
        // Record ids are unique in the run: the node index in the high bits.
        nextRecord = ((long) ctx.self().index() + 1) << 40;
    }

    @Override
    public void onStart() {
        if (config.startDelayNanos() == 0) {
            refreshMetadata(); // a delayed producer asks for metadata when it first has a record
        }
        ctx.setTimer(TICK, config.startDelayNanos() + intervalNanos());
    }

    private long intervalNanos() {
        return Math.max(1, (long) (Time.SECOND / config.recordsPerSecond()));
    }

    @Override
    public void onTimer(Object tag) {
        if (tag instanceof Tick) {
            boolean more = false;
            for (int i = 0; i < partitions.length; i++) {
                if (produced[i] < config.maxRecordsPerPartition()) {
                    long id = nextRecord++;
                    produced[i]++;
                    queued[i].enqueue(id);
                    queuedAt[i].enqueue(ctx.now());
                    env.history().sent(trueNow(), name, partitions[i], id, config.acks());
                    more |= produced[i] < config.maxRecordsPerPartition();
                    trySend(i);
                }
            }
            if (more) {
                ctx.setTimer(TICK, intervalNanos());
            }
        } else if (tag instanceof Backoff) {
            int i = ((Backoff) tag).slot();
            backingOff[i] = false;
            trySend(i);
        } else if (tag instanceof RequestTimeout) {
            RequestTimeout rt = (RequestTimeout) tag;
            if (inFlightIds[rt.slot()] != null && inFlightCorrelation[rt.slot()] == rt.correlationId()) {
                failAttempt(rt.slot(), Errors.REQUEST_TIMED_OUT);
            }
        } else if (tag instanceof MetadataTimeout) {
            long correlation = ((MetadataTimeout) tag).correlationId();
            if (correlation >= 0) { // no answer: try the next broker
                if (correlation != metadataCorrelation) {
                    return;
                }
                metadataCorrelation = -1;
                bootstrapIndex++;
            }
            refreshMetadata();
        }
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (message instanceof ProduceResponse) {
            onProduceResponse((ProduceResponse) message);
        } else if (message instanceof MetadataResponse) {
            onMetadata((MetadataResponse) message);
        } else if (message instanceof ConnectionReset) {
            int broker = ClusterSpec.brokerIdOf(((ConnectionReset) message).peer().name());
            if (bootstrapBroker(bootstrapIndex) == broker && metadataCorrelation < 0) {
                bootstrapIndex++; // do not ask a dead broker for metadata
            }
            for (int i = 0; i < partitions.length; i++) {
                if (inFlightIds[i] != null && inFlightCorrelation[i] > 0 && leader[i] == broker) {
                    failAttempt(i, Errors.NETWORK_EXCEPTION);
                }
            }
            if (metadataCorrelation >= 0 && metadataBroker == broker) {
                ctx.cancelTimer(new MetadataTimeout(metadataCorrelation));
                metadataCorrelation = -1;
                bootstrapIndex++;
                ctx.setTimer(METADATA_RETRY, config.retryBackoffNanos());
            }
        }
    }

    private void trySend(int i) {
        if (inFlightIds[i] == null && !backingOff[i] && !queued[i].isEmpty()) {
            int count = Math.min(config.batchSize(), queued[i].size());
            long[] ids = new long[count];
            for (int k = 0; k < count; k++) {
                ids[k] = queued[i].dequeueLong();
                long at = queuedAt[i].dequeueLong();
                if (k == 0) {
                    batchCreatedAt[i] = at;
                }
            }
            inFlightIds[i] = ids;
            attempts[i] = 0;
        }
        if (inFlightIds[i] == null || backingOff[i] || inFlightCorrelation[i] > 0) {
            return;
        }
        if (leader[i] < 0) {
            refreshMetadata();
            return;
        }
        long correlation = nextCorrelation++;
        inFlightCorrelation[i] = correlation;
        attemptSentAt[i] = trueNow();
        attempts[i]++;
        ctx.send(ctx.node(ClusterSpec.brokerNodeName(leader[i])),
                new ProduceRequest(correlation, partitions[i], config.acks(), inFlightIds[i], config.requestTimeoutNanos()));
        if (config.acks() == 0) {
            for (long id : inFlightIds[i]) {
                env.history().acked(trueNow(), name, partitions[i], id, -1, -1, 0);
            }
            completeBatch(i);
        } else {
            ctx.setTimer(new RequestTimeout(i, correlation), config.requestTimeoutNanos());
        }
    }

    private void onProduceResponse(ProduceResponse r) {
        int i = slotOf(r.partition());
        if (i < 0 || inFlightIds[i] == null || inFlightCorrelation[i] != r.correlationId()) {
            return; // late response to an attempt we gave up on
        }
        ctx.cancelTimer(new RequestTimeout(i, r.correlationId()));
        if (r.error() == Errors.NONE) {
            long[] ids = inFlightIds[i];
            for (int k = 0; k < ids.length; k++) {
                env.history().acked(trueNow(), name, partitions[i], ids[k], r.baseOffset() + k, r.leaderEpoch(), config.acks());
            }
            env.failover().produceSucceeded(partitions[i], attemptSentAt[i], trueNow());
            completeBatch(i);
            trySend(i);
            return;
        }
        failAttempt(i, r.error());
    }

    private void failAttempt(int i, Errors error) {
        ctx.cancelTimer(new RequestTimeout(i, inFlightCorrelation[i]));
        inFlightCorrelation[i] = 0;
        boolean expired = ctx.now() - batchCreatedAt[i] >= config.deliveryTimeoutNanos();
        if (!error.retriable() || attempts[i] > config.retries() || expired) {
            Errors reported = expired ? Errors.REQUEST_TIMED_OUT : error;
            for (long id : inFlightIds[i]) {
                env.history().failed(trueNow(), name, partitions[i], id, config.acks(), reported);
            }
            completeBatch(i);
            trySend(i);
            return;
        }
        if (error.invalidatesMetadata()) {
            leader[i] = -1;
            refreshMetadata();
        }
        backingOff[i] = true;
        ctx.setTimer(new Backoff(i), config.retryBackoffNanos());
    }

    private void completeBatch(int i) {
        inFlightIds[i] = null;
        inFlightCorrelation[i] = 0;
    }

    private void refreshMetadata() {
        if (metadataCorrelation >= 0) {
            return;
        }
        metadataCorrelation = nextCorrelation++;
        int broker = bootstrapBroker(bootstrapIndex);
        metadataBroker = broker;
        ctx.send(ctx.node(ClusterSpec.brokerNodeName(broker)), new MetadataRequest(metadataCorrelation, partitions.clone()));
        ctx.setTimer(new MetadataTimeout(metadataCorrelation), config.requestTimeoutNanos());
    }

    private void onMetadata(MetadataResponse r) {
        if (r.correlationId() != metadataCorrelation) {
            return;
        }
        ctx.cancelTimer(new MetadataTimeout(metadataCorrelation));
        metadataCorrelation = -1;
        boolean missing = false;
        for (int k = 0; k < r.partitions().length; k++) {
            int i = slotOf(r.partitions()[k]);
            if (i >= 0) {
                leader[i] = r.leaders()[k];
                missing |= leader[i] < 0;
            }
        }
        if (missing) {
            bootstrapIndex++;
            ctx.setTimer(METADATA_RETRY, config.retryBackoffNanos());
        }
        for (int i = 0; i < partitions.length; i++) {
            trySend(i);
        }
    }

    private int bootstrapBroker(int index) {
        int[] bootstrap = config.bootstrapBrokers();
        if (bootstrap.length > 0) {
            return bootstrap[Math.floorMod(index, bootstrap.length)];
        }
        var brokers = env.cluster().brokers();
        return brokers.get(Math.floorMod(index, brokers.size())).id();
    }

    private int slotOf(int partition) {
        for (int i = 0; i < partitions.length; i++) {
            if (partitions[i] == partition) {
                return i;
            }
        }
        return -1;
    }

    private long trueNow() {
        return env.trueClock().getAsLong();
    }

    /** Records not yet handed to a request, over all partitions. */
    public long queuedRecords() {
        long n = 0;
        for (LongArrayFIFOQueue q : queued) {
            n += q.size();
        }
        return n;
    }

    /** Whether every record was produced and has an outcome. */
    public boolean done() {
        for (int i = 0; i < partitions.length; i++) {
            if (produced[i] < config.maxRecordsPerPartition() || !queued[i].isEmpty() || inFlightIds[i] != null) {
                return false;
            }
        }
        return true;
    }
}
