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
    /** Topics with a partition (a snapshot writes a TopicRecord for each). */
    final boolean[] topicCreated;
    /** Bytes and records of the image as a snapshot writes it (kept as records are applied). */
    long imageBytes;
    long recordCount;

    public MetadataImage(ClusterSpec cluster) {
        this.cluster = cluster;
        int brokers = cluster.maxBrokerId() + 1;
        brokerEpoch = new long[brokers];
        incarnation = new long[brokers];
        fenced = new boolean[brokers];
        inControlledShutdown = new boolean[brokers];
        leaderCount = new int[brokers];
        partitions = new PartitionTable(cluster.partitionCount());
        topicCreated = new boolean[cluster.topics().size()];
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
        topicCreated = base.topicCreated.clone();
        imageBytes = base.imageBytes;
        recordCount = base.recordCount;
        partitions = null;
    }

    /** The image as a snapshot (freezes the partition array: shared, never written again). */
    MetadataSnapshot toSnapshot() {
        return new MetadataSnapshot(partitions.freeze(), brokerEpoch.clone(), incarnation.clone(), fenced.clone(),
                inControlledShutdown.clone(), leaderCount.clone(), topicCreated.clone(), initialPartitionsCreated, imageBytes, recordCount);
    }

    /** Replaces everything with a snapshot's image (its partition array is shared, not copied). */
    void load(MetadataSnapshot s) {
        partitions.reset(s.partitions);
        System.arraycopy(s.brokerEpoch, 0, brokerEpoch, 0, brokerEpoch.length);
        System.arraycopy(s.incarnation, 0, incarnation, 0, incarnation.length);
        System.arraycopy(s.fenced, 0, fenced, 0, fenced.length);
        System.arraycopy(s.inControlledShutdown, 0, inControlledShutdown, 0, inControlledShutdown.length);
        System.arraycopy(s.leaderCount, 0, leaderCount, 0, leaderCount.length);
        System.arraycopy(s.topicCreated, 0, topicCreated, 0, topicCreated.length);
        initialPartitionsCreated = s.initialPartitionsCreated;
        imageBytes = s.imageBytes;
        recordCount = s.recordCount;
    }

    /** Reads the partition array of an equal snapshot instead of its own (the simulator shares equal data). */
    void share(MetadataSnapshot equal) {
        partitions.reset(equal.partitions);
    }

    /** Applies one record written at {@code offset}; returns the partition state it set, or null. */
    public PartitionState apply(long offset, MetadataRecord record) {
        if (record instanceof MetadataRecord.RegisterBroker) {
            MetadataRecord.RegisterBroker r = (MetadataRecord.RegisterBroker) record;
            if (brokerEpoch[r.brokerId()] < 0) {
                imageBytes += r.sizeBytes();
                recordCount++;
            }
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
        int replicas = cluster.replicationFactor(s.partition());
        if (before == null) {
            recordCount++;
            int t = cluster.topicOf(s.partition());
            if (!topicCreated[t]) {
                topicCreated[t] = true;
                imageBytes += new MetadataRecord.TopicCreation(cluster.topics().get(t).name()).sizeBytes();
                recordCount++;
            }
        } else {
            imageBytes -= MetadataRecord.partitionRecordBytes(replicas, before.isr().size());
        }
        imageBytes += MetadataRecord.partitionRecordBytes(replicas, s.isr().size());
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
