package dev.faultline.scenarios.spec;

import dev.faultline.core.control.KafkaConfig;
import dev.faultline.core.mode.MetadataMode;
import dev.faultline.core.mode.Setting;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The configuration keys a scenario may set: the data plane's (real Kafka names with their
 * defaults, docs/model.md#replication-settings), the producer's, each metadata mode's settings and
 * planted-bug switches (declared by the mode's module, {@link Modes}), and Faultline's own
 * {@code faultline.*} settings. Anything else is a typo until proven otherwise, and is rejected with
 * a suggestion.
 */
public final class ConfigKeys {
    /** Planted-bug switches of the data plane, shared by every mode (docs/model.md#planted-bugs). */
    private static final List<String> DATA_PLANE_BUGS = List.of("replication.truncateToHighWatermark", "replication.singleRoundEpochLookup");

    /**
     * Planted-bug switches (docs/model.md#planted-bugs): each mode's, in the order of {@link Modes},
     * then the data plane's. Each reverts one historical fix, except the test switches their modes
     * name.
     */
    public static final List<String> PLANTED_BUGS;

    private static final List<String> OWN_KEYS = List.of(
            // Producer (the Kafka 3.9 Java client's names; see the core module's ProducerConfig)
            "acks", "retries", "retry.backoff.ms", "request.timeout.ms", "delivery.timeout.ms",
            "max.in.flight.requests.per.connection", "linger.ms", "batch.size", "max.request.size", "retry.backoff.max.ms",
            "partitioner.class", "partitioner.ignore.keys", "bootstrap.servers", "faultline.record.bytes");

    /**
     * Real Kafka settings of the data plane and the producer that the model does not reproduce, each
     * with what it does instead; with each mode's ({@link MetadataMode#notModelled}), refused.
     */
    private static final java.util.Map<String, String> NOT_MODELLED;

    /** Each mode's settings by key. */
    private static final java.util.Map<String, Setting> MODE_SETTINGS;
    private static final Set<String> KNOWN;

    static {
        java.util.TreeMap<String, String> n = new java.util.TreeMap<>();
        n.put("enable.idempotence", "producers here send without producer ids or sequence numbers, as with idempotence off (a retried "
                + "batch may be written twice)");
        n.put("metadata.max.age.ms", "producers here refresh their metadata only when a request fails or a partition has no known "
                + "leader, never periodically");
        n.put("replica.fetch.min.bytes", "a leader here answers a follower's fetch as soon as any record is there, as with the default 1");
        n.put("num.replica.fetchers", "a follower here runs one fetcher per leader broker, as with the default 1");
        n.put("default.replication.factor", "topics are never created automatically here; each topic states its replication.factor");
        List<String> bugs = new java.util.ArrayList<>();
        java.util.TreeMap<String, Setting> settings = new java.util.TreeMap<>();
        for (MetadataMode m : Modes.all()) {
            n.putAll(m.notModelled());
            bugs.addAll(m.plantedBugs());
            for (Setting st : m.settings()) {
                settings.put(st.key(), st);
            }
        }
        bugs.addAll(DATA_PLANE_BUGS);
        PLANTED_BUGS = List.copyOf(bugs);
        MODE_SETTINGS = java.util.Collections.unmodifiableMap(settings);
        NOT_MODELLED = java.util.Collections.unmodifiableMap(n);
        TreeSet<String> k = new TreeSet<>(KafkaConfig.DEFAULTS.keySet());
        k.addAll(OWN_KEYS);
        k.addAll(MODE_SETTINGS.keySet());
        k.addAll(PLANTED_BUGS);
        KNOWN = java.util.Collections.unmodifiableSet(k);
    }

    private ConfigKeys() {
    }

    public static Set<String> known() {
        return KNOWN;
    }

    /** Keys whose value is true or false besides those with such a default and the planted bugs. */
    private static final Set<String> BOOLEANS = Set.of("partitioner.ignore.keys");
    /** Keys whose value is text. */
    private static final Set<String> TEXT = Set.of("bootstrap.servers", "partitioner.class");
    /** Whole-number keys that may be 0 although their name says interval or timeout (Kafka allows it, and it loops nothing). */
    private static final Set<String> ZERO_ALLOWED = Set.of("faultline.oracle.detection.delay.ms", "linger.ms");

    /**
     * Keys whose half is a timer period (the broker's isr-expiration task runs every
     * {@code replica.lag.time.max.ms / 2}): below 2 that period is 0, which Kafka's scheduler refuses
     * at broker start-up and which would repeat the timer at one instant forever here.
     */
    private static final Set<String> HALVED = Set.of("replica.lag.time.max.ms");

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
            return Setting.checkFlag(key, value);
        }
        Setting modeSetting = MODE_SETTINGS.get(key);
        if (modeSetting != null) {
            return modeSetting.check(value);
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
        long max = key.equals("log.flush.interval.messages") || key.endsWith(".ns") ? Long.MAX_VALUE : Integer.MAX_VALUE;
        String lower = key.toLowerCase(java.util.Locale.ROOT);
        boolean positive = !ZERO_ALLOWED.contains(key) && (lower.contains("interval") || lower.contains("timeout")
                || key.equals("min.insync.replicas") || key.contains("in.flight") || key.equals("batch.size") || key.equals("max.request.size")
                || key.equals("faultline.record.bytes"));
        return Setting.checkNumber(key, value, HALVED.contains(key) ? 2 : positive ? 1 : 0, max);
    }

    /**
     * Why a real Kafka or ZooKeeper setting that the model does not reproduce is refused, or
     * {@code null} for any other key.
     */
    public static String notModelled(String key) {
        return NOT_MODELLED.get(key);
    }

    /** Whether a key may appear in {@code config}: a known property or a {@code faultline.*} setting. */
    public static boolean isKnown(String key) {
        return KNOWN.contains(key);
    }
}
