package dev.faultline.raft.kraft;

import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.SimRandom;

/**
 * The metadata records of {@code __cluster_metadata}, reduced as model-spec §C.11 allows:
 * RegisterBroker, BrokerRegistrationChange (fenced/unfenced), Partition, PartitionChange and NoOp
 * (the Raft LeaderChange control record is the quorum's own). A PartitionChange carries the full
 * new partition state instead of a delta (same information, simpler replay). Each record has a
 * deterministic content hash, which the Raft log chains.
 */
public sealed interface MetadataRecord {

    /** A deterministic 64-bit hash of the record's content. */
    long contentHash();

    /** A broker registers; its broker epoch is this record's offset. It starts fenced. */
    record RegisterBroker(int brokerId, long incarnationId) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(SimRandom.mix64(1L + brokerId) ^ incarnationId);
        }
    }

    /** {@code BrokerRegistrationChangeRecord}: the broker (at {@code brokerEpoch}) is fenced or unfenced. */
    record BrokerFencing(int brokerId, long brokerEpoch, boolean fenced) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(SimRandom.mix64(2L + brokerId) ^ brokerEpoch * 31 ^ (fenced ? 7 : 11));
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
    }

    /**
     * {@code BrokerRegistrationChangeRecord} with {@code inControlledShutdown=true}: the broker (at
     * {@code brokerEpoch}) is in controlled shutdown (model-spec §C.12 step 5); until it registers
     * again it may neither lead nor join an ISR (KIP-841).
     */
    record BrokerControlledShutdown(int brokerId, long brokerEpoch) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(SimRandom.mix64(9L + brokerId) ^ brokerEpoch * 37);
        }
    }

    /** {@code PartitionRecord}: a partition is created with this state. */
    record PartitionCreation(PartitionState state) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(3L ^ hash(state));
        }
    }

    /**
     * {@code PartitionChangeRecord}: the partition's new state (leader and/or ISR).
     *
     * @param unclean whether the leader was elected from outside the ISR
     */
    record PartitionChange(PartitionState state, boolean unclean) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(5L ^ hash(state) ^ (unclean ? 13 : 17));
        }
    }

    /** {@code NoOpRecord}, appended every {@code metadata.max.idle.interval.ms} by the active controller. */
    record NoOp(long sequence) implements MetadataRecord {
        @Override
        public long contentHash() {
            return SimRandom.mix64(7L ^ sequence);
        }
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
