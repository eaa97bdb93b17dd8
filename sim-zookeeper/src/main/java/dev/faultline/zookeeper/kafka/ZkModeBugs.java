package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.ClusterSpec;
import java.util.List;

/**
 * Test switches of the ZooKeeper-mode controller that revert no historical fix
 * (docs/model.md#planted-bugs): each breaks one rule the controller keeps, so that a real run shows
 * the invariant guarding that rule firing (issue 14: every invariant fires in a real run). All off
 * by default; a scenario turns one on with {@code bugs:}, a test with the cluster config key of the
 * same name.
 *
 * @param reuseControllerEpoch {@code zkController.reuseControllerEpoch}: the winner of the
 *        {@code /controller} election writes {@code /controller_epoch} back unchanged instead of
 *        incrementing it ({@code registerControllerAndIncrementControllerEpoch} without the
 *        increment; the znode version still moves, so the epoch zkVersion fencing still works).
 *        Caught by KZ-S1.
 * @param keepLeaderEpochOnElection {@code zkController.keepLeaderEpochOnElection}: the
 *        offline-partition election writes the new leader with the old leader epoch instead of
 *        raising it. Caught by KZ-S3.
 * @param uncleanIgnoresTopicConfig {@code zkController.uncleanIgnoresTopicConfig}: the
 *        offline-partition election falls back to a live replica outside the ISR although the
 *        topic's {@code unclean.leader.election.enable} is false (as if the setting still had its
 *        pre-0.11 default, true, KIP-106). Caught by KZ-S5.
 * @param cacheKeepsOldZkVersion {@code zkController.cacheKeepsOldZkVersion}: after a successful
 *        partition-state write the controller's cache keeps the znode version it had instead of the
 *        one the write returned (Kafka puts {@code withPartitionEpoch(newZkVersion)} into its
 *        context), so the cache no longer matches ZooKeeper. Caught by KZ-S7.
 * @param noElectionOnBrokerStartup {@code zkController.noElectionOnBrokerStartup}: when a broker
 *        registers, the controller does not run the offline-partition election for partitions left
 *        without a leader ({@code onBrokerStartup} without its {@code triggerOnlinePartitionStateChange}),
 *        so a partition whose last ISR member returns stays offline. Caught by KZ-L2.
 */
public record ZkModeBugs(boolean reuseControllerEpoch, boolean keepLeaderEpochOnElection, boolean uncleanIgnoresTopicConfig,
                         boolean cacheKeepsOldZkVersion, boolean noElectionOnBrokerStartup) {
    static final String REUSE_CONTROLLER_EPOCH = "zkController.reuseControllerEpoch";
    static final String KEEP_LEADER_EPOCH_ON_ELECTION = "zkController.keepLeaderEpochOnElection";
    static final String UNCLEAN_IGNORES_TOPIC_CONFIG = "zkController.uncleanIgnoresTopicConfig";
    static final String CACHE_KEEPS_OLD_ZK_VERSION = "zkController.cacheKeepsOldZkVersion";
    static final String NO_ELECTION_ON_BROKER_STARTUP = "zkController.noElectionOnBrokerStartup";

    /** The switch names, as a scenario's {@code bugs:} names them. */
    public static final List<String> NAMES = List.of(REUSE_CONTROLLER_EPOCH, KEEP_LEADER_EPOCH_ON_ELECTION, UNCLEAN_IGNORES_TOPIC_CONFIG,
            CACHE_KEEPS_OLD_ZK_VERSION, NO_ELECTION_ON_BROKER_STARTUP);

    static ZkModeBugs of(ClusterSpec cluster) {
        return new ZkModeBugs(on(cluster, REUSE_CONTROLLER_EPOCH), on(cluster, KEEP_LEADER_EPOCH_ON_ELECTION),
                on(cluster, UNCLEAN_IGNORES_TOPIC_CONFIG), on(cluster, CACHE_KEEPS_OLD_ZK_VERSION), on(cluster, NO_ELECTION_ON_BROKER_STARTUP));
    }

    private static boolean on(ClusterSpec cluster, String name) {
        return Boolean.parseBoolean(cluster.config().getString(name, "false"));
    }
}
