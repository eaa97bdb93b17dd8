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
 */
public record PlantedBugs(boolean noCheckQuorum, CommitRule commitRule, boolean noPreVote, boolean ackBeforeFsync) {
    public static final PlantedBugs NONE = new PlantedBugs(false, CommitRule.CURRENT_EPOCH, false, false);

    /** The switches a scenario can name (ackBeforeFsync is for unit tests only). */
    public PlantedBugs(boolean noCheckQuorum, CommitRule commitRule, boolean noPreVote) {
        this(noCheckQuorum, commitRule, noPreVote, false);
    }

    public PlantedBugs withNoCheckQuorum(boolean on) {
        return new PlantedBugs(on, commitRule, noPreVote, ackBeforeFsync);
    }

    public PlantedBugs withCommitRule(CommitRule rule) {
        return new PlantedBugs(noCheckQuorum, rule, noPreVote, ackBeforeFsync);
    }

    public PlantedBugs withNoPreVote(boolean on) {
        return new PlantedBugs(noCheckQuorum, commitRule, on, ackBeforeFsync);
    }

    public PlantedBugs withAckBeforeFsync(boolean on) {
        return new PlantedBugs(noCheckQuorum, commitRule, noPreVote, on);
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
