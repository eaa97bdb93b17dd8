package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

/** Builds a {@link KafkaCluster}: {@link KafkaCluster#builder}. */
public final class KafkaClusterBuilder {
    final ClusterSpec spec;
    long seed = 1;
    Simulation simulation;
    ControlPlane controlPlane;
    LinkConfig link = new LinkConfig(LatencyModel.constant(Time.micros(500)), 0);
    final Map<Integer, Map<String, String>> brokerOverrides = new TreeMap<>();
    final Map<String, ProducerConfig> producers = new LinkedHashMap<>();
    final Map<String, int[]> consumers = new LinkedHashMap<>();
    final Set<String> disabled = new TreeSet<>();
    boolean failOnExpectedLoss;

    KafkaClusterBuilder(ClusterSpec spec) {
        this.spec = spec;
    }

    public KafkaClusterBuilder seed(long seed) {
        this.seed = seed;
        return this;
    }

    /** Uses an existing simulation (its network configuration is left as it is). */
    public KafkaClusterBuilder simulation(Simulation simulation) {
        this.simulation = simulation;
        return this;
    }

    public KafkaClusterBuilder controlPlane(ControlPlane controlPlane) {
        this.controlPlane = controlPlane;
        return this;
    }

    /** The default link between all nodes (default: constant 0.5 ms, unlimited bandwidth). */
    public KafkaClusterBuilder link(LinkConfig link) {
        this.link = link;
        return this;
    }

    /** A per-broker configuration override (e.g. {@code faultline.page.cache.flush.delay.ms}). */
    public KafkaClusterBuilder brokerConfig(int brokerId, String key, Object value) {
        brokerOverrides.computeIfAbsent(brokerId, k -> new TreeMap<>()).put(key, String.valueOf(value));
        return this;
    }

    public KafkaClusterBuilder producer(String name, ProducerConfig config) {
        producers.put(name, config);
        return this;
    }

    /** A consumer of these partitions (names like {@code orders-0}). */
    public KafkaClusterBuilder consumer(String name, String... partitions) {
        int[] ps = new int[partitions.length];
        for (int i = 0; i < ps.length; i++) {
            ps[i] = spec.partition(partitions[i]);
        }
        consumers.put(name, ps);
        return this;
    }

    /** Switches an invariant off by id (e.g. {@code DP-L1}). */
    public KafkaClusterBuilder disableInvariant(String id) {
        disabled.add(id);
        return this;
    }

    /** Promote EXPECTED losses to failures (to demonstrate a hazard such as JEPSEN-2013). */
    public KafkaClusterBuilder failOnExpectedLoss(boolean value) {
        this.failOnExpectedLoss = value;
        return this;
    }

    public KafkaCluster build() {
        return new KafkaCluster(this);
    }
}
