package dev.faultline.core.control;

/**
 * A read-only view of the authoritative partition states of a control plane: ZooKeeper's
 * partition-state znodes, the KRaft committed metadata image, the oracle's table. Invariants, fault
 * targets ({@code leader-of(orders-0)}) and failover measurement read it; protocol code never does.
 */
public interface PartitionStateView {
    /** The committed state of a partition, or {@code null} before the partition exists. */
    PartitionState state(int partition);

    /** The committed leader of a partition, or {@link LeaderElection#NO_LEADER}. Cheap. */
    default int leader(int partition) {
        PartitionState s = state(partition);
        return s == null ? LeaderElection.NO_LEADER : s.leader();
    }
}
