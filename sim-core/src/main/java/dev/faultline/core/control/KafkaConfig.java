package dev.faultline.core.control;

import dev.faultline.core.kernel.Time;
import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;

/**
 * Kafka (and ZooKeeper / KRaft) configuration as an operator writes it: real property names, real
 * defaults (docs/model.md#zookeeper-mode-controller-settings, docs/model.md#kraft-settings,
 * docs/model.md#replication-settings), values as strings. Unknown keys are kept (a scenario may
 * carry settings for another module) but reading an unknown key without a default fails loudly.
 *
 * <p>Simulator-only settings carry the {@code faultline.} prefix or the planted-bug switch names of
 * docs/model.md#planted-bugs ({@code replication.truncateToHighWatermark}, ...), which are not
 * Kafka settings.
 */
public final class KafkaConfig {
    /** Defaults of every key this module reads; other modules add theirs by passing them explicitly. */
    public static final Map<String, String> DEFAULTS;

    static {
        TreeMap<String, String> d = new TreeMap<>();
        // Replication data plane (docs/model.md#replication-settings).
        d.put("replica.lag.time.max.ms", "30000");
        d.put("replica.fetch.wait.max.ms", "500");
        d.put("replica.fetch.max.bytes", "1048576");
        d.put("replica.fetch.backoff.ms", "1000");
        d.put("replica.socket.timeout.ms", "30000");
        d.put("replica.high.watermark.checkpoint.interval.ms", "5000");
        d.put("min.insync.replicas", "1");
        d.put("unclean.leader.election.enable", "false");
        d.put("log.flush.interval.messages", Long.toString(Long.MAX_VALUE));
        // Control planes (docs/model.md#zookeeper-mode-controller-settings,
        // docs/model.md#kraft-settings); read by sim-zookeeper and sim-raft.
        d.put("zookeeper.session.timeout.ms", "18000");
        d.put("broker.session.timeout.ms", "9000");
        d.put("broker.heartbeat.interval.ms", "2000");
        d.put("controller.socket.timeout.ms", "30000");
        // Controlled shutdown (docs/model.md#controlled-shutdown,
        // docs/model.md#zookeeper-mode-controller-settings); read by every control plane.
        d.put("controlled.shutdown.enable", "true");
        d.put("controlled.shutdown.max.retries", "3");
        d.put("controlled.shutdown.retry.backoff.ms", "5000");
        // Simulator: OS page-cache writeback delay of partition data
        // (docs/architecture.md#disks-and-durability). Linux dirty_expire_centisecs is 3000 (30 s);
        // writeback runs every 5 s.
        d.put("faultline.page.cache.flush.delay.ms", "30000");
        // Simulator: the oracle control plane's detection delay (docs/model.md#the-oracle; default
        // zero).
        d.put("faultline.oracle.detection.delay.ms", "0");
        // Simulator: CPU cost of a broker handling one partition in a request, in nanoseconds.
        d.put("faultline.broker.partition.cost.ns", "2000");
        // Simulator: the failover canary (KafkaCluster) that measures the client phase of broker failovers.
        d.put("faultline.canary.enable", "true");
        // Planted-bug switches (docs/model.md#planted-bugs), off by default.
        d.put("replication.truncateToHighWatermark", "false");
        d.put("replication.singleRoundEpochLookup", "false");
        // Before KIP-966 the leader advanced the HW even while ISR < min.insync.replicas.
        d.put("replication.hwAdvanceBelowMinIsr", "true");
        DEFAULTS = Collections.unmodifiableMap(d);
    }

    private final TreeMap<String, String> values;

    private KafkaConfig(Map<String, String> values) {
        this.values = new TreeMap<>(values);
    }

    /** Only the defaults. */
    public static KafkaConfig defaults() {
        return new KafkaConfig(Map.of());
    }

    /** The defaults overridden by {@code overrides}. */
    public static KafkaConfig of(Map<String, String> overrides) {
        return new KafkaConfig(overrides);
    }

    /** This configuration with {@code key} set to {@code value}. */
    public KafkaConfig with(String key, Object value) {
        TreeMap<String, String> copy = new TreeMap<>(values);
        copy.put(key, String.valueOf(value));
        return new KafkaConfig(copy);
    }

    /** This configuration overridden by {@code overrides} (a topic's configuration, for example). */
    public KafkaConfig withAll(Map<String, String> overrides) {
        if (overrides.isEmpty()) {
            return this;
        }
        TreeMap<String, String> copy = new TreeMap<>(values);
        copy.putAll(overrides);
        return new KafkaConfig(copy);
    }

    /** The explicitly set values (without defaults), sorted by key. */
    public Map<String, String> overrides() {
        return Collections.unmodifiableMap(values);
    }

    /** Whether the key is set explicitly or has a default. */
    public boolean has(String key) {
        return values.containsKey(key) || DEFAULTS.containsKey(key);
    }

    public String getString(String key) {
        String v = values.get(key);
        if (v == null) {
            v = DEFAULTS.get(key);
        }
        if (v == null) {
            throw new IllegalArgumentException("configuration key '" + key + "' is not set and has no default");
        }
        return v;
    }

    /** The value, or {@code fallback} when the key is neither set nor defaulted here. */
    public String getString(String key, String fallback) {
        return has(key) ? getString(key) : fallback;
    }

    public long getLong(String key) {
        String v = getString(key).trim();
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("configuration key '" + key + "' must be an integer, got '" + v + "'");
        }
    }

    public int getInt(String key) {
        return Math.toIntExact(getLong(key));
    }

    public boolean getBoolean(String key) {
        String v = getString(key).trim();
        if (v.equalsIgnoreCase("true")) {
            return true;
        }
        if (v.equalsIgnoreCase("false")) {
            return false;
        }
        throw new IllegalArgumentException("configuration key '" + key + "' must be true or false, got '" + v + "'");
    }

    /** A {@code *.ms} property as nanoseconds. */
    public long getMillisAsNanos(String key) {
        return Math.multiplyExact(getLong(key), Time.MILLISECOND);
    }

    @Override
    public String toString() {
        return "KafkaConfig" + values;
    }
}
