package dev.faultline.raft.quorum;

import it.unimi.dsi.fastutil.ints.IntOpenHashSet;

/**
 * KIP-996: a voter that timed out asks for pre-votes at its current epoch before bumping it.
 * Nothing new is persisted; it keeps the vote and leader its previous state held.
 */
public final class ProspectiveState implements EpochState {
    private final ElectionState retained;
    private final IntOpenHashSet granted = new IntOpenHashSet();
    private final IntOpenHashSet rejected = new IntOpenHashSet();

    ProspectiveState(ElectionState retained, int selfId) {
        this.retained = retained;
        granted.add(selfId);
    }

    @Override
    public int epoch() {
        return retained.epoch();
    }

    @Override
    public ElectionState election() {
        return retained;
    }

    @Override
    public Kind kind() {
        return Kind.PROSPECTIVE;
    }

    public int votedId() {
        return retained.votedId();
    }

    /** Records a pre-vote answer; returns the number granted so far (self included). */
    int record(int voter, boolean grant) {
        (grant ? granted : rejected).add(voter);
        return granted.size();
    }

    int grantedCount() {
        return granted.size();
    }

    int rejectedCount() {
        return rejected.size();
    }

    @Override
    public String toString() {
        return "Prospective(epoch=" + epoch() + ")";
    }
}
