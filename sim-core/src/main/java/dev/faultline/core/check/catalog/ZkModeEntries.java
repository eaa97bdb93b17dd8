package dev.faultline.core.check.catalog;

import static dev.faultline.core.check.catalog.InvariantInfo.ExemptionClass.NOT_CHECKED;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.FORGED_RECORD;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.MISBEHAVING_NODE;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.PLANTED_BUG;

import java.util.List;

/** The invariants of Kafka's ZooKeeper-mode controller and the brokers it drives; checked in sim-zookeeper. */
final class ZkModeEntries {
    private static final String MODULE = "sim-zookeeper";
    private static final String CHECKS = "dev.faultline.zookeeper.kafka.KzChecksFireTest#";
    private static final String RUNS = "dev.faultline.zookeeper.kafka.KzChecksInRunsTest#";
    private static final String EPOCH_CHECK = "dev.faultline.zookeeper.kafka.NoEpochZkVersionCheckTest#";

    private ZkModeEntries() {
    }

    static List<InvariantInfo> entries() {
        return List.of(
                InvariantInfo.safety("KZ-S1", "One controller per controller epoch", MODULE, """
                        The /controller_epoch value strictly increases from one controller activation to the next, and at most \
                        one broker ever acts as controller with a given epoch.""")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "kzS1FiresWhenTheNextControllerReusesTheControllerEpoch")
                        .provenBy(FORGED_RECORD, MODULE, CHECKS + "kzS1FiresWhenTwoBrokersActivateWithOneEpoch")
                        .provenBy(FORGED_RECORD, MODULE, CHECKS + "kzS1FiresWhenAnActivationGoesBackInEpoch"),
                InvariantInfo.safety("KZ-S2", "No zombie controller writes", MODULE, """
                        Every ZooKeeper write a controller of epoch c makes that succeeds is applied while the committed \
                        /controller_epoch is still c. A deposed controller whose write still lands (KAFKA-6082) can overwrite \
                        the new controller's decisions.""")
                        .provenBy(PLANTED_BUG, MODULE, EPOCH_CHECK + "withTheBugTheResumedControllerWritesAsAZombieAndKzS2Fires")
                        .provenByScenario("scenarios/library/pb-zkc-1-no-epoch-zk-version-check.yaml"),
                InvariantInfo.safety("KZ-S3", "Leader epochs rise with every leader change", MODULE, """
                        A partition's leader_epoch in ZooKeeper strictly increases on every leader change and on every ISR change \
                        the controller makes (ISR changes the leader requests keep it), and no two different leaders are ever \
                        stored, or applied by brokers, under the same partition and leader epoch.""")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "kzS3FiresWhenAnElectionKeepsTheLeaderEpoch")
                        .provenBy(FORGED_RECORD, MODULE, CHECKS + "kzS3HoldsForLegalWritesAndFiresOnAnUnraisedEpochOrTwoLeadersInOneEpoch")
                        .provenBy(FORGED_RECORD, MODULE, CHECKS + "kzS3FiresWhenAnAlterPartitionChangesTheLeaderEpoch"),
                InvariantInfo.safety("KZ-S4", "Partition states are well formed", MODULE, """
                        Every partition state a controller writes has its leader in the ISR or no leader (-1), an ISR within the \
                        replicas, and a non-empty ISR.""")
                        .provenBy(PLANTED_BUG, MODULE, "dev.faultline.zookeeper.kafka.AllowEmptyIsrTest#withTheBugTheIsrEmptiesAndKzS4Fires")
                        .provenByScenario("scenarios/library/pb-zkc-2-allow-empty-isr.yaml"),
                InvariantInfo.safety("KZ-S5", "Clean elections pick an ISR member", MODULE, """
                        With unclean leader election disabled for the topic, every newly elected leader was in the ISR stored \
                        just before the election write.""")
                        .exempt(NOT_CHECKED, "an unclean election, which the topic allowed")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "kzS5FiresWhenTheControllerElectsOutsideTheIsrAgainstTheTopicSetting")
                        .provenBy(FORGED_RECORD, MODULE, CHECKS + "kzS5FiresOnAnElectionOutsideTheStoredIsrOnlyWhenTheTopicForbidsUncleanElection"),
                InvariantInfo.safety("KZ-S6", "Brokers obey only the current controller", MODULE, """
                        A broker applies a controller request only when its controller epoch is at least the highest the broker \
                        has seen and its broker epoch is the broker's own, and applies a LeaderAndIsr for a partition only with a \
                        leader epoch above the one it has.""")
                        .provenBy(PLANTED_BUG, MODULE, "dev.faultline.zookeeper.kafka.ZombieControllerRequestTest#"
                                + "withTheBugTheReturningBrokerObeysTheZombieControllerAndKzS6Fires"),
                InvariantInfo.safety("KZ-S7", "The controller's cache matches ZooKeeper", MODULE, """
                        After each controller event it completes, the active controller's cached partition states agree with \
                        what ZooKeeper holds.""")
                        .exempt(NOT_CHECKED, "a controller that is not active, whose ZooKeeper session is no longer valid, or while the "
                                + "ensemble has no established leader")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "kzS7FiresWhenTheCacheKeepsTheOldZkVersionAfterAWrite")
                        .provenBy(PLANTED_BUG, MODULE, EPOCH_CHECK + "withTheBugAndKzS2OffTheNewControllersCacheDisagreesWithZooKeeper",
                                "with KZ-S2, which fires first, turned off"),
                InvariantInfo.liveness("KZ-L1", "An active controller returns", MODULE, """
                        While the ZooKeeper quorum is up and at least one live broker is connected to it, the cluster has an \
                        active, fully loaded controller again within zookeeper.session.timeout.ms + two ticks + the failover cost \
                        for the partition count + one event-loop slack of losing the one it had. The count restarts whenever \
                        the conditions break.""")
                        .exempt(NOT_CHECKED, "while a controller event thread is paused (a stuck thread is invisible to ZooKeeper: a known "
                                + "hazard, not a liveness bug)")
                        .provenBy(MISBEHAVING_NODE, MODULE, "dev.faultline.zookeeper.kafka.ControllerAvailabilityTest#withNobodyRunningForElectionKzL1Fires"),
                InvariantInfo.liveness("KZ-L2", "Partitions of a dead broker get a new leader", MODULE, """
                        When a broker dies, each partition it hosted that still has a live candidate in its ISR again has a leader \
                        that ZooKeeper names and that applied its leadership, within the detection bound (session timeout and two \
                        ticks, or a request re-send) + the failover cost + two round trips + one event-loop slack. The count \
                        restarts whenever the ensemble, the controller or the links break.""")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "kzL2FiresWhenTheControllerElectsNobodyAtBrokerStartup")
                        .provenBy(PLANTED_BUG, MODULE, "dev.faultline.zookeeper.kafka.AllowEmptyIsrTest#"
                                + "withTheBugAndKzS4OffThePartitionStaysOfflineAndKzL2Fires",
                                "with KZ-S4, which fires first, turned off"));
    }
}
