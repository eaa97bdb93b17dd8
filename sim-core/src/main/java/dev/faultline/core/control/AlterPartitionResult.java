package dev.faultline.core.control;

/**
 * The control plane's answer to an {@link AlterPartitionRequest}.
 *
 * @param partition the global partition
 * @param error {@link Errors#NONE} when the change was committed
 * @param state the partition state now in force (the committed change, or the current state the
 *        leader should adopt); {@code null} when the control plane cannot say
 */
public record AlterPartitionResult(int partition, Errors error, PartitionState state) {
}
