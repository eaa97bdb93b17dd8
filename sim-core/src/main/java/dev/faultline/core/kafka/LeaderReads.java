package dev.faultline.core.kafka;

import dev.faultline.core.control.Errors;
import dev.faultline.core.kafka.KafkaMessage.FetchPartition;
import dev.faultline.core.kafka.KafkaMessage.FetchRequest;
import dev.faultline.core.kafka.KafkaMessage.FetchResponse;
import dev.faultline.core.kafka.KafkaMessage.OffsetsForLeaderEpochRequest;
import dev.faultline.core.kafka.KafkaMessage.OffsetsForLeaderEpochResponse;
import dev.faultline.core.kafka.KafkaMessage.PartitionData;
import dev.faultline.core.kernel.NodeId;
import java.util.ArrayList;
import java.util.List;

/**
 * What a partition leader answers without changing anything: consumer fetches (records below the
 * high watermark) and OffsetsForLeaderEpoch lookups from followers that truncate by leader-epoch
 * lineage. The leader's state changes are {@link LeaderSide}'s.
 */
final class LeaderReads {
    private final KafkaBroker b;
    private final ReplicaTable t;
    private final int fetchMaxRecords;
    private final boolean singleRoundEpochLookup;

    LeaderReads(KafkaBroker broker) {
        this.b = broker;
        this.t = broker.replicas;
        this.fetchMaxRecords = Math.max(1, broker.config.getInt("replica.fetch.max.bytes") / KafkaMessage.RECORD_BYTES);
        this.singleRoundEpochLookup = broker.config.getBoolean("replication.singleRoundEpochLookup");
    }

    /**
     * A consumer fetch of one partition: records below the high watermark (read_uncommitted), with
     * KIP-320 fencing and divergence detection when the consumer sends its last fetched epoch.
     * Simplification: no long poll for consumers; they poll on their own timer.
     */
    void onConsumerFetch(NodeId from, FetchRequest r) {
        List<PartitionData> out = new ArrayList<>(r.partitions().size());
        for (FetchPartition fp : r.partitions()) {
            int p = fp.partition();
            int i = t.local(p);
            if (i < 0 || t.role[i] != ReplicaTable.LEADER) {
                out.add(PartitionData.error(p, Errors.NOT_LEADER_OR_FOLLOWER, -1));
                continue;
            }
            int epoch = t.leaderEpoch[i];
            if (fp.currentLeaderEpoch() >= 0 && fp.currentLeaderEpoch() != epoch) {
                out.add(PartitionData.error(p, fp.currentLeaderEpoch() < epoch ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH,
                        epoch));
                continue;
            }
            PartitionLog log = b.store.logForWrite(i);
            long hw = t.highWatermark[i];
            long leo = log.logEndOffset();
            if (fp.lastFetchedEpoch() != KafkaMessage.NO_EPOCH) {
                PartitionLog.EpochEndOffset eo = log.endOffsetFor(fp.lastFetchedEpoch());
                if (eo.endOffset() < 0 || eo.epoch() < fp.lastFetchedEpoch() || eo.endOffset() < fp.fetchOffset()) {
                    out.add(new PartitionData(p, Errors.NONE, epoch, hw, leo, -1, KafkaMessage.EMPTY_IDS, KafkaMessage.EMPTY_EPOCHS,
                            eo.epoch(), Math.max(0, eo.endOffset())));
                    continue;
                }
            }
            if (fp.fetchOffset() > hw) {
                out.add(new PartitionData(p, Errors.OFFSET_OUT_OF_RANGE, epoch, hw, leo, -1, KafkaMessage.EMPTY_IDS,
                        KafkaMessage.EMPTY_EPOCHS, KafkaMessage.NO_EPOCH, -1));
                continue;
            }
            int count = (int) Math.min(hw - fp.fetchOffset(), fetchMaxRecords);
            long[] ids = new long[count];
            int[] epochs = new int[count];
            for (int k = 0; k < count; k++) {
                ids[k] = log.id(fp.fetchOffset() + k);
                epochs[k] = log.epoch(fp.fetchOffset() + k);
            }
            if (count > 0) {
                b.observer.servedConsumer(b.brokerId, p, fp.fetchOffset() + count);
            }
            out.add(new PartitionData(p, Errors.NONE, epoch, hw, leo, fp.fetchOffset(), ids, epochs, KafkaMessage.NO_EPOCH, -1));
        }
        b.ctx.work(b.partitionCostNanos * Math.max(1, out.size()));
        b.ctx.send(from, new FetchResponse(r.requestId(), out));
    }

    /**
     * OffsetsForLeaderEpoch: KIP-279 answers (largest epoch at or below the requested one, its end
     * offset); with planted bug {@code replication.singleRoundEpochLookup}, the KIP-101 answer (only
     * the start offset of the first larger epoch, or the log end).
     */
    void onOffsetsForLeaderEpoch(NodeId from, OffsetsForLeaderEpochRequest r) {
        int p = r.partition();
        int i = t.local(p);
        b.ctx.work(b.partitionCostNanos);
        if (i < 0 || t.role[i] != ReplicaTable.LEADER) {
            b.ctx.send(from, new OffsetsForLeaderEpochResponse(p, Errors.NOT_LEADER_OR_FOLLOWER, r.currentLeaderEpoch(), -1, -1));
            return;
        }
        if (r.currentLeaderEpoch() != t.leaderEpoch[i]) {
            Errors e = r.currentLeaderEpoch() < t.leaderEpoch[i] ? Errors.FENCED_LEADER_EPOCH : Errors.UNKNOWN_LEADER_EPOCH;
            b.ctx.send(from, new OffsetsForLeaderEpochResponse(p, e, r.currentLeaderEpoch(), -1, -1));
            return;
        }
        PartitionLog log = b.store.logForWrite(i);
        if (singleRoundEpochLookup) {
            b.ctx.send(from, new OffsetsForLeaderEpochResponse(p, Errors.NONE, r.currentLeaderEpoch(), KafkaMessage.NO_EPOCH,
                    log.singleRoundEndOffsetFor(r.leaderEpoch())));
        } else {
            PartitionLog.EpochEndOffset eo = log.endOffsetFor(r.leaderEpoch());
            b.ctx.send(from, new OffsetsForLeaderEpochResponse(p, Errors.NONE, r.currentLeaderEpoch(), eo.epoch(), eo.endOffset()));
        }
    }
}
