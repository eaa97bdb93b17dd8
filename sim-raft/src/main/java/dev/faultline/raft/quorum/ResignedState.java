package dev.faultline.raft.quorum;

/**
 * A former leader of this epoch (after check-quorum, a graceful resignation, or a restart of a node
 * that led the persisted epoch). It never votes or leads again in this epoch; it waits for the next
 * leader or its election timeout.
 */
public record ResignedState(int epoch, int selfId) implements EpochState {
    @Override
    public ElectionState election() {
        return new ElectionState(epoch, selfId, selfId);
    }

    @Override
    public Kind kind() {
        return Kind.RESIGNED;
    }

    @Override
    public String toString() {
        return "Resigned(epoch=" + epoch + ")";
    }
}
