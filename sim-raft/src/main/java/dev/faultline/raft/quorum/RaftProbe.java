package dev.faultline.raft.quorum;

/**
 * Hooks through which a node reports what the checker's ground-truth history needs
 * (docs/architecture.md#ground-truth-and-checkers). The node never reads anything back; the
 * default implementation does nothing.
 */
public interface RaftProbe {
    RaftProbe NONE = new RaftProbe() {
    };

    /** An entry was appended to {@code nodeId}'s log at {@code offset}. */
    default void onAppend(int nodeId, long offset, LogEntry entry) {
    }

    /** {@code nodeId} is about to truncate its log to {@code newEndOffset} while its HW is {@code highWatermark}. */
    default void onTruncate(int nodeId, long newEndOffset, long highWatermark) {
    }

    /** {@code nodeId}'s high watermark advanced to {@code highWatermark}. */
    default void onHighWatermark(int nodeId, long highWatermark, RaftLog log) {
    }

    /** {@code nodeId} hands the committed entry at {@code offset} to its state machine (listener). */
    default void onApply(int nodeId, long offset, LogEntry entry) {
    }

    /**
     * {@code nodeId}'s listener is given {@code snapshot} to load; {@code writable}: the node leads and
     * its listener already had every record up to its epoch start (it may have claimed).
     */
    default void onLoadSnapshot(int nodeId, RaftSnapshot snapshot, boolean writable) {
    }

    /** {@code nodeId} received a message from {@code leaderId}, the leader of its current epoch. */
    default void onLeaderContact(int nodeId, int epoch, int leaderId) {
    }

    /** {@code nodeId} moved from one epoch state to another. */
    default void onTransition(int nodeId, EpochState from, EpochState to) {
    }
}
