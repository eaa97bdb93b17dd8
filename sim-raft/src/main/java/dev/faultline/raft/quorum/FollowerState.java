package dev.faultline.raft.quorum;

/**
 * Follows {@code leaderId} in this epoch and fetches from it. {@code hasFetchedSuccessfully} is the
 * KIP-996 condition under which a follower rejects pre-votes (KAFKA-17641: a follower that learned
 * of its leader only indirectly and never fetched from it may grant).
 */
public final class FollowerState implements EpochState {
    private final int epoch;
    private final int leaderId;
    private final int votedId;
    private boolean hasFetchedSuccessfully;

    FollowerState(int epoch, int leaderId, int votedId) {
        this.epoch = epoch;
        this.leaderId = leaderId;
        this.votedId = votedId;
    }

    @Override
    public int epoch() {
        return epoch;
    }

    public int leaderId() {
        return leaderId;
    }

    @Override
    public ElectionState election() {
        return new ElectionState(epoch, votedId, leaderId);
    }

    @Override
    public Kind kind() {
        return Kind.FOLLOWER;
    }

    public boolean hasFetchedSuccessfully() {
        return hasFetchedSuccessfully;
    }

    void markFetchedSuccessfully() {
        hasFetchedSuccessfully = true;
    }

    @Override
    public String toString() {
        return "Follower(epoch=" + epoch + ", leaderId=" + leaderId + ")";
    }
}
