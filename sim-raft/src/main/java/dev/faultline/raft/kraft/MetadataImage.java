package dev.faultline.raft.kraft;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import java.util.Arrays;

/**
 * The in-memory metadata image built by replaying committed records (Kafka's {@code MetadataImage}):
 * broker registrations (epoch, fenced, controlled shutdown), partition states, and the per-broker
 * count of partitions led (Kafka keeps the equivalent index, {@code BrokersToIsrs}). Arrays indexed
 * by broker id and partition, so iteration order is fixed. The partition states live in a
 * {@link PartitionTable}, which shares its immutable base with snapshots and other images.
 */
public class MetadataImage implements MetadataView {
    private final ClusterSpec cluster;
    /** Registered broker epoch by broker id, -1 when not registered. */
    final long[] brokerEpoch;
    final long[] incarnation;
    final boolean[] fenced;
    /** In controlled shutdown since its registration (KIP-841: not eligible to lead or join an ISR). */
    final boolean[] inControlledShutdown;
    final int[] leaderCount;
    final PartitionTable partitions;
    int initialPartitionsCreated;

    MetadataImage(ClusterSpec cluster) {
        this.cluster = cluster;
        int brokers = cluster.maxBrokerId() + 1;
        brokerEpoch = new long[brokers];
        incarnation = new long[brokers];
        fenced = new boolean[brokers];
        inControlledShutdown = new boolean[brokers];
        leaderCount = new int[brokers];
        partitions = new PartitionTable(cluster.partitionCount());
        Arrays.fill(brokerEpoch, -1);
        Arrays.fill(fenced, true);
    }

    /** A view of {@code base} with copies of its broker state (O(brokers)), for {@link WorkingImage}. */
    MetadataImage(MetadataImage base) {
        this.cluster = base.cluster;
        brokerEpoch = base.brokerEpoch.clone();
        incarnation = base.incarnation.clone();
        fenced = base.fenced.clone();
        inControlledShutdown = base.inControlledShutdown.clone();
        leaderCount = base.leaderCount.clone();
        initialPartitionsCreated = base.initialPartitionsCreated;
        partitions = null;
    }

    /** Applies one record written at {@code offset}; returns the partition state it set, or null. */
    PartitionState apply(long offset, MetadataRecord record) {
        if (record instanceof MetadataRecord.RegisterBroker) {
            MetadataRecord.RegisterBroker r = (MetadataRecord.RegisterBroker) record;
            brokerEpoch[r.brokerId()] = offset;
            incarnation[r.brokerId()] = r.incarnationId();
            fenced[r.brokerId()] = true;
            inControlledShutdown[r.brokerId()] = false;
        } else if (record instanceof MetadataRecord.BrokerControlledShutdown) {
            MetadataRecord.BrokerControlledShutdown r = (MetadataRecord.BrokerControlledShutdown) record;
            if (brokerEpoch[r.brokerId()] == r.brokerEpoch()) {
                inControlledShutdown[r.brokerId()] = true;
            }
        } else if (record instanceof MetadataRecord.BrokerFencing) {
            MetadataRecord.BrokerFencing r = (MetadataRecord.BrokerFencing) record;
            if (brokerEpoch[r.brokerId()] == r.brokerEpoch()) {
                fenced[r.brokerId()] = r.fenced();
            }
        } else if (record instanceof MetadataRecord.PartitionCreation) {
            PartitionState s = ((MetadataRecord.PartitionCreation) record).state();
            PartitionState before = setPartition(offset, s);
            if (before == null && !cluster.createdAtRuntime(s.partition())) {
                initialPartitionsCreated++;
            }
            return s;
        } else if (record instanceof MetadataRecord.PartitionChange) {
            PartitionState s = ((MetadataRecord.PartitionChange) record).state();
            setPartition(offset, s);
            return s;
        } else if (!(record instanceof MetadataRecord.NoOp) && !(record instanceof MetadataRecord.TopicCreation)) {
            throw new IllegalArgumentException("unknown metadata record " + record);
        }
        return null;
    }

    private PartitionState setPartition(long offset, PartitionState s) {
        PartitionState before = partition(s.partition());
        if (before != null && before.hasLeader()) {
            leaderCount[before.leader()]--;
        }
        if (s.hasLeader()) {
            leaderCount[s.leader()]++;
        }
        store(offset, s);
        return before;
    }

    /** Stores a partition's new state, set by the record at {@code offset}. */
    void store(long offset, PartitionState s) {
        partitions.put(s.partition(), s);
    }

    @Override
    public boolean isRegistered(int brokerId) {
        return brokerId >= 0 && brokerId < brokerEpoch.length && brokerEpoch[brokerId] >= 0;
    }

    @Override
    public boolean isActive(int brokerId) {
        return isRegistered(brokerId) && !fenced[brokerId];
    }

    @Override
    public boolean inControlledShutdown(int brokerId) {
        return isRegistered(brokerId) && inControlledShutdown[brokerId];
    }

    @Override
    public long brokerEpoch(int brokerId) {
        return brokerId >= 0 && brokerId < brokerEpoch.length ? brokerEpoch[brokerId] : -1;
    }

    @Override
    public long incarnation(int brokerId) {
        return incarnation[brokerId];
    }

    @Override
    public int leaderCount(int brokerId) {
        return leaderCount[brokerId];
    }

    @Override
    public int initialPartitionsCreated() {
        return initialPartitionsCreated;
    }

    @Override
    public PartitionState partition(int p) {
        return partitions.get(p);
    }

    ClusterSpec cluster() {
        return cluster;
    }
}
