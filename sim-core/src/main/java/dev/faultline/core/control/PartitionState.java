package dev.faultline.core.control;

import it.unimi.dsi.fastutil.ints.IntImmutableList;
import it.unimi.dsi.fastutil.ints.IntList;

/**
 * Leadership and ISR of one partition as the control plane decided it (ZooKeeper's
 * {@code /brokers/topics/T/partitions/P/state}, KRaft's {@code PartitionRecord} /
 * {@code PartitionChangeRecord}, the oracle's table). Immutable.
 *
 * @param partition the global partition ({@link ClusterSpec})
 * @param leader the leader's broker id, or {@link LeaderElection#NO_LEADER}
 * @param leaderEpoch bumped on every leader change (and, in ZooKeeper mode, on controller-initiated ISR changes)
 * @param isr the in-sync replicas (broker ids); never empty in the modelled protocol versions
 * @param partitionEpoch bumped on every change of this state ({@code partition_epoch} in KRaft,
 *        the znode version in ZooKeeper mode); AlterPartition requests must quote it
 */
public record PartitionState(int partition, int leader, int leaderEpoch, IntList isr, int partitionEpoch) {
    public PartitionState {
        isr = IntImmutableList.of(isr.toIntArray());
    }

    public static PartitionState of(int partition, int leader, int leaderEpoch, int[] isr, int partitionEpoch) {
        return new PartitionState(partition, leader, leaderEpoch, IntImmutableList.of(isr), partitionEpoch);
    }

    public boolean hasLeader() {
        return leader != LeaderElection.NO_LEADER;
    }

    public boolean inIsr(int brokerId) {
        return isr.contains(brokerId);
    }

    /** The same partition with a new leader (leader epoch + 1, partition epoch + 1). */
    public PartitionState withLeader(int newLeader, IntList newIsr) {
        return new PartitionState(partition, newLeader, leaderEpoch + 1, newIsr, partitionEpoch + 1);
    }

    /** The same leader with a new ISR (partition epoch + 1; the leader epoch stays, as AlterPartition does). */
    public PartitionState withIsr(IntList newIsr) {
        return new PartitionState(partition, leader, leaderEpoch, newIsr, partitionEpoch + 1);
    }

    @Override
    public String toString() {
        return "P" + partition + "{leader=" + leader + ", leaderEpoch=" + leaderEpoch + ", isr=" + isr + ", partitionEpoch=" + partitionEpoch + "}";
    }
}
