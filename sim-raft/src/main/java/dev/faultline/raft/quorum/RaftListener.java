package dev.faultline.raft.quorum;

/**
 * What a state machine on top of the Raft log hears (Kafka's {@code RaftClient.Listener}): only
 * committed entries, in offset order ({@code handleCommit}), and the node's epoch-state changes
 * ({@code handleLeaderChange}). A restarted process, or one whose log start passed what it had
 * delivered, is first given the latest snapshot ({@code handleLoadSnapshot}), then the records after
 * it, as its high watermark becomes known again.
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

    /** Load this snapshot: it replaces the state built so far; records after its end offset follow. */
    default void onLoadSnapshot(RaftSnapshot snapshot) {
    }

    /** The node moved from one epoch state to another. */
    default void onStateChange(EpochState from, EpochState to) {
    }
}
