package dev.faultline.raft.kraft;

import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.SimRandom;

/**
 * The metadata records of {@code __cluster_metadata}, reduced as docs/model.md#metadata-records
 * allows: RegisterBroker, BrokerRegistrationChange (fenced/unfenced), Partition, PartitionChange
 * and NoOp (the Raft LeaderChange control record is the quorum's own). A PartitionChange carries
 * the full new partition state instead of a delta (same information, simpler replay). Each record
 * has a deterministic content hash, which the Raft log chains.
 *
 * <p>Each record has the size Kafka's serialization gives it ({@link #sizeBytes}): the v2 record
 * framing inside a batch ({@value #RECORD_FRAMING_BYTES} bytes: length, attributes, timestamp and
 * offset deltas, key and value lengths, header count), the {@code ApiMessageAndVersion} frame
 * ({@value #MESSAGE_FRAME_BYTES} bytes: frame version, record type, version) and the message
 * body from {@code metadata/src/main/resources/common/metadata/*.json} at the current versions
 * (flexible versions: compact arrays, tagged fields). So fetch limits, transfer times and the
 * snapshot triggers (bytes since the last snapshot) see realistic byte counts; the content hash,
 * not the bytes, is what the log chains.
 */
public sealed interface MetadataRecord {
    /** v2 record framing around a value inside a batch (varints at their usual one-byte sizes). */
    int RECORD_FRAMING_BYTES = 8;
    /** {@code MetadataRecordSerde}: frame version, record type and version varints. */
    int MESSAGE_FRAME_BYTES = 3;
    /** Both. */
    int OVERHEAD_BYTES = RECORD_FRAMING_BYTES + MESSAGE_FRAME_BYTES;

    /** A deterministic 64-bit hash of the record's content. */
    long contentHash();

    /** Serialized size inside a record batch (without the batch header). */
    int sizeBytes();

    /**
     * A broker registers; its broker epoch is this record's offset. It starts fenced.
     * {@code RegisterBrokerRecord} v3: id, migrating flag, incarnation UUID, epoch, one PLAINTEXT
     * endpoint with a host name of about 20 characters, two features ({@code metadata.version},
     * {@code kraft.version}), a short rack, fenced and controlled-shutdown flags, one log dir:
     * 137 bytes of body.
     */
    record RegisterBroker(int brokerId, long incarnationId) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(SimRandom.mix64(1L + brokerId) ^ incarnationId);
        }

        @Override
        public int sizeBytes() {
            return OVERHEAD_BYTES + 137;
        }
    }

    /** {@code BrokerRegistrationChangeRecord}: the broker (at {@code brokerEpoch}) is fenced or unfenced. */
    record BrokerFencing(int brokerId, long brokerEpoch, boolean fenced) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(SimRandom.mix64(2L + brokerId) ^ brokerEpoch * 31 ^ (fenced ? 7 : 11));
        }

        /** Broker id, epoch, one tagged field (Fenced). */
        @Override
        public int sizeBytes() {
            return OVERHEAD_BYTES + 4 + 8 + 1 + 3;
        }
    }

    /**
     * {@code TopicRecord}: a topic created at runtime comes to exist (its {@link PartitionCreation}
     * records follow in the same batch). Topics created before the run have none (simplification).
     */
    record TopicCreation(String topic) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(9L ^ topic.hashCode());
        }

        /** Name (compact string), topic id (UUID), no tagged fields. */
        @Override
        public int sizeBytes() {
            return OVERHEAD_BYTES + 1 + topic.length() + 16 + 1;
        }
    }

    /**
     * {@code BrokerRegistrationChangeRecord} with {@code inControlledShutdown=true}: the broker (at
     * {@code brokerEpoch}) is in controlled shutdown (docs/model.md#controlled-shutdown); until it
     * registers again it may neither lead nor join an ISR (KIP-841).
     */
    record BrokerControlledShutdown(int brokerId, long brokerEpoch) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(SimRandom.mix64(9L + brokerId) ^ brokerEpoch * 37);
        }

        /** Broker id, epoch, one tagged field (InControlledShutdown). */
        @Override
        public int sizeBytes() {
            return OVERHEAD_BYTES + 4 + 8 + 1 + 3;
        }
    }

    /** {@code PartitionRecord}: a partition is created with this state. */
    record PartitionCreation(PartitionState state) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(3L ^ hash(state));
        }

        /**
         * {@code PartitionRecord} v1: partition id, topic id, replicas, ISR, empty removing and
         * adding replicas, leader, leader epoch, partition epoch, one directory UUID per replica,
         * tagged fields: {@code 38 + 20·replicas + 4·isr} bytes. The model's record carries the ISR
         * only; the replica count is taken as the ISR's size (equal unless a replica was fenced at
         * creation).
         */
        @Override
        public int sizeBytes() {
            return partitionRecordBytes(state.isr().size(), state.isr().size());
        }
    }

    /**
     * {@code PartitionChangeRecord}: the partition's new state (leader and/or ISR).
     *
     * @param unclean whether the leader was elected from outside the ISR
     * @param leaderChanged whether the record names a new leader (Kafka writes the Leader field only then)
     */
    record PartitionChange(PartitionState state, boolean unclean, boolean leaderChanged) implements MetadataRecord {
        /** A change that names a (new) leader. */
        public PartitionChange(PartitionState state, boolean unclean) {
            this(state, unclean, true);
        }

        @Override
        public long contentHash() {
            return SimRandom.mix64(5L ^ hash(state) ^ (unclean ? 13 : 17));
        }

        /** Partition id, topic id, tagged fields: ISR (compact array) and, when it changed, Leader. */
        @Override
        public int sizeBytes() {
            return bytes(state.isr().size(), leaderChanged);
        }

        /** The size of a PartitionChange whose ISR has {@code isrSize} members. */
        public static int bytes(int isrSize, boolean leaderChanged) {
            return OVERHEAD_BYTES + 4 + 16 + 1 + (2 + 1 + 4 * isrSize) + (leaderChanged ? 6 : 0);
        }
    }

    /** {@code NoOpRecord}, appended every {@code metadata.max.idle.interval.ms} by the active controller. */
    record NoOp(long sequence) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(7L ^ sequence);
        }

        /** No fields: the tagged-field count only. */
        @Override
        public int sizeBytes() {
            return OVERHEAD_BYTES + 1;
        }
    }

    /** A {@code PartitionRecord} (v1) of a partition with this many replicas and ISR members. */
    static int partitionRecordBytes(int replicas, int isr) {
        return OVERHEAD_BYTES + 38 + 20 * replicas + 4 * isr;
    }

    private static long hash(PartitionState s) {
        long h = SimRandom.mix64(s.partition() + 0x100L);
        h = SimRandom.mix64(h ^ s.leader());
        h = SimRandom.mix64(h ^ s.leaderEpoch());
        h = SimRandom.mix64(h ^ s.partitionEpoch());
        for (int i = 0; i < s.isr().size(); i++) {
            h = SimRandom.mix64(h ^ s.isr().getInt(i));
        }
        return h;
    }
}
