package dev.faultline.core.check.catalog;

import static dev.faultline.core.check.catalog.InvariantInfo.ExemptionClass.EXPECTED;
import static dev.faultline.core.check.catalog.InvariantInfo.ExemptionClass.HAZARD;
import static dev.faultline.core.check.catalog.InvariantInfo.ExemptionClass.NOT_CHECKED;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.MISBEHAVING_NODE;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.PLANTED_BUG;

import java.util.List;

/** The partition-replication (data plane) invariants, shared by every metadata mode; checked in sim-core. */
final class DataPlaneEntries {
    private static final String MODULE = "sim-core";
    private static final String DETECTION = "dev.faultline.core.kafka.InvariantDetectionTest#";
    private static final String PLANTED = "dev.faultline.core.kafka.PlantedBugScenariosTest#";
    private static final String STALE_EPOCH = "dev.faultline.raft.kraft.StaleBrokerEpochTest#";
    private static final String SCOPED = "dev.faultline.core.kafka.ScopedExemptionsTest#";

    private DataPlaneEntries() {
    }

    static List<InvariantInfo> entries() {
        return List.of(
                InvariantInfo.safety("DP-S1", "No acknowledged write is lost", MODULE, """
                        A record the producer was told is written with acks=all keeps its offset in the partition's authoritative \
                        lineage for the rest of the run: whenever a new leader takes over, its log must still hold that record at \
                        that offset. A leader without it means the cluster acknowledged a write it then forgot.""")
                        .exempt(EXPECTED, "the unclean election that made the new leader (a leader epoch newer than the acknowledgement's; "
                                + "the topic allowed a leader from outside the ISR), when that leader did not hold the record at its offset "
                                + "as it took over (acks still on their way to the producer included); also an unclean election in the new "
                                + "leader's lineage whose own leader never took over, and an ack that a leader sent after an unclean election "
                                + "had already replaced it (judged when the leader sent it, not when the producer received it). A record "
                                + "the unclean leader held and a later leader lacks is a bug")
                        .exempt(EXPECTED, "after the leader sent the acknowledgement, a power loss cut the record from the very replica that "
                                + "later takes over without it, and no member of that leader's ISR at the takeover holds it (KIP-966's last "
                                + "replica standing, min.insync.replicas=1 on one replica); a cut on another replica excuses nothing "
                                + "(rule last-in-sync-copy-lost)")
                        .exempt(HAZARD, "ZooKeeper mode only: a power loss or a lost disk cut the record, after the acknowledgement, from the "
                                + "replica that takes over without it before fetching again, while other ISR members still hold it; no "
                                + "controller can tell that the broker came back without its log (rule zk-unclean-shutdown-leader, KIP-966)")
                        .provenBy(PLANTED_BUG, MODULE, PLANTED + "kip101Scenario1LosesACommittedRecordWhenFollowersTruncateToTheirHighWatermark")
                        .provenBy(PLANTED_BUG, MODULE, SCOPED + "aPlantedKip101LossIsABugAlthoughAPowerLossCutTheRecordFromAnotherReplica")
                        .provenByScenario("scenarios/library/pb-rep-1-kip101-scenario-1.yaml"),
                InvariantInfo.safety("DP-S2", "Replicas agree below their high watermarks", MODULE, """
                        Two replicas of a partition hold the same records at every offset below the smaller of their two high \
                        watermarks. The high watermark is what a replica believes is committed, so a difference there means two \
                        replicas disagree about committed data.""")
                        .exempt(NOT_CHECKED, "a replica that has not fetched successfully from the current leader in the current leader "
                                + "epoch (after a restart, an unclean election or a power loss its high watermark may still cover records it "
                                + "must truncate)")
                        .provenBy(PLANTED_BUG, MODULE, PLANTED + "kip101Scenario2DivergesWhenFollowersTruncateToTheirHighWatermark")
                        .provenBy(PLANTED_BUG, MODULE, PLANTED + "kip279SingleRoundEpochLookupLeavesDivergedLogs")
                        .provenByScenario("scenarios/library/pb-rep-1-kip101-scenario-2.yaml")
                        .provenByScenario("scenarios/library/pb-rep-2-kip279.yaml"),
                InvariantInfo.safety("DP-S3", "No truncation below a replica's own high watermark", MODULE, """
                        With leader-epoch based truncation (KIP-101/KIP-279), a replica never cuts its log below its own high \
                        watermark: what it believed committed stays. Truncating it means the replica threw away records it had \
                        counted as committed.""")
                        .exempt(EXPECTED, "a truncation by a replica whose high watermark was learned before an unclean election of a "
                                + "newer leader epoch that it now follows (rule unclean-election), or before a power loss cut committed "
                                + "records at or below the truncation point from an ISR member while no other ISR member held them (rule "
                                + "last-in-sync-copy-lost); only until the replica fetches successfully from the new leader, after which its "
                                + "high watermark comes from the new lineage")
                        .exempt(HAZARD, "the same, before a replica that a power loss or a lost disk cut took over as leader without "
                                + "fetching again: in ZooKeeper mode always (rule zk-unclean-shutdown-leader), in KRaft and oracle mode when "
                                + "it was the ISR's only member (rule unclean-shutdown-last-isr-member); KIP-966")
                        .exempt(NOT_CHECKED, "in runs that plant an older truncation protocol (replication.truncateToHighWatermark or "
                                + "replication.singleRoundEpochLookup), which the rule does not describe")
                        .provenBy(MISBEHAVING_NODE, MODULE, DETECTION + "dps3FiresWhenAFollowerTruncatesBelowItsHighWatermark")
                        .provenBy(MISBEHAVING_NODE, MODULE, SCOPED + "aTruncationBelowTheHighWatermarkLongAfterAnUncleanElectionIsReported"),
                InvariantInfo.safety("DP-S4", "Leader-epoch cache is consistent", MODULE, """
                        Each replica's leader-epoch cache has strictly increasing epochs with strictly increasing start offsets, \
                        and every batch in the log carries an epoch the cache knows. Truncation and divergence detection rely on \
                        this cache, so a broken one leads to wrong truncation points.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, DETECTION + "dps4FiresOnARecordWhoseEpochIsNotInTheEpochCache"),
                InvariantInfo.safety("DP-S5", "acks=all is answered only once the ISR has the record", MODULE, """
                        When a leader answers an acks=all produce with success, every member of its maximal ISR (the ISR including \
                        members whose addition is still in flight) has a log end past the record, and that ISR has at least \
                        min.insync.replicas members.""")
                        .exempt(NOT_CHECKED, "an ISR member the leader last saw past the offset, whose log a power loss or disk wipe has cut "
                                + "to at or below the offset since that leader, in its current epoch, last saw it fetch, or since the member "
                                + "sent the fetch the leader saw last (the leader cannot know before that member's next fetch); an older cut "
                                + "excuses nothing")
                        .provenBy(MISBEHAVING_NODE, MODULE, DETECTION + "dps5FiresWhenAcksAllSucceedsBeforeTheIsrHasTheRecord")
                        .provenBy(MISBEHAVING_NODE, MODULE, SCOPED + "anAckBeforeTheIsrHasTheRecordIsReportedAlthoughItsMembersOnceLostPower"),
                InvariantInfo.safety("DP-S6", "A replica joins the ISR only when caught up", MODULE, """
                        A replica is added to a partition's ISR only when its log end is at least the leader's high watermark and \
                        at least the start offset of the leader's epoch; otherwise the ISR would count a replica that lacks \
                        committed records.""")
                        .exempt(NOT_CHECKED, "a replica that lost records to a power loss or disk wipe after it sent the fetch the leader proposed "
                                + "adding it on, when that fetch showed it caught up (the expansion commits while the old registration is "
                                + "still current); a lagging replica proposed anyway is reported whatever it loses later")
                        .provenBy(MISBEHAVING_NODE, MODULE, DETECTION + "dps6FiresWhenALaggingReplicaIsAddedToTheIsr")
                        .provenBy(MISBEHAVING_NODE, MODULE, DETECTION + "dps6StillFiresWhenALaggingReplicaThatLostItsDiskLaterIsAdded")
                        .provenBy(PLANTED_BUG, "sim-raft", STALE_EPOCH + "withTheBugAndKmS5OffTheDataPlaneSeesAnEmptyReplicaJoinTheIsr"),
                InvariantInfo.safety("DP-S7", "Consumers see only committed records and notice truncation", MODULE, """
                        A read_uncommitted consumer is only handed records below the leader's high watermark, and, with offset \
                        validation on (KIP-320), a consumer never carries on past a truncation of records it already consumed as \
                        if nothing had happened.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, DETECTION + "dps7FiresWhenAConsumerIsGivenRecordsTheIsrDoesNotHold")
                        .provenBy(MISBEHAVING_NODE, MODULE, DETECTION + "dps7FiresWhenAConsumerCarriesOnPastRecordsTheLeaderReplaced"),
                InvariantInfo.liveness("DP-L1", "A follower that stops fetching leaves the ISR", MODULE, """
                        A follower in the ISR that stops fetching while the leader has records it lacks is removed from the ISR \
                        within 1.5 x replica.lag.time.max.ms plus one second. The window restarts when the controller changes or \
                        is unavailable, and an AlterPartition still in flight is given its request timeout first, as in Kafka \
                        where a leader cannot shrink while one is pending. Time the active controller spends busy with events \
                        queued before the request (ZooKeeper mode's single event thread) is not counted against it.""")
                        .exempt(NOT_CHECKED, "a paused leader broker (it cannot act while paused)")
                        .provenBy(MISBEHAVING_NODE, MODULE, DETECTION
                                + "dpl1FiresWhenAFollowerThatStoppedFetchingStaysInTheIsrBehindAnAlterPartitionThatNeverReturns"),
                InvariantInfo.liveness("DP-L2", "acks=all produces succeed once the cluster settles", MODULE, """
                        After faults stop and metadata settles, with at least min.insync.replicas replicas of a partition alive \
                        and connected, every acks=all record sent is acknowledged within the producer's request.timeout.ms of \
                        being sent. Judged at the end of a settled run.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, DETECTION + "dpl2FiresWhenProducesDoNotSucceedWithinTheRequestTimeout"),
                InvariantInfo.liveness("DP-L3", "Logs converge once faults stop", MODULE, """
                        After faults have stopped for long enough, every ISR member of every led partition holds the same log as \
                        its leader up to the leader's log end. A replica that never converges kept a divergent suffix.""")
                        .provenBy(PLANTED_BUG, MODULE, PLANTED + "kip101Scenario2LogsNeverConvergeWhenFollowersTruncateToTheirHighWatermark"));
    }
}
