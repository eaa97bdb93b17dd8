package dev.faultline.scenarios.spec;

import dev.faultline.core.control.KafkaConfig;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration keys a scenario may set: real Kafka, KRaft and ZooKeeper property names
 * (docs/model.md#zookeeper-settings, docs/model.md#zookeeper-mode-controller-settings,
 * docs/model.md#kraft-settings, docs/model.md#replication-settings) and Faultline's own
 * {@code faultline.*} settings. Anything else is a typo until proven otherwise, and is rejected
 * with a suggestion.
 */
public final class ConfigKeys {
    /**
     * Planted-bug switches (docs/model.md#planted-bugs); each reverts one historical fix, except the
     * test switches marked below and {@code kraftController.electFencedLeader}, a test switch for KM-S4
     * (elections accept a fenced replica).
     */
    public static final List<String> PLANTED_BUGS = List.of(
            "zab.syncDiffWithoutTrunc",
            "zkController.noEpochZkVersionCheck",
            "zkController.allowEmptyIsr",
            // Test switches for KZ-S6 and KZ-L1 (they revert no historical fix; sim-zookeeper ZkBrokerAgent).
            "zkBroker.ignoreControllerEpoch",
            "zkBroker.ignoreControllerDeletion",
            // Test switches for ZK-S1, ZK-S4..ZK-S7 (sim-zookeeper ZabBugs) and KZ-S1, KZ-S3, KZ-S5, KZ-S7, KZ-L2 (ZkModeBugs).
            "zab.reuseAcceptedEpoch",
            "zab.commitWithoutQuorum",
            "zab.ackWithoutFsync",
            "zab.truncOffByOne",
            "zab.closeSessionKeepsEphemerals",
            "zab.sessionExpiryRoundsDown",
            "zkController.reuseControllerEpoch",
            "zkController.keepLeaderEpochOnElection",
            "zkController.uncleanIgnoresTopicConfig",
            "zkController.cacheKeepsOldZkVersion",
            "zkController.noElectionOnBrokerStartup",
            "raft.noCheckQuorum",
            "raft.commitPriorEpochByCount",
            "raft.commitPriorEpochByCount.offByOne",
            "raft.noPreVote",
            "kraftController.isrIgnoresBrokerEpoch",
            "kraftController.electFencedLeader",
            "replication.truncateToHighWatermark",
            "replication.singleRoundEpochLookup");

    private static final List<String> MODE_KEYS = List.of(
            // ZooKeeper servers (zoo.cfg names) and Kafka's ZooKeeper client
            "tickTime", "initLimit", "syncLimit", "minSessionTimeout", "maxSessionTimeout", "forceSync",
            "zookeeper.fastleader.minNotificationInterval", "zookeeper.fastleader.maxNotificationInterval",
            "zookeeper.cnxTimeout", "zookeeper.connection.timeout.ms", "zookeeper.max.in.flight.requests",
            "controlled.shutdown.enable", "controlled.shutdown.max.retries", "controlled.shutdown.retry.backoff.ms",
            "auto.leader.rebalance.enable", "leader.imbalance.check.interval.seconds", "leader.imbalance.per.broker.percentage",
            // KRaft
            "controller.quorum.election.timeout.ms", "controller.quorum.fetch.timeout.ms",
            "controller.quorum.election.backoff.max.ms", "controller.quorum.request.timeout.ms",
            "controller.quorum.retry.backoff.ms", "controller.quorum.append.linger.ms",
            "metadata.max.idle.interval.ms", "metadata.log.max.record.bytes.between.snapshots",
            "metadata.log.max.snapshot.interval.ms", "metadata.max.retention.bytes", "metadata.max.retention.ms",
            // Producer
            "acks", "retries", "retry.backoff.ms", "request.timeout.ms", "delivery.timeout.ms", "enable.idempotence",
            // Opt-in checks (docs/invariants.md)
            "faultline.check.commit.latency", "faultline.check.stable.leadership", "faultline.check.kz.l2",
            // Cost model and simulator settings of the control planes
            "faultline.controller.record.cost.ns", "faultline.broker.startup.retry.ms",
            // ZooKeeper-mode controller costs (sim-zookeeper ZkCosts)
            "faultline.zk.controller.state.read.ns", "faultline.zk.controller.request.partition.ns",
            "faultline.zk.controller.write.partition.ns", "faultline.zk.controller.topic.ns",
            // Producer (the Kafka 3.9 Java client's names; see the core module's ProducerConfig)
            "max.in.flight.requests.per.connection", "linger.ms", "batch.size", "max.request.size", "retry.backoff.max.ms",
            "partitioner.class", "partitioner.ignore.keys", "metadata.max.age.ms", "bootstrap.servers", "faultline.record.bytes");

    private static final Set<String> KNOWN;

    static {
        TreeSet<String> k = new TreeSet<>(KafkaConfig.DEFAULTS.keySet());
        k.addAll(MODE_KEYS);
        k.addAll(PLANTED_BUGS);
        KNOWN = java.util.Collections.unmodifiableSet(k);
    }

    private ConfigKeys() {
    }

    public static Set<String> known() {
        return KNOWN;
    }

    /** Keys whose value is true or false besides those with such a default and the planted bugs. */
    private static final Set<String> BOOLEANS = Set.of("auto.leader.rebalance.enable", "enable.idempotence", "faultline.check.commit.latency",
            "faultline.check.stable.leadership", "faultline.check.kz.l2", "partitioner.ignore.keys");
    /** Keys whose value is text. */
    private static final Set<String> TEXT = Set.of("bootstrap.servers", "partitioner.class");
    /** Whole-number keys that may be 0 although their name says interval or timeout (Kafka allows it, and it loops nothing). */
    private static final Set<String> ZERO_ALLOWED = Set.of("faultline.oracle.detection.delay.ms", "linger.ms",
            "metadata.log.max.snapshot.interval.ms");

    /**
     * {@code null} when {@code value} is a valid value of {@code key}, else what would be (the
     * simulator reads these values only when the run starts, so they are checked here). Whole
     * numbers are non-negative and fit the int most of them are in Kafka (so that milliseconds and
     * seconds can be turned into nanoseconds); intervals and timeouts are at least 1, because 0
     * would repeat a timer at the same instant forever.
     */
    public static String checkValue(String key, String value) {
        String v = value.trim();
        String dflt = KafkaConfig.DEFAULTS.get(key);
        if (PLANTED_BUGS.contains(key) || BOOLEANS.contains(key) || "true".equals(dflt) || "false".equals(dflt)) {
            return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false") ? null : "'" + key + "' must be true or false, not '" + value + "'";
        }
        if (key.equals("forceSync")) {
            return v.equals("yes") || v.equals("no") ? null : "'forceSync' must be yes or no (ZooKeeper's spelling), not '" + value + "'";
        }
        if (key.equals("acks")) {
            return List.of("0", "1", "all", "-1").contains(v) ? null : "'acks' must be 0, 1 or all, not '" + value + "'";
        }
        if (key.equals("partitioner.class")) {
            return v.equals(dev.faultline.core.kafka.ProducerConfig.ROUND_ROBIN) || v.equals("RoundRobinPartitioner") ? null
                    : "'partitioner.class' can be " + dev.faultline.core.kafka.ProducerConfig.ROUND_ROBIN
                    + " (leave it unset for the built-in sticky and key-hash partitioner), not '" + value + "'";
        }
        if (key.equals("bootstrap.servers")) {
            return v.isEmpty() || v.matches("broker-[1-9]\\d{0,8}( *, *broker-[1-9]\\d{0,8})*") ? null
                    : "'bootstrap.servers' lists broker node names separated by commas (broker-1,broker-2), not '" + value + "'";
        }
        if (TEXT.contains(key)) {
            return null;
        }
        long max = key.equals("log.flush.interval.messages") || key.endsWith(".ns") ? Long.MAX_VALUE
                : key.equals("leader.imbalance.per.broker.percentage") ? 100 : Integer.MAX_VALUE;
        String lower = key.toLowerCase(java.util.Locale.ROOT);
        boolean positive = !ZERO_ALLOWED.contains(key) && (lower.contains("interval") || lower.contains("timeout") || key.equals("tickTime")
                || key.endsWith("Limit") || key.equals("min.insync.replicas") || key.equals("default.replication.factor")
                || key.equals("num.replica.fetchers") || key.contains("in.flight") || key.equals("batch.size") || key.equals("max.request.size")
                || key.equals("faultline.record.bytes"));
        long min = positive ? 1 : 0;
        long n;
        try {
            n = Long.parseLong(v);
        } catch (NumberFormatException e) {
            return "'" + key + "' must be a whole number between " + min + " and " + max + ", not '" + value + "'";
        }
        return n >= min && n <= max ? null : "'" + key + "' must be between " + min + " and " + max + ", not " + n;
    }

    /** Whether a key may appear in {@code config}: a known property or a {@code faultline.*} setting. */
    public static boolean isKnown(String key) {
        return KNOWN.contains(key);
    }
}
