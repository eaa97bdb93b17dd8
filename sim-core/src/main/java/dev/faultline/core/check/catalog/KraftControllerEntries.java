package dev.faultline.core.check.catalog;

import static dev.faultline.core.check.catalog.InvariantInfo.ExemptionClass.NOT_CHECKED;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.MISBEHAVING_NODE;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.PLANTED_BUG;

import java.util.List;

/** The invariants of the KRaft quorum controller and the metadata it publishes; checked in sim-raft. */
final class KraftControllerEntries {
    private static final String MODULE = "sim-raft";
    private static final String CLUSTER = "dev.faultline.raft.kraft.KRaftClusterTest#";
    private static final String INELIGIBLE = "dev.faultline.raft.kraft.IneligibleLeaderTest#";
    private static final String FIRE = "dev.faultline.raft.kraft.ControllerChecksFireTest#";

    private KraftControllerEntries() {
    }

    static List<InvariantInfo> entries() {
        return List.of(
                InvariantInfo.safety("KM-S1", "One active controller per epoch", MODULE, """
                        At most one controller claims a given epoch; the epoch it claims is the Raft epoch of its own node; and it \
                        claims only after its metadata listener has passed the start offset of that epoch, so it acts on a \
                        complete image.""")
                        .provenBy(PLANTED_BUG, MODULE, FIRE + "aControllerClaimingBeforeItsEpochStartBreaksKmS1"),
                InvariantInfo.safety("KM-S2", "Only committed metadata is applied, in order", MODULE, """
                        Every controller and broker process applies only committed metadata records, each once, in offset order, \
                        and identical to the committed log; a snapshot it loads ends within the committed prefix and holds the \
                        committed records.""")
                        .provenBy(PLANTED_BUG, MODULE, CLUSTER + "aProcessHandedUncommittedMetadataRecordsBreaksKmS2")
                        .provenBy(MISBEHAVING_NODE, MODULE, CLUSTER + "aBrokerReplayingACorruptedMetadataRecordAfterARestartBreaksKmS2",
                                "with KR-S6 and KR-S8 off (the corrupted log trips them first)"),
                InvariantInfo.safety("KM-S3", "Partition registrations are well formed", MODULE, """
                        In the committed metadata image every partition's leader is in its ISR or is none, its ISR is a non-empty \
                        subset of its replicas, and its leader epoch and partition epoch never go back.""")
                        .provenBy(PLANTED_BUG, MODULE, FIRE + "aControllerThatEmptiesTheIsrOfALeaderlessPartitionBreaksKmS3"),
                InvariantInfo.safety("KM-S4", "A new leader is eligible", MODULE, """
                        A partition leader named by a record is registered, unfenced and not in controlled shutdown in the image \
                        the active controller generated that record from, unless the same record batch unfences it.""")
                        .provenBy(PLANTED_BUG, MODULE, INELIGIBLE + "aControllerThatReElectsTheFencedLastIsrMemberBreaksKmS4")
                        .provenBy(PLANTED_BUG, MODULE, INELIGIBLE + "aLeaderNamedWhileInControlledShutdownBreaksKmS4EvenIfTheBatchUnfencesIt")
                        .provenByScenario("scenarios/library/km-s4-elect-fenced-leader.yaml"),
                InvariantInfo.safety("KM-S5", "ISR additions carry the current broker epoch", MODULE, """
                        A replica is added to an ISR only with its current broker epoch and while it is unfenced and not shutting \
                        down (KIP-841, KIP-903). Otherwise a broker that restarted with an empty disk can be counted as holding \
                        records its earlier incarnation had.""")
                        .provenBy(PLANTED_BUG, MODULE, "dev.faultline.raft.kraft.StaleBrokerEpochTest#withTheBugTheStaleEpochJoinsTheIsrAndKmS5Fires")
                        .provenByScenario("scenarios/library/pb-krc-1-isr-ignores-broker-epoch.yaml"),
                InvariantInfo.safety("KM-S6", "Broker epochs grow", MODULE, """
                        Each registration of a broker gets a broker epoch strictly greater than its previous registration's, so \
                        requests from an older incarnation can always be told apart."""),
                InvariantInfo.safety("KM-S7", "No false fencing", MODULE, """
                        The active controller fences a broker only when no heartbeat from it reached this controller within \
                        broker.session.timeout.ms, counted from the later of the last heartbeat and the controller's activation. \
                        Judged against the check's own record of the registrations and heartbeats that controller accepted and of \
                        its activation, on that controller's clock, not against the controller's bookkeeping.""")
                        .provenBy(PLANTED_BUG, MODULE, FIRE + "aControllerWhoseHeartbeatsDoNotRenewSessionsFencesALiveBrokerAndKmS7Fires"),
                InvariantInfo.liveness("KM-L1", "A silent broker is fenced", MODULE, """
                        A registered, unfenced broker that can no longer heartbeat (down, paused, or cut from the active \
                        controller) is fenced within broker.session.timeout.ms + the commit latency + one event-loop slack + the \
                        controller's work to fence the silent brokers (a record per partition each hosts at the record cost, and one \
                        fetch round per 8 MiB of those records: Kafka's fence is a PartitionChangeRecord per ISR holding the broker) \
                        (plus one period of the fencing check, broker.session.timeout.ms / 8, in a Kafka 4.0 profile), counted from the later of its silence and the moment the controller quorum became healthy.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, CLUSTER + "controllersWhoseClocksRunAtHalfSpeedFenceACrashedBrokerLateAndKmL1Fires"),
                InvariantInfo.liveness("KM-L2", "A heartbeating broker is unfenced", MODULE, """
                        A registered but fenced broker that runs, is cleanly connected to the active controller and follows its \
                        metadata is unfenced within a heartbeat interval + one metadata fetch + the commit latency + one heartbeat \
                        round trip, counted once the controller quorum is healthy and a lost fetch had time to time out.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, CLUSTER
                                + "aRestartedBrokerWhoseClockRunsTenTimesSlowHeartbeatsTooRarelyToBeUnfencedAndKmL2Fires"),
                InvariantInfo.liveness("KM-L3", "Brokers apply committed metadata promptly", MODULE, """
                        A broker connected to the active controller applies each committed metadata record within the maximum \
                        fetch wait + two round trips + one event-loop slack of its commit.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, CLUSTER + "aBrokerWhoseCpuIsSaturatedAppliesCommittedRecordsLateAndKmL3Fires"),
                InvariantInfo.liveness("KM-L4", "A controller failover fences no healthy broker", MODULE, """
                        A broker that ran and reached every controller for the last session timeout plus two heartbeat intervals \
                        is never fenced, in particular across a controller failover.""")
                        .exempt(NOT_CHECKED, "a broker in controlled shutdown (it is fenced on purpose when it may exit)")
                        .exempt(NOT_CHECKED, "the fencing of an old registration whose process no longer runs (a broker restarted during a "
                                + "controller-quorum outage)")
                        .provenBy(MISBEHAVING_NODE, MODULE, CLUSTER + "aControllerWhoseClockRunsTenTimesFastFencesHealthyBrokersAndKmL4Fires"));
    }
}
