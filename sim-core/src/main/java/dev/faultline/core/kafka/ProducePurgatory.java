package dev.faultline.core.kafka;

import dev.faultline.core.control.Errors;
import dev.faultline.core.kafka.KafkaMessage.ProduceRequest;
import dev.faultline.core.kafka.KafkaMessage.ProduceResponse;
import dev.faultline.core.kernel.NodeId;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import java.util.ArrayDeque;

/**
 * A leader's acks=all purgatory (Kafka's DelayedProduce purgatory, docs/model.md#produce-path):
 * produce requests wait per partition until the high watermark covers their records, their
 * timeout passes, or the broker stops leading the partition; the response goes once every
 * partition of the request has its result.
 */
final class ProducePurgatory {
    /**
     * A produce request with acks=all partitions waiting for the high watermark (Kafka's
     * DelayedProduce): the response goes once every partition of the request has its result.
     */
    static final class DelayedProduce {
        final NodeId client;
        final ProduceRequest request;
        final Errors[] errors;
        final long[] baseOffsets;
        final int[] epochs;
        final int[] leaders;
        /** Partitions still waiting, plus one while the request is being appended. */
        int remaining = 1;

        DelayedProduce(NodeId client, ProduceRequest request) {
            this.client = client;
            this.request = request;
            int n = request.partitions().length;
            errors = new Errors[n];
            baseOffsets = new long[n];
            epochs = new int[n];
            leaders = new int[n];
            java.util.Arrays.fill(baseOffsets, -1);
            java.util.Arrays.fill(epochs, -1);
            java.util.Arrays.fill(leaders, -1);
        }
    }

    /** One partition of a {@link DelayedProduce}, waiting in that partition's purgatory. */
    private record PendingProduce(DelayedProduce request, int index, long baseOffset, long requiredOffset, int leaderEpoch,
                                  long deadlineNanos) {
    }

    private final KafkaBroker b;
    private final ReplicaTable t;
    private final LeaderSide leader;
    private final Int2ObjectOpenHashMap<ArrayDeque<PendingProduce>> waiting = new Int2ObjectOpenHashMap<>();

    ProducePurgatory(KafkaBroker broker, LeaderSide leader) {
        this.b = broker;
        this.t = broker.replicas;
        this.leader = leader;
    }

    /** Partition {@code k} of {@code d} (led partition {@code i}) waits until the high watermark reaches {@code requiredOffset}. */
    void hold(int i, DelayedProduce d, int k, long baseOffset, long requiredOffset, int leaderEpoch, long deadlineNanos) {
        ArrayDeque<PendingProduce> q = waiting.get(i);
        if (q == null) {
            q = new ArrayDeque<>();
            waiting.put(i, q);
        }
        d.remaining++;
        q.addLast(new PendingProduce(d, k, baseOffset, requiredOffset, leaderEpoch, deadlineNanos));
    }

    /** One partition of a delayed produce has its result; the response goes with the last one. */
    void resolved(DelayedProduce d) {
        if (--d.remaining > 0 || d.request.acks() == 0) {
            return;
        }
        ProduceRequest r = d.request;
        b.ctx.send(d.client, new ProduceResponse(r.correlationId(), r.partitions(), d.errors, d.baseOffsets, d.epochs, d.leaders));
    }

    /** Completes acks=all produces the high watermark now covers (docs/model.md#produce-path). */
    void complete(int i) {
        ArrayDeque<PendingProduce> q = waiting.get(i);
        if (q == null) {
            return;
        }
        int p = t.partitions[i];
        long hw = t.highWatermark[i];
        long now = b.ctx.now();
        while (!q.isEmpty() && q.peekFirst().requiredOffset() <= hw) {
            PendingProduce pp = q.pollFirst();
            Errors error;
            if (now > pp.deadlineNanos()) {
                error = Errors.REQUEST_TIMED_OUT;
            } else if (Integer.bitCount(leader.maximalIsrMask(i)) >= b.cluster.minInsyncReplicas(p)) {
                error = Errors.NONE;
                b.observer.ackAllSent(b.brokerId, p, pp.baseOffset(), pp.requiredOffset() - 1);
            } else {
                error = Errors.NOT_ENOUGH_REPLICAS_AFTER_APPEND;
            }
            DelayedProduce d = pp.request();
            d.errors[pp.index()] = error;
            d.baseOffsets[pp.index()] = error == Errors.NONE ? pp.baseOffset() : -1;
            d.epochs[pp.index()] = pp.leaderEpoch();
            resolved(d);
        }
        if (q.isEmpty()) {
            waiting.remove(i);
        }
    }

    /** Partition {@code i} is no longer led: every produce waiting on it fails with {@code error}. */
    void fail(int i, Errors error) {
        ArrayDeque<PendingProduce> q = waiting.remove(i);
        if (q == null) {
            return;
        }
        int p = t.partitions[i];
        for (PendingProduce pp : q) {
            DelayedProduce d = pp.request();
            d.errors[pp.index()] = error;
            d.epochs[pp.index()] = pp.leaderEpoch();
            d.leaders[pp.index()] = error == Errors.NOT_LEADER_OR_FOLLOWER ? b.metadataLeader[p] : -1;
            resolved(d);
        }
    }
}
