package dev.faultline.raft.quorum;

/** Timer tags of a Raft node (looked up by the kernel, never iterated). */
enum RaftTimer {
    /** Unattached, Prospective, Candidate and Resigned voters: start (or retry) an election. */
    ELECTION,
    /** Candidate: the backoff after a failed candidacy. */
    BACKOFF,
    /** Follower: {@code controller.quorum.fetch.timeout.ms} (or the classic randomized timeout). */
    FOLLOWER_TIMEOUT,
    /** The in-flight Fetch timed out ({@code controller.quorum.request.timeout.ms}). */
    FETCH_REQUEST,
    /** Retry a Fetch after {@code controller.quorum.retry.backoff.ms}. */
    FETCH_RETRY,
    /** Leader: check-quorum. */
    CHECK_QUORUM,
    /** Leader: resend BeginQuorumEpoch every {@code fetch timeout / 2}. */
    BEGIN_EPOCH_RESEND,
    /** Leader, classic policy: heartbeat. */
    HEARTBEAT,
    /** Leader: {@code controller.quorum.append.linger.ms} expired, append the accumulated batch. */
    LINGER,
    /** The snapshot and log cleaner (every 60 s once the node holds a snapshot). */
    LOG_CLEANER
}
