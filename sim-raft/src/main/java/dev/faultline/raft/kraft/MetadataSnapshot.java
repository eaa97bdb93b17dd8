package dev.faultline.raft.kraft;

import dev.faultline.core.control.PartitionState;

/**
 * The image a KRaft snapshot holds (what {@code SnapshotGenerator} writes from a
 * {@code MetadataImage}): broker registrations and every partition's state. Immutable; the
 * partition array is shared with the image that froze it and with every node that holds the same
 * snapshot. {@code sizeBytes} and {@code recordCount} are those of the records Kafka would write for
 * this image: one {@code RegisterBrokerRecord} per broker, one {@code TopicRecord} per topic and
 * one {@code PartitionRecord} per partition.
 */
final class MetadataSnapshot {
    final PartitionState[] partitions;
    final long[] brokerEpoch;
    final long[] incarnation;
    final boolean[] fenced;
    final boolean[] inControlledShutdown;
    final int[] leaderCount;
    final boolean[] topicCreated;
    final int initialPartitionsCreated;
    final long imageBytes;
    final long recordCount;

    MetadataSnapshot(PartitionState[] partitions, long[] brokerEpoch, long[] incarnation, boolean[] fenced,
            boolean[] inControlledShutdown, int[] leaderCount, boolean[] topicCreated, int initialPartitionsCreated, long imageBytes,
            long recordCount) {
        this.partitions = partitions;
        this.brokerEpoch = brokerEpoch;
        this.incarnation = incarnation;
        this.fenced = fenced;
        this.inControlledShutdown = inControlledShutdown;
        this.leaderCount = leaderCount;
        this.topicCreated = topicCreated;
        this.initialPartitionsCreated = initialPartitionsCreated;
        this.imageBytes = imageBytes;
        this.recordCount = recordCount;
    }

    /**
     * The snapshot file's size: the records, a batch header per 8 MiB batch, and the
     * {@code SnapshotHeaderRecord} and {@code SnapshotFooterRecord} control batches.
     */
    long fileBytes() {
        long batches = 1 + imageBytes / dev.faultline.raft.quorum.LogEntry.MAX_BATCH_SIZE_BYTES;
        return imageBytes + batches * dev.faultline.raft.quorum.LogEntry.BATCH_HEADER_BYTES + 2 * (dev.faultline.raft.quorum.LogEntry.BATCH_HEADER_BYTES + 20);
    }
}
