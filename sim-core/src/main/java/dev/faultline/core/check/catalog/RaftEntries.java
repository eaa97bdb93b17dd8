package dev.faultline.core.check.catalog;

import static dev.faultline.core.check.catalog.InvariantInfo.ExemptionClass.NOT_CHECKED;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.MISBEHAVING_NODE;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.PLANTED_BUG;

import java.util.List;

/** The invariants of the KRaft Raft layer (the metadata quorum's replication); checked in sim-raft. */
final class RaftEntries {
    private static final String MODULE = "sim-raft";
    private static final String FIRES = "dev.faultline.raft.check.InvariantFiresTest#";
    private static final String FIGURE8 = "dev.faultline.raft.check.Figure8Test#";
    private static final String PLANTED = "dev.faultline.raft.check.PlantedBugTest#";
    private static final String SNAPSHOT = "dev.faultline.raft.kraft.KRaftSnapshotTest#";
    private static final String WIPED = "a node whose disk was wiped starts over: its next persisted state is a new baseline, as in Kafka's "
            + "own simulation test when it deletes a node's state";

    private RaftEntries() {
    }

    static List<InvariantInfo> entries() {
        return List.of(
                InvariantInfo.safety("KR-S1", "One leader per epoch", MODULE, """
                        No two nodes ever persist different leaders for the same epoch. Two leaders in one epoch would let two \
                        nodes append different records under the same epoch number.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "singleLeaderFiresWhenADiskRecordsAnotherLeaderForTheEpoch"),
                InvariantInfo.safety("KR-S2", "Epochs never go back", MODULE, """
                        A node's persisted epoch never decreases, and a running node works in the epoch it has persisted. A node \
                        that forgets a later epoch could vote or lead in an epoch it already left.""")
                        .exempt(NOT_CHECKED, WIPED)
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "monotonicEpochFiresOnAnOlderQuorumStateButNotOnAWipedDisk"),
                InvariantInfo.safety("KR-S3", "One vote per epoch", MODULE, """
                        Once a voter has persisted its vote in an epoch, that vote never changes within the epoch, so no epoch can \
                        gather two majorities for different candidates.""")
                        .exempt(NOT_CHECKED, WIPED)
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "oneVotePerEpochFiresWhenAPersistedVoteChanges"),
                InvariantInfo.safety("KR-S4", "High watermarks never go back across leaders", MODULE, """
                        The current leader's high watermark is never below the highest one any earlier leader reached, and each \
                        leader's high watermark only grows within its epoch. A lower high watermark means a newer leader was \
                        elected without records already reported committed.""")
                        .exempt(NOT_CHECKED, "a deposed leader of an older epoch that has not yet learnt of the new one (paused, cut off or "
                                + "slow): its own high watermark is still checked within its epoch, but not against the newer epoch's")
                        .provenBy(PLANTED_BUG, MODULE, "dev.faultline.raft.check.StaleLeaderHighWatermarkTest#"
                                + "aNewerLeaderBelowAnEarlierLeadersHighWatermarkStillFires",
                                "fires with KR-S4 alone on; with every check on the same run reports KR-S11 first. The across-leaders "
                                + "rule cannot fire first by any behaviour: a new leader holding every committed record (else KR-S7) "
                                + "sets its first high watermark past its epoch start (else KR-S11), which is at least the committed "
                                + "length, itself at least any earlier leader's high watermark; only the within-epoch rule (a leader "
                                + "lowering its own high watermark) could, and no test makes a leader do that yet"),
                InvariantInfo.safety("KR-S5", "A high watermark is reached by a majority", MODULE, """
                        When a leader has high watermark h, a majority of the voters have logs whose synced (flushed) entries \
                        reach at least h. A high \
                        watermark ahead of the majority declares records committed that a new majority could lose.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "majorityReachedHighWatermarkFiresWhenAMajorityLosesItsDisks")
                        .provenBy(PLANTED_BUG, MODULE, FIRES + "majorityReachedHighWatermarkFiresWhenFollowersAcknowledgeBeforeTheirFsync",
                                "counts synced entries only: acknowledging before the fsync fires without a power loss"),
                InvariantInfo.safety("KR-S6", "Log matching", MODULE, """
                        Two logs that hold a batch with the same offset and epoch are identical up to and including that batch. \
                        Checked with chained hashes, so one comparison covers the whole prefix.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "logMatchingFiresWhenALogHoldsADifferentRecordUnderTheSameOffsetAndEpoch"),
                InvariantInfo.safety("KR-S7", "A new leader holds everything committed", MODULE, """
                        When a node becomes leader, its log contains every record committed so far (the ground-truth history's \
                        committed prefix). A leader without a committed record will overwrite it.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "leaderCompletenessFiresWhenTheVotersThatElectTheNextLeaderLostTheTailOfTheirLogs")
                        .provenBy(PLANTED_BUG, MODULE, FIGURE8 + "committingAPriorEpochRecordByCountBreaksLeaderCompleteness",
                                "with KR-S11 off (it fires first in that run)"),
                InvariantInfo.safety("KR-S8", "Committed data never changes", MODULE, """
                        A record below any node's high watermark always equals the first value ever committed at that offset, and \
                        no controller or broker applies two different records at one offset (state-machine safety).""")
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "consistentCommittedDataFiresWhenAFollowerLearnsAHighWatermarkOverAnAlteredRecord")
                        .provenBy(PLANTED_BUG, MODULE, FIGURE8 + "theCommittedRecordIsThenReplacedAndConsistentCommittedDataFires",
                                "with KR-S4, KR-S7 and KR-S11 off (they fire first in that run)"),
                InvariantInfo.safety("KR-S9", "No truncation at or below the high watermark", MODULE, """
                        A node never truncates its log at or below its own high watermark: what it learnt was committed stays in \
                        its log.""")
                        .provenBy(PLANTED_BUG, MODULE, FIGURE8 + "aFollowerThatLearnedTheBogusHighWatermarkIsTruncatedBelowIt",
                                "with KR-S9 alone on: with every check on that run reports KR-S11 first; no test yet makes KR-S9 "
                                + "the first to fire"),
                InvariantInfo.safety("KR-S10", "Snapshots bound the log, and a writing leader never loads one", MODULE, """
                        Two snapshot rules (KIP-630). On every node's disk, a log that starts above offset 0 starts exactly where \
                        its oldest snapshot ends, at that snapshot's epoch: the log start only moves to a snapshot. And a leader \
                        whose state machine may already write is never asked to load a snapshot.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, SNAPSHOT + "snapshotAtLogStartFiresWhenADiskLosesTheSnapshotItsLogStartsAt")
                        .provenBy(MISBEHAVING_NODE, MODULE, SNAPSHOT + "leaderNeverLoadSnapshotFiresWhenTheWritableLeaderIsAskedToLoadOne"),
                InvariantInfo.safety("KR-S11", "A leader commits only in its own epoch", MODULE, """
                        Once a leader sets a high watermark in its epoch, that high watermark is past the offset where the epoch \
                        started. A leader that commits earlier records by counting replicas alone, before one of its own epoch \
                        reaches a majority, is Raft's Figure 8 bug.""")
                        .provenBy(PLANTED_BUG, MODULE, FIGURE8 + "theHighWatermarkRuleItselfIsCheckedByKrS11")
                        .provenByScenario("scenarios/library/pb-kr-2-commit-prior-epoch-by-count.yaml"),
                InvariantInfo.liveness("KR-L1", "A leader is elected", MODULE, """
                        While a majority of voters is up, unpaused and cleanly connected, some leader commits its LeaderChange \
                        record within the election bound (fetch timeout, then a few rounds of election timeout and back-off, plus \
                        round trips). The bound is probabilistic: a miss is reported with its seed.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "leaderElectedFiresWhenElectionTimersNeverRunOut"),
                InvariantInfo.liveness("KR-L2", "A leader without a majority resigns (check-quorum)", MODULE, """
                        A leader that gets no Fetch from a majority leaves the Leader state within 1.5 x the fetch timeout plus \
                        one event-loop slack. Fetches held back by a delay fault still count when they arrive, as they do in \
                        Kafka.""")
                        .provenBy(PLANTED_BUG, MODULE, PLANTED + "noCheckQuorumLeavesAPartitionedLeaderInPlaceAndKrL2Fires")
                        .provenByScenario("scenarios/library/pb-kr-1-no-check-quorum.yaml"),
                InvariantInfo.liveness("KR-L3", "Appended records commit", MODULE, """
                        With a stable committed leader followed by a connected majority, a record the leader appends commits within \
                        append linger + the maximum fetch wait + two round trips + one event-loop slack.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "commitLatencyFiresWhenFollowerDisksStall"),
                InvariantInfo.liveness("KR-L4", "Stable leadership (opt-in)", MODULE, """
                        A committed leader that stays up and reaches a majority for its whole tenure keeps its leadership: no \
                        epoch change without a leader fault. It catches disruptive elections, such as a rejoining voter that \
                        bumped its epoch without pre-vote. Off unless a scenario asks for it.""")
                        .exempt(NOT_CHECKED, "a leader that was paused, down or cut from a majority at any point of its epoch (it had a "
                                + "leader fault and may lawfully be deposed later)")
                        .provenBy(PLANTED_BUG, MODULE, PLANTED + "withoutPreVoteARejoiningFollowerDeposesAHealthyLeaderAndKrL4Fires")
                        .provenByScenario("scenarios/library/pb-kr-3-no-pre-vote.yaml"));
    }
}
