package dev.faultline.raft.quorum;

/**
 * The state of a node in one epoch; {@link QuorumState} holds exactly one and is the only place a
 * transition happens. One class per state, as in Kafka's {@code raft/internals}.
 */
public sealed interface EpochState
        permits UnattachedState, ProspectiveState, CandidateState, LeaderState, FollowerState, ResignedState {

    int epoch();

    /** What the {@code quorum-state} file holds while in this state. */
    ElectionState election();

    /** The kind of state, for traces, views and invariants. */
    Kind kind();

    /** State kinds. */
    enum Kind { UNATTACHED, PROSPECTIVE, CANDIDATE, LEADER, FOLLOWER, RESIGNED }
}
