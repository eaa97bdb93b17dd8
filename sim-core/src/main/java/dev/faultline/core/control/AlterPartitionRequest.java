package dev.faultline.core.control;

import it.unimi.dsi.fastutil.ints.IntImmutableList;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.longs.LongImmutableList;
import it.unimi.dsi.fastutil.longs.LongList;

/**
 * A partition leader asks the control plane to change the ISR of one partition (AlterPartition,
 * KIP-497; in ZooKeeper mode before 2.7 a direct znode write — the ZooKeeper module decides which).
 *
 * @param leaderId the requesting leader
 * @param leaderBrokerEpoch the leader's broker epoch
 * @param partition the global partition
 * @param leaderEpoch the leader epoch the leader is in; a stale one is rejected with FENCED_LEADER_EPOCH
 * @param newIsr the proposed ISR
 * @param newIsrBrokerEpochs the broker epoch of each proposed member, as the leader last saw it in
 *        that follower's fetches (KIP-903; -1 when unknown)
 * @param partitionEpoch the partition epoch the proposal is based on; a stale one is rejected with
 *        INVALID_UPDATE_VERSION
 */
public record AlterPartitionRequest(int leaderId, long leaderBrokerEpoch, int partition, int leaderEpoch, IntList newIsr,
                                    LongList newIsrBrokerEpochs, int partitionEpoch) {
    public AlterPartitionRequest {
        newIsr = IntImmutableList.of(newIsr.toIntArray());
        newIsrBrokerEpochs = LongImmutableList.of(newIsrBrokerEpochs.toLongArray());
        if (newIsr.size() != newIsrBrokerEpochs.size()) {
            throw new IllegalArgumentException("newIsr " + newIsr + " and broker epochs " + newIsrBrokerEpochs + " differ in size");
        }
    }
}
