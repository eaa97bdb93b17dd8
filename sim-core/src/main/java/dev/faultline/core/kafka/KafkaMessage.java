package dev.faultline.core.kafka;

import dev.faultline.core.control.Errors;
import dev.faultline.core.kernel.Message;
import java.util.List;

/**
 * The data-plane protocol between clients and brokers and between brokers (Produce, Fetch,
 * OffsetsForLeaderEpoch, Metadata). Records carry record ids, not payloads
 * (docs/model.md#replica-state); sizes assume {@link #RECORD_BYTES} per record.
 */
public sealed interface KafkaMessage extends Message {
    /** Modelled wire size of one record (key, value, headers, batch overhead shared). */
    int RECORD_BYTES = 100;

    /** Kafka's UNDEFINED_EPOCH. */
    int NO_EPOCH = -1;

    /**
     * A produce request to one broker: one batch for each of several partitions (the batches the
     * producer's sender drained for that broker). {@code acks} is 0, 1 or -1 (all);
     * {@code recordBytes} the size of one record, for the wire size.
     */
    record ProduceRequest(long correlationId, int acks, long timeoutNanos, int[] partitions, long[][] recordIds, int recordBytes)
            implements KafkaMessage {
        @Override
        public int sizeBytes() {
            long size = 64;
            for (long[] batch : recordIds) {
                size += 61 + (long) batch.length * recordBytes;
            }
            return (int) Math.min(Integer.MAX_VALUE, size);
        }
    }

    /**
     * The answer to a produce request, per partition in request order: the error, the batch's base
     * offset and the leader epoch it was appended in, and (KIP-951, Kafka 3.7+) with
     * NOT_LEADER_OR_FOLLOWER the leader the broker's metadata cache names, or -1.
     */
    record ProduceResponse(long correlationId, int[] partitions, Errors[] errors, long[] baseOffsets, int[] leaderEpochs,
                           int[] currentLeaders) implements KafkaMessage {
        @Override
        public int sizeBytes() {
            return 64 + partitions.length * 24;
        }
    }

    /**
     * One partition of a fetch request.
     *
     * @param currentLeaderEpoch KIP-320 fencing
     * @param fetchOffset the fetcher's log end offset (followers) or position (consumers)
     * @param lastFetchedEpoch epoch of the last fetched record, for truncation on fetch (KAFKA-10554);
     *        {@link #NO_EPOCH} to skip the divergence check (older protocols)
     */
    record FetchPartition(int partition, int currentLeaderEpoch, long fetchOffset, int lastFetchedEpoch) {
    }

    /**
     * A fetch. Followers ({@code replicaId >= 0}) use incremental sessions (KIP-227): a request with
     * {@code full} replaces the session; otherwise it lists only partitions whose fetch state changed,
     * and {@code removed} those that left. Consumers send {@code replicaId = -1}, no session.
     */
    record FetchRequest(int replicaId, long brokerEpoch, long requestId, boolean full, List<FetchPartition> partitions, int[] removed)
            implements KafkaMessage {
        @Override
        public int sizeBytes() {
            return 64 + partitions.size() * 24 + removed.length * 4;
        }
    }

    /**
     * One partition of a fetch response: records {@code [baseOffset, baseOffset + ids.length)} with
     * their leader epochs, the leader's high watermark and log end offset, or an error, or a diverging
     * epoch ({@code divergingEpoch >= 0} or {@code divergingEndOffset >= 0}: truncate first).
     */
    record PartitionData(int partition, Errors error, int leaderEpoch, long highWatermark, long logEndOffset, long baseOffset,
                         long[] ids, int[] epochs, int divergingEpoch, long divergingEndOffset) {
        public boolean diverging() {
            return divergingEndOffset >= 0;
        }

        static PartitionData error(int partition, Errors error, int leaderEpoch) {
            return new PartitionData(partition, error, leaderEpoch, -1, -1, -1, EMPTY_IDS, EMPTY_EPOCHS, NO_EPOCH, -1);
        }
    }

    long[] EMPTY_IDS = new long[0];
    int[] EMPTY_EPOCHS = new int[0];

    /** Fetch response; {@code requestId} echoes the request. */
    record FetchResponse(long requestId, List<PartitionData> partitions) implements KafkaMessage {
        @Override
        public int sizeBytes() {
            int size = 64;
            for (PartitionData d : partitions) {
                size += 32 + d.ids().length * RECORD_BYTES;
            }
            return size;
        }
    }

    /** OffsetsForLeaderEpoch (KIP-101): the end offset of {@code leaderEpoch} in the leader's log. */
    record OffsetsForLeaderEpochRequest(int replicaId, int partition, int currentLeaderEpoch, int leaderEpoch) implements KafkaMessage {
    }

    /** Answer: the epoch found and its end offset (KIP-279), or only the end offset (KIP-101, epoch -1). */
    record OffsetsForLeaderEpochResponse(int partition, Errors error, int currentLeaderEpoch, int leaderEpoch, long endOffset)
            implements KafkaMessage {
    }

    /** Metadata for some partitions. */
    record MetadataRequest(long correlationId, int[] partitions) implements KafkaMessage {
        @Override
        public int sizeBytes() {
            return 64 + partitions.length * 4;
        }
    }

    /** Leaders and leader epochs of the requested partitions, from the broker's metadata cache (-1: unknown). */
    record MetadataResponse(long correlationId, int[] partitions, int[] leaders, int[] leaderEpochs) implements KafkaMessage {
        @Override
        public int sizeBytes() {
            return 64 + partitions.length * 12;
        }
    }
}
