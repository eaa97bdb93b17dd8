package dev.faultline.core.kafka;

import java.util.Arrays;

/**
 * The volatile replica state of one broker, in primitive arrays indexed by the broker's local
 * partition index (no object per idle replica, docs/model.md#replica-state). Leaders also get a
 * {@link LeaderState}. Partition states come from the control plane; the high watermark from the
 * leader (docs/model.md#replica-state).
 */
final class ReplicaTable {
    static final byte OFFLINE = 0;
    static final byte LEADER = 1;
    static final byte FOLLOWER = 2;

    /** The follower fetched successfully from its leader in the current leader epoch (its HW is the leader's lineage). */
    static final byte VALIDATED = 1;
    /** Waiting for an OffsetsForLeaderEpoch answer before fetching (planted bug singleRoundEpochLookup). */
    static final byte AWAITING_EPOCH_LOOKUP = 2;
    /** In the fetcher of its leader. */
    static final byte FETCHING = 4;

    final int[] partitions;
    final byte[] role;
    final byte[] flags;
    final int[] leader;
    final int[] leaderEpoch;
    final int[] partitionEpoch;
    /** ISR as a bit mask over the partition's assignment positions. */
    final int[] isrMask;
    final long[] highWatermark;
    final LeaderState[] leaderStates;

    ReplicaTable(int[] partitions) {
        this.partitions = partitions;
        int n = partitions.length;
        role = new byte[n];
        flags = new byte[n];
        leader = new int[n];
        leaderEpoch = new int[n];
        partitionEpoch = new int[n];
        isrMask = new int[n];
        highWatermark = new long[n];
        leaderStates = new LeaderState[n];
        Arrays.fill(leader, -1);
        Arrays.fill(leaderEpoch, -1);
        Arrays.fill(partitionEpoch, -1);
    }

    int size() {
        return partitions.length;
    }

    /** The local index of a global partition, or a negative number when not hosted. */
    int local(int partition) {
        return Arrays.binarySearch(partitions, partition);
    }

    boolean hasFlag(int local, byte flag) {
        return (flags[local] & flag) != 0;
    }

    void setFlag(int local, byte flag, boolean on) {
        flags[local] = (byte) (on ? flags[local] | flag : flags[local] & ~flag);
    }
}
