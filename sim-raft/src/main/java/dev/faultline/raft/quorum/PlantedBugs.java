package dev.faultline.raft.quorum;

/**
 * Planted-bug switches of docs/model.md#planted-bugs for the Raft layer. Each reverts one
 * historical fix; all are off by default.
 *
 * @param noCheckQuorum {@code raft.noCheckQuorum} (KAFKA-15489): the leader never resigns for lack
 *     of fetches from a majority
 * @param commitRule {@code raft.commitPriorEpochByCount} and its {@code offByOne} variant
 *     (Raft §5.4.2, KAFKA-12619)
 * @param noPreVote {@code raft.noPreVote} (KIP-996): timeouts go straight to Candidate with an
 *     epoch bump
 * @param ackBeforeFsync a test switch (unit tests only, no historical fix): a voter acknowledges
 *     fetched records (by its next Fetch) without flushing them first (KR-S5)
 * @param applyBeyondHighWatermark a test switch (unit tests only, no historical fix): a node hands
 *     its listener (controller or broker metadata) every record it holds, not only those below its
 *     high watermark (KM-S2)
 */
public record PlantedBugs(boolean noCheckQuorum, CommitRule commitRule, boolean noPreVote, boolean ackBeforeFsync,
                          boolean applyBeyondHighWatermark) {
    public static final PlantedBugs NONE = new PlantedBugs(false, CommitRule.CURRENT_EPOCH, false, false, false);

    /** The switches a scenario can name (the test switches are for unit tests only). */
    public PlantedBugs(boolean noCheckQuorum, CommitRule commitRule, boolean noPreVote) {
        this(noCheckQuorum, commitRule, noPreVote, false, false);
    }

    public PlantedBugs withNoCheckQuorum(boolean on) {
        return new PlantedBugs(on, commitRule, noPreVote, ackBeforeFsync, applyBeyondHighWatermark);
    }

    public PlantedBugs withCommitRule(CommitRule rule) {
        return new PlantedBugs(noCheckQuorum, rule, noPreVote, ackBeforeFsync, applyBeyondHighWatermark);
    }

    public PlantedBugs withNoPreVote(boolean on) {
        return new PlantedBugs(noCheckQuorum, commitRule, on, ackBeforeFsync, applyBeyondHighWatermark);
    }

    public PlantedBugs withAckBeforeFsync(boolean on) {
        return new PlantedBugs(noCheckQuorum, commitRule, noPreVote, on, applyBeyondHighWatermark);
    }

    public PlantedBugs withApplyBeyondHighWatermark(boolean on) {
        return new PlantedBugs(noCheckQuorum, commitRule, noPreVote, ackBeforeFsync, on);
    }

    /** How the leader decides that a majority offset may become the high watermark. */
    public enum CommitRule {
        /** Correct: only past {@code epochStartOffset} ({@code >}), so only current-epoch entries count. */
        CURRENT_EPOCH,
        /** {@code raft.commitPriorEpochByCount}: any majority offset, prior-epoch entries committed by count. */
        PRIOR_EPOCH_BY_COUNT,
        /** {@code raft.commitPriorEpochByCount.offByOne}: {@code >=} instead of {@code >} (KAFKA-12619). */
        OFF_BY_ONE
    }
}
