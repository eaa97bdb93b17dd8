package dev.faultline.raft.quorum;

/**
 * The content of a voter's {@code quorum-state} file (docs/model.md#raft-epoch-states): the epoch,
 * the vote cast in it and the leader known in it. Written and fsynced before the node acts on it.
 *
 * @param epoch the Raft epoch (term)
 * @param votedId the node index voted for in this epoch, or {@link #NONE}
 * @param leaderId the node index known to lead this epoch, or {@link #NONE}
 */
public record ElectionState(int epoch, int votedId, int leaderId) {
    /** No vote or no leader. */
    public static final int NONE = -1;

    /** The state of a node that has never run. */
    public static final ElectionState INITIAL = new ElectionState(0, NONE, NONE);

    public boolean hasVoted() {
        return votedId != NONE;
    }

    public boolean hasLeader() {
        return leaderId != NONE;
    }
}
