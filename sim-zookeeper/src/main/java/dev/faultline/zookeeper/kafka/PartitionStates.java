package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.trace.ContentHash;
import dev.faultline.core.trace.ContentHashed;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.AbstractList;
import java.util.RandomAccess;

/**
 * The partition states of one LeaderAndIsr or UpdateMetadata request, as the controller serialized
 * them when it sent the request: an immutable snapshot kept in int arrays (five ints per partition
 * instead of an object each, so that a full UpdateMetadata of millions of partitions to every broker
 * stays small). {@link #get} builds the {@link PartitionState} on demand.
 */
final class PartitionStates extends AbstractList<PartitionState> implements RandomAccess, ContentHashed {
    private final ClusterSpec cluster;
    private final int[] partition;
    private final int[] leader;
    private final int[] leaderEpoch;
    private final int[] isr;
    private final int[] partitionEpoch;
    /** ISRs without a packed form, by index (rare; null when there are none). */
    private final IntList[] isrText;
    private long sizeBytes;

    private PartitionStates(ClusterSpec cluster, int n, boolean anyText) {
        this.cluster = cluster;
        this.partition = new int[n];
        this.leader = new int[n];
        this.leaderEpoch = new int[n];
        this.isr = new int[n];
        this.partitionEpoch = new int[n];
        this.isrText = anyText ? new IntList[n] : null;
    }

    /** A snapshot of {@code context}'s states of {@code partitions}. */
    static PartitionStates of(ClusterSpec cluster, ControllerContext context, IntList partitions) {
        boolean anyText = false;
        for (int i = 0; i < partitions.size() && !anyText; i++) {
            anyText = context.isrPacked(partitions.getInt(i)) == KafkaZnodes.Isr.NOT_PACKED;
        }
        PartitionStates s = new PartitionStates(cluster, partitions.size(), anyText);
        for (int i = 0; i < partitions.size(); i++) {
            int p = partitions.getInt(i);
            s.partition[i] = p;
            s.leader[i] = context.leader(p);
            s.leaderEpoch[i] = context.leaderEpoch(p);
            s.isr[i] = context.isrPacked(p);
            s.partitionEpoch[i] = context.zkVersion(p);
            if (s.isr[i] == KafkaZnodes.Isr.NOT_PACKED) {
                s.isrText[i] = context.isr(p);
            }
            s.sizeBytes += ControllerRequest.bytesPerPartition(cluster.replicationFactor(p));
        }
        return s;
    }

    @Override
    public PartitionState get(int i) {
        IntList members = isr[i] == KafkaZnodes.Isr.NOT_PACKED ? isrText[i] : KafkaZnodes.Isr.unpack(cluster, partition[i], isr[i]);
        return new PartitionState(partition[i], leader[i], leaderEpoch[i], members, partitionEpoch[i]);
    }

    @Override
    public int size() {
        return partition.length;
    }

    /** The partition of entry {@code i} (no allocation). */
    int partition(int i) {
        return partition[i];
    }

    /** The leader epoch of entry {@code i} (no allocation). */
    int leaderEpoch(int i) {
        return leaderEpoch[i];
    }

    /** For the fingerprint: the arrays as serialized (ISRs packed), without building a state per entry. */
    @Override
    public long contentHash() {
        long h = partition.length;
        for (int i = 0; i < partition.length; i++) {
            h = ContentHash.step(h, partition[i]);
            h = ContentHash.step(h, leader[i]);
            h = ContentHash.step(h, leaderEpoch[i]);
            h = ContentHash.step(h, isr[i]);
            h = ContentHash.step(h, partitionEpoch[i]);
            if (isr[i] == KafkaZnodes.Isr.NOT_PACKED) {
                h = ContentHash.step(h, ContentHash.of(isrText[i]));
            }
        }
        return h;
    }

    /** Bytes of these states in a request. */
    long sizeBytes() {
        return sizeBytes;
    }
}
