package dev.faultline.raft.kraft;

import dev.faultline.core.control.PartitionState;
import java.util.Arrays;

/**
 * The in-memory metadata image built by replaying committed records (Kafka's {@code MetadataImage}):
 * broker registrations (epoch, fenced) and partition states. Arrays indexed by broker id and
 * partition, so iteration order is fixed.
 */
public final class MetadataImage {
    /** Registered broker epoch by broker id, -1 when not registered. */
    final long[] brokerEpoch;
    final long[] incarnation;
    final boolean[] fenced;
    /** In controlled shutdown since its registration (KIP-841: not eligible to lead or join an ISR). */
    final boolean[] inControlledShutdown;
    final PartitionState[] partitions;
    boolean partitionsCreated;

    MetadataImage(int maxBrokerId, int partitionCount) {
        brokerEpoch = new long[maxBrokerId + 1];
        incarnation = new long[maxBrokerId + 1];
        fenced = new boolean[maxBrokerId + 1];
        inControlledShutdown = new boolean[maxBrokerId + 1];
        partitions = new PartitionState[partitionCount];
        Arrays.fill(brokerEpoch, -1);
        Arrays.fill(fenced, true);
    }

    private MetadataImage(MetadataImage o) {
        brokerEpoch = o.brokerEpoch.clone();
        incarnation = o.incarnation.clone();
        fenced = o.fenced.clone();
        inControlledShutdown = o.inControlledShutdown.clone();
        partitions = o.partitions.clone();
        partitionsCreated = o.partitionsCreated;
    }

    MetadataImage copy() {
        return new MetadataImage(this);
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
            partitions[s.partition()] = s;
            partitionsCreated = true;
            return s;
        } else if (record instanceof MetadataRecord.PartitionChange) {
            PartitionState s = ((MetadataRecord.PartitionChange) record).state();
            partitions[s.partition()] = s;
            return s;
        } else if (!(record instanceof MetadataRecord.NoOp) && !(record instanceof MetadataRecord.TopicCreation)) {
            throw new IllegalArgumentException("unknown metadata record " + record);
        }
        return null;
    }

    public boolean isRegistered(int brokerId) {
        return brokerId >= 0 && brokerId < brokerEpoch.length && brokerEpoch[brokerId] >= 0;
    }

    /** Registered and not fenced: may lead and may join an ISR. */
    public boolean isActive(int brokerId) {
        return isRegistered(brokerId) && !fenced[brokerId];
    }

    /** Whether the broker's current registration is in controlled shutdown. */
    public boolean inControlledShutdown(int brokerId) {
        return isRegistered(brokerId) && inControlledShutdown[brokerId];
    }

    /**
     * Active and not in controlled shutdown: an acceptable leader and a replica that may join an ISR
     * (KIP-841; {@code PartitionChangeBuilder}'s acceptable-leader test).
     */
    public boolean isEligible(int brokerId) {
        return isActive(brokerId) && !inControlledShutdown[brokerId];
    }

    public long brokerEpoch(int brokerId) {
        return brokerId >= 0 && brokerId < brokerEpoch.length ? brokerEpoch[brokerId] : -1;
    }

    public PartitionState partition(int p) {
        return partitions[p];
    }
}
