package dev.faultline.raft.kraft;

import dev.faultline.core.control.PartitionState;

/**
 * What the quorum controller and the checks read of a metadata image: broker registrations and
 * partition states, each in O(1). Implemented by the committed {@link MetadataImage} and by the
 * active controller's {@link WorkingImage} (committed plus its own uncommitted records).
 */
public interface MetadataView {
    PartitionState partition(int p);

    boolean isRegistered(int brokerId);

    /** Registered and not fenced: may lead and may join an ISR. */
    boolean isActive(int brokerId);

    /** Whether the broker's current registration is in controlled shutdown. */
    boolean inControlledShutdown(int brokerId);

    /** Registered broker epoch, -1 when not registered. */
    long brokerEpoch(int brokerId);

    /** Incarnation id of the current registration (0 when none). */
    long incarnation(int brokerId);

    /** How many partitions name this broker as leader. */
    int leaderCount(int brokerId);

    /** How many partitions of the topics that exist before the run have a PartitionRecord. */
    int initialPartitionsCreated();

    /**
     * Active and not in controlled shutdown: an acceptable leader and a replica that may join an ISR
     * (KIP-841; {@code PartitionChangeBuilder}'s acceptable-leader test).
     */
    default boolean isEligible(int brokerId) {
        return isActive(brokerId) && !inControlledShutdown(brokerId);
    }

    /** Registered and fenced. */
    default boolean isFenced(int brokerId) {
        return isRegistered(brokerId) && !isActive(brokerId);
    }
}
