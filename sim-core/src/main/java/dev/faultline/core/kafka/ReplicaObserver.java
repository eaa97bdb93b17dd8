package dev.faultline.core.kafka;

/**
 * Omniscient hooks the broker calls at the moments the data-plane invariants (DP-*, listed in
 * docs/invariants.md) care about. Implemented by {@link DataPlaneChecker}; pure observation:
 * implementations never change broker state, and brokers never read anything back.
 */
interface ReplicaObserver {
    /** The replica's log or high watermark changed (append, truncation, HW move, role change). */
    void touched(int brokerId, int partition);

    /** The broker became leader of the partition at {@code leaderEpoch}. */
    void becameLeader(int brokerId, int partition, int leaderEpoch);

    /** The replica truncated its log from {@code oldEndOffset} to {@code newEndOffset}; its HW was {@code highWatermarkBefore}. */
    void truncated(int brokerId, int partition, long oldEndOffset, long newEndOffset, long highWatermarkBefore, String reason);

    /** A power loss cut the replica's log (unflushed page cache lost). */
    void powerLossCut(int brokerId, int partition, long oldEndOffset, long newEndOffset);

    /** The leader is about to send an acks=all success for its records {@code baseOffset} to {@code lastOffset}. */
    void ackAllSent(int brokerId, int partition, long baseOffset, long lastOffset);

    /**
     * The leader proposes (AlterPartition) an ISR that adds {@code replica}, whose last fetch it saw
     * came from the incarnation with broker epoch {@code replicaBrokerEpoch} at {@code replicaFetchOffset}.
     */
    void isrExpansionProposed(int brokerId, int partition, int replica, long replicaBrokerEpoch, long replicaFetchOffset);

    /** The leader applied a committed ISR change that added {@code replica}. */
    void isrExpanded(int brokerId, int partition, int replica);

    /** The leader gave a consumer records up to {@code endOffsetExclusive}. */
    void servedConsumer(int brokerId, int partition, long endOffsetExclusive);

    /** Does nothing. */
    ReplicaObserver NONE = new ReplicaObserver() {
        @Override
        public void touched(int brokerId, int partition) {
        }

        @Override
        public void becameLeader(int brokerId, int partition, int leaderEpoch) {
        }

        @Override
        public void truncated(int brokerId, int partition, long oldEndOffset, long newEndOffset, long highWatermarkBefore, String reason) {
        }

        @Override
        public void powerLossCut(int brokerId, int partition, long oldEndOffset, long newEndOffset) {
        }

        @Override
        public void ackAllSent(int brokerId, int partition, long baseOffset, long lastOffset) {
        }

        @Override
        public void isrExpansionProposed(int brokerId, int partition, int replica, long replicaBrokerEpoch, long replicaFetchOffset) {
        }

        @Override
        public void isrExpanded(int brokerId, int partition, int replica) {
        }

        @Override
        public void servedConsumer(int brokerId, int partition, long endOffsetExclusive) {
        }
    };
}
