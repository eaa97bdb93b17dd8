package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaMessage.MetadataRequest;
import dev.faultline.core.kafka.KafkaMessage.MetadataResponse;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.Time;
import it.unimi.dsi.fastutil.ints.IntIterator;
import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.util.Arrays;

/**
 * The producer's metadata (Kafka's {@code ProducerMetadata} and the metadata half of its
 * {@code NetworkClient}): the leader of each of the producer's partitions and whether it is still
 * fresh, which partitions need a leader, and the one metadata request at a time that asks a
 * bootstrap broker for them (see {@link KafkaProducer}, "Metadata"). Partitions are the producer's
 * slots. A broker's connection generation is bumped when its connection is lost; leaders learnt
 * before are stale.
 */
final class ProducerMetadata {
    private final KafkaProducer producer;
    private final NodeContext ctx;
    private final ClientEnv env;
    private final ProducerConfig config;
    private final int[] partitions;
    /** The leader of each partition (-1 none known), and the connection generation it was learnt in. */
    private final int[] leader;
    private final int[] leaderGeneration;
    /** Per broker id: bumped when the connection is lost; leaders learnt before are stale. */
    private final int[] brokerGeneration;
    /** Partitions whose metadata names no leader (the sticky partitioner avoids them). */
    final IntOpenHashSet leaderless = new IntOpenHashSet();
    private final IntLinkedOpenHashSet needMetadata = new IntLinkedOpenHashSet();
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

    ProducerMetadata(KafkaProducer producer, NodeContext ctx, ClientEnv env, ProducerConfig config, int maxBroker) {
        this.producer = producer;
        this.ctx = ctx;
        this.env = env;
        this.config = config;
        this.partitions = config.partitions();
        int n = partitions.length;
        leader = new int[n];
        Arrays.fill(leader, -1);
        leaderGeneration = new int[n];
        brokerGeneration = new int[maxBroker + 1];
        unreachableUntil = new long[maxBroker + 1];
        Arrays.fill(unreachableUntil, Long.MIN_VALUE);
    }

    /** The next request asks for every partition. */
    void askAll() {
        metadataAskedAll = true;
    }

    /** The leader of partition {@code slot} as last learnt (-1 none known), fresh or not. */
    int leader(int slot) {
        return leader[slot];
    }

    /** The leader of partition {@code slot} if it is known and learnt on the broker's current connection, else -1. */
    int freshLeader(int slot) {
        int l = leader[slot];
        if (l < 0 || l >= brokerGeneration.length || leaderGeneration[slot] != brokerGeneration[l]) {
            return -1;
        }
        return l;
    }

    /** Partition {@code slot} needs its leader. */
    void need(int slot) {
        needMetadata.add(slot);
    }

    boolean needsAny() {
        return !needMetadata.isEmpty();
    }

    /** The leader of partition {@code slot} is no longer trusted: it is asked for before the partition's next send. */
    void markStale(int slot) {
        leaderGeneration[slot] = -1;
    }

    void setLeader(int slot, int broker) {
        leader[slot] = broker;
        if (broker >= 0 && broker < brokerGeneration.length) {
            leaderGeneration[slot] = brokerGeneration[broker];
            leaderless.remove(slot);
        } else {
            leaderless.add(slot);
        }
    }

    /** The connection to {@code broker} is gone: leaders learnt on it are stale, and it is not asked for metadata for a second. */
    void disconnected(int broker) {
        brokerGeneration[broker]++;
        unreachableUntil[broker] = ctx.now() + Time.SECOND;
    }

    /** A reset from {@code broker}: its metadata request in flight fails, and it is not asked next. */
    void connectionReset(int broker) {
        if (metadataCorrelation >= 0 && metadataBroker == broker) {
            ctx.cancelTimer(new KafkaProducer.MetadataTimeout(metadataCorrelation));
            metadataFailed();
            bootstrapIndex++;
            backOffMetadata();
        } else if (bootstrapBroker(bootstrapIndex) == broker) {
            bootstrapIndex++; // do not ask a dead broker for metadata
        }
    }

    /** The metadata request timed out: ask the next broker. */
    void onTimeout(KafkaProducer.MetadataTimeout mt) {
        if (mt.correlationId() == metadataCorrelation) { // no answer: ask the next broker
            metadataFailed();
            bootstrapIndex++;
            refresh();
        }
    }

    /** The back-off after an answer without some leader ended. */
    void onRetry() {
        metadataBackingOff = false;
        refresh();
    }

    /** Asks one broker for the leaders of the partitions that need one (one request at a time). */
    void refresh() {
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
        metadataCorrelation = producer.nextCorrelation();
        int bootstrapCount = config.bootstrapBrokers().length > 0 ? config.bootstrapBrokers().length : env.cluster().brokers().size();
        for (int k = 0; k < bootstrapCount && unreachable(bootstrapBroker(bootstrapIndex)); k++) {
            bootstrapIndex++; // skip a broker whose connection just broke
        }
        int broker = bootstrapBroker(bootstrapIndex);
        metadataBroker = broker;
        ctx.send(ctx.node(ClusterSpec.brokerNodeName(broker)), new MetadataRequest(metadataCorrelation, asked));
        ctx.setTimer(new KafkaProducer.MetadataTimeout(metadataCorrelation), config.requestTimeoutNanos());
    }

    /** The metadata request in flight got no answer: its partitions are needed again. */
    private void metadataFailed() {
        metadataCorrelation = -1;
        if (!metadataAskedAll && metadataAsked != null) {
            for (int p : metadataAsked) {
                int slot = producer.slotOf(p);
                if (producer.hasQueue(slot)) {
                    needMetadata.add(slot);
                }
            }
        }
    }

    private void backOffMetadata() {
        metadataBackingOff = true;
        ctx.setTimer(KafkaProducer.METADATA_RETRY, config.retryBackoffNanos());
    }

    void onResponse(MetadataResponse r) {
        if (r.correlationId() != metadataCorrelation) {
            return;
        }
        ctx.cancelTimer(new KafkaProducer.MetadataTimeout(metadataCorrelation));
        metadataCorrelation = -1;
        metadataAskedAll = false;
        boolean missing = false;
        for (int k = 0; k < r.partitions().length; k++) {
            int slot = producer.slotOf(r.partitions()[k]);
            if (slot < 0) {
                continue;
            }
            setLeader(slot, r.leaders()[k]);
            needMetadata.remove(slot);
            if (producer.leaderLearned(slot, r.leaders()[k])) {
                missing |= r.leaders()[k] < 0;
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
}
