package dev.faultline.raft.quorum;

/**
 * What a state machine on top of the Raft log hears (Kafka's {@code RaftClient.Listener}): only
 * committed entries, in offset order ({@code handleCommit}), and the node's epoch-state changes
 * ({@code handleLeaderChange}). A restarted process replays its log from offset 0 as its high
 * watermark becomes known again (no snapshots).
 */
public interface RaftListener {
    RaftListener NONE = new RaftListener() {
    };

    /** The entry at {@code offset} is committed (below the node's high watermark). */
    default void onCommit(long offset, LogEntry entry) {
    }

    /** A run of {@link #onCommit} calls ended; every offset below {@code appliedOffset} was handed over. */
    default void onCommitsDone(long appliedOffset) {
    }

    /** The node moved from one epoch state to another. */
    default void onStateChange(EpochState from, EpochState to) {
    }
}
