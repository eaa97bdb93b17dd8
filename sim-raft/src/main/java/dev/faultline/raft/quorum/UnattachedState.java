package dev.faultline.raft.quorum;

/**
 * Knows the epoch but follows no leader; may hold this epoch's vote ({@code votedId}). Voters time
 * out into an election; observers keep looking for the leader.
 */
public record UnattachedState(int epoch, int votedId) implements EpochState {
    @Override
    public ElectionState election() {
        return new ElectionState(epoch, votedId, ElectionState.NONE);
    }

    @Override
    public Kind kind() {
        return Kind.UNATTACHED;
    }

    public boolean hasVoted() {
        return votedId != ElectionState.NONE;
    }

    @Override
    public String toString() {
        return "Unattached(epoch=" + epoch + (hasVoted() ? ", votedId=" + votedId : "") + ")";
    }
}
