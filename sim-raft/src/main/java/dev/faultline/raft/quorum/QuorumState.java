package dev.faultline.raft.quorum;

import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.storage.DurableValue;
import java.util.Arrays;

/**
 * The single owner of a node's epoch state and its {@code quorum-state} file. Every transition
 * happens here, checks its preconditions and fails loudly when they do not hold; a changed
 * {@link ElectionState} is written and fsynced before the method returns, so the node never acts
 * on or answers with a state that a crash could lose (docs/architecture.md#disks-and-durability).
 *
 * <pre>
 * to            from                                         epoch
 * Unattached    any                                          higher
 * Unattached+vote Unattached(no vote), Prospective(no vote)  same (grant a vote)
 * Follower      any                                          higher
 *               Unattached, Prospective, Candidate           same (leader learned)
 * Prospective   Unattached, Follower, Candidate, Resigned,   same (voters, pre-vote on)
 *               Prospective (a new pre-vote round)
 * Candidate     Unattached, Follower, Prospective,           current + 1 (voters)
 *               Candidate, Resigned
 * Leader        Candidate with a majority                    same
 * Resigned      Leader                                       same
 * </pre>
 *
 * Observers (non-voters) are only ever Unattached or Follower.
 */
public final class QuorumState {
    private final NodeContext ctx;
    private final DurableValue<ElectionState> store;
    private final int selfId;
    private final int[] voters;
    private EpochState state;
    /** {@code state.epoch()}, cached: read after every event by the invariants. */
    private int epoch;

    public QuorumState(NodeContext ctx, DurableValue<ElectionState> store, int selfId, int[] voters) {
        this.ctx = ctx;
        this.store = store;
        this.selfId = selfId;
        this.voters = voters.clone();
        Arrays.sort(this.voters);
    }

    /**
     * {@code QuorumState.initialize} (docs/model.md#raft-epoch-states): the state a (re)starting
     * process resumes in, from the persisted election state and the epoch of its log's last entry.
     */
    public EpochState initialize(int logLastEpoch) {
        state = initialState(logLastEpoch);
        epoch = state.epoch();
        return state;
    }

    private EpochState initialState(int logLastEpoch) {
        ElectionState persisted = store.get();
        if (persisted.epoch() < logLastEpoch) {
            UnattachedState s = new UnattachedState(logLastEpoch, ElectionState.NONE);
            store.set(s.election());
            ctx.fsync(store);
            return s;
        } else if (persisted.leaderId() == selfId && isVoter()) {
            return new ResignedState(persisted.epoch(), selfId);
        } else if (persisted.votedId() == selfId && isVoter() && !persisted.hasLeader()) {
            return new CandidateState(persisted.epoch(), selfId, 1);
        } else if (persisted.hasLeader()) {
            return new FollowerState(persisted.epoch(), persisted.leaderId(), persisted.votedId());
        }
        return new UnattachedState(persisted.epoch(), persisted.votedId());
    }

    /**
     * Warm start: this voter has led the persisted epoch since before the run (its quorum-state
     * names it leader); it resumes as that epoch's leader instead of resigning as a restarted
     * leader must. Only for a process's first start in a warm run.
     */
    public LeaderState initializeAsEstablishedLeader(long epochStartOffset, long floorHighWatermark, long nowNanos) {
        ElectionState persisted = store.get();
        if (persisted.leaderId() != selfId || !isVoter()) {
            throw new IllegalStateException("Cannot resume as leader with persisted " + persisted + " on node " + selfId);
        }
        LeaderState s = new LeaderState(persisted.epoch(), selfId, voters, epochStartOffset, floorHighWatermark, nowNanos);
        state = s;
        epoch = s.epoch();
        ctx.trace("raft", "resume " + s + " (warm start)");
        return s;
    }

    public EpochState state() {
        return state;
    }

    public int epoch() {
        return epoch;
    }

    public int selfId() {
        return selfId;
    }

    public int[] voters() {
        return voters;
    }

    public boolean isVoter() {
        return Arrays.binarySearch(voters, selfId) >= 0;
    }

    public boolean isVoter(int nodeId) {
        return Arrays.binarySearch(voters, nodeId) >= 0;
    }

    public int majority() {
        return voters.length / 2 + 1;
    }

    /** The leader this node knows in its epoch, or -1 (a Resigned node names none). */
    public int leaderId() {
        return state instanceof ResignedState ? ElectionState.NONE : state.election().leaderId();
    }

    public boolean isLeader() {
        return state instanceof LeaderState;
    }

    /** The persisted (synced) election state. */
    public ElectionState persisted() {
        return store.synced();
    }

    public UnattachedState transitionToUnattached(int epoch) {
        if (epoch <= this.epoch) {
            throw illegal("Unattached(epoch=" + epoch + ")");
        }
        return set(new UnattachedState(epoch, ElectionState.NONE));
    }

    /** Grants this epoch's vote to {@code candidateId}. */
    public UnattachedState transitionToUnattachedVoted(int epoch, int candidateId) {
        boolean ok = epoch == state.epoch() && !isVotedOrLed() && !(state instanceof FollowerState)
                && (state instanceof UnattachedState || state instanceof ProspectiveState) && isVoter();
        if (!ok) {
            throw illegal("Unattached(epoch=" + epoch + ", votedId=" + candidateId + ")");
        }
        return set(new UnattachedState(epoch, candidateId));
    }

    public FollowerState transitionToFollower(int epoch, int leaderId) {
        boolean ok = leaderId != selfId && (epoch > state.epoch() || (epoch == state.epoch()
                && (state instanceof UnattachedState || state instanceof ProspectiveState || state instanceof CandidateState)));
        if (!ok) {
            throw illegal("Follower(epoch=" + epoch + ", leaderId=" + leaderId + ")");
        }
        int voted = epoch == state.epoch() ? state.election().votedId() : ElectionState.NONE;
        return set(new FollowerState(epoch, leaderId, voted));
    }

    public ProspectiveState transitionToProspective() {
        boolean ok = isVoter() && (state instanceof UnattachedState || state instanceof FollowerState
                || state instanceof CandidateState || state instanceof ResignedState || state instanceof ProspectiveState);
        if (!ok) {
            throw illegal("Prospective(epoch=" + state.epoch() + ")");
        }
        return set(new ProspectiveState(state.election(), selfId));
    }

    /** A new candidacy: epoch + 1 and a persisted vote for itself. */
    public CandidateState transitionToCandidate() {
        boolean ok = isVoter() && !(state instanceof LeaderState);
        if (!ok) {
            throw illegal("Candidate(epoch=" + (state.epoch() + 1) + ")");
        }
        int retries = state instanceof CandidateState ? ((CandidateState) state).retries() + 1 : 1;
        return set(new CandidateState(state.epoch() + 1, selfId, retries));
    }

    public LeaderState transitionToLeader(long epochStartOffset, long floorHighWatermark, long nowNanos) {
        if (!(state instanceof CandidateState) || ((CandidateState) state).grantedCount() < majority()) {
            throw illegal("Leader(epoch=" + state.epoch() + ")");
        }
        return set(new LeaderState(state.epoch(), selfId, voters, epochStartOffset, floorHighWatermark, nowNanos));
    }

    public ResignedState transitionToResigned() {
        if (!(state instanceof LeaderState)) {
            throw illegal("Resigned(epoch=" + state.epoch() + ")");
        }
        return set(new ResignedState(state.epoch(), selfId));
    }

    private boolean isVotedOrLed() {
        ElectionState e = state.election();
        return e.hasVoted() || e.hasLeader();
    }

    private <S extends EpochState> S set(S next) {
        EpochState previous = state;
        state = next;
        epoch = next.epoch();
        if (!next.election().equals(store.get())) {
            persist();
        }
        ctx.trace("raft", previous + " -> " + next);
        return next;
    }

    private void persist() {
        store.set(state.election());
        ctx.fsync(store);
    }

    private IllegalStateException illegal(String target) {
        return new IllegalStateException("Cannot transition to " + target + " from " + state + " on node " + selfId);
    }
}
