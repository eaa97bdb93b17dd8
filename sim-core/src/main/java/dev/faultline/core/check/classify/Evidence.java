package dev.faultline.core.check.classify;

/**
 * What a checker established about a violation's cause, beyond the violation itself: the facts the
 * {@link Classifier}'s rules read. A checker attaches only what it verified against the run's own
 * lineage (which election, which cut, which replica), never a guess from the fault schedule.
 */
public enum Evidence {
    /**
     * The records left the partition's lineage through an unclean election (a leader chosen from
     * outside the ISR) that came after they were acknowledged or committed.
     */
    UNCLEAN_ELECTION,
    /**
     * A power loss or a lost disk cut the records, after their acknowledgement or commit, from the
     * replica now leading, and no member of the ISR held them any more: every in-sync copy was lost
     * outside the protocol.
     */
    LAST_COPY_LOST_OUTSIDE_PROTOCOL,
    /**
     * The replica now leading lost the records outside the protocol (a power loss or a lost disk
     * after their acknowledgement or commit) and took over before it fetched again, while it still
     * counted as in sync: nothing told the controller that it came back without them.
     */
    LEADER_LOST_DATA_BEFORE_TAKEOVER,
    /** The replica now leading was the only member of the partition's ISR when it took over. */
    SOLE_IN_SYNC_REPLICA
}
