package dev.faultline.raft.quorum;

import it.unimi.dsi.fastutil.ints.IntOpenHashSet;

/** Voted for itself in this epoch and collects votes; {@code retries} counts consecutive failed candidacies. */
public final class CandidateState implements EpochState {
    private final int epoch;
    private final int selfId;
    private final int retries;
    private final IntOpenHashSet granted = new IntOpenHashSet();
    private final IntOpenHashSet rejected = new IntOpenHashSet();
    private boolean backingOff;

    CandidateState(int epoch, int selfId, int retries) {
        this.epoch = epoch;
        this.selfId = selfId;
        this.retries = retries;
        granted.add(selfId);
    }

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public ElectionState election() {
        return new ElectionState(epoch, selfId, ElectionState.NONE);
    }

    @Override
    public Kind kind() {
        return Kind.CANDIDATE;
    }

    public int retries() {
        return retries;
    }

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

    boolean isBackingOff() {
        return backingOff;
    }

    void startBackoff() {
        backingOff = true;
    }

    @Override
    public String toString() {
        return "Candidate(epoch=" + epoch + ", retries=" + retries + ")";
    }
}
