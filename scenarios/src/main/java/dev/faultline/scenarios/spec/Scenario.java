package dev.faultline.scenarios.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;
import com.fasterxml.jackson.annotation.JsonValue;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import dev.faultline.core.mode.KafkaVersion;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.scenarios.spec.Formats.As;
import dev.faultline.scenarios.spec.Formats.Format;
import dev.faultline.scenarios.spec.Formats.Names;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A failure scenario as written in YAML (docs/scenarios.md): the cluster, its topics and workload, the
 * faults with their times, and what must hold. Targets stay as written and are resolved when each
 * fault fires.
 *
 * <p>Jackson binds and writes the records ({@link ScenarioYaml}): a key is the component's name in kebab
 * case unless {@code @JsonProperty} names it, whose {@code defaultValue} an absent key reads as.
 *
 * @param name short name, used for the run directory ({@code runs/<name>-<seed>/})
 * @param description what the scenario reproduces, in a sentence or two
 * @param seed the root seed; {@code faultline run --seed} overrides it
 * @param durationNanos virtual time the run lasts ({@code duration: 120s})
 * @param cluster brokers, metadata mode, configuration and network
 * @param topics the topics created before the run starts
 * @param workload producers and consumers
 * @param faults the fault schedule
 * @param expectations what must hold for the run to pass; empty means {@code no-violations}
 * @param bugs planted-bug switches turned on, each reverting one historical fix in the model
 *     (docs/model.md#planted-bugs), e.g. {@code raft.noCheckQuorum}
 * @param adaptive adaptive timing ({@code adaptive: {margin: 10s, limit: 1h}}): faults wait for the
 *     cluster to settle and the run lasts until every failover completed; {@code null} for the fixed
 *     schedule as written
 */
@JsonPropertyOrder({"name", "description", "seed", "duration", "adaptive", "cluster"})
public record Scenario(String name, String description, @JsonProperty(defaultValue = "1") long seed,
                       @JsonProperty(value = "duration", defaultValue = "60s") @As(Format.DURATION) long durationNanos, Cluster cluster,
                       List<Topic> topics, @JsonDeserialize(contentUsing = Shapes.WorkloadIn.class) @JsonSerialize(contentUsing = Shapes.WorkloadOut.class) List<Workload> workload,
                       @JsonDeserialize(contentUsing = Shapes.FaultIn.class) @JsonSerialize(contentUsing = Shapes.FaultOut.class) List<FaultEntry> faults,
                       @JsonProperty("expect") @JsonDeserialize(using = Shapes.ExpectIn.class) @JsonSerialize(contentUsing = Shapes.ExpectOut.class)
                       List<Expectation> expectations,
                       List<String> bugs, @JsonDeserialize(using = Formats.AdaptiveIn.class) Adaptive adaptive) {

    public Scenario {
        description = description == null ? "" : description;
        topics = List.copyOf(topics);
        workload = List.copyOf(workload);
        faults = List.copyOf(faults);
        expectations = List.copyOf(expectations);
        bugs = List.copyOf(bugs);
    }

    /** A scenario with the fixed schedule as written. */
    public Scenario(String name, String description, long seed, long durationNanos, Cluster cluster, List<Topic> topics,
                    List<Workload> workload, List<FaultEntry> faults, List<Expectation> expectations, List<String> bugs) {
        this(name, description, seed, durationNanos, cluster, topics, workload, faults, expectations, bugs, null);
    }

    /** This scenario with another seed. */
    public Scenario withSeed(long newSeed) {
        return new Scenario(name, description, newSeed, durationNanos, cluster, topics, workload, faults, expectations, bugs, adaptive);
    }

    /** The same scenario with these planted-bug switches instead (none: the differential baseline). */
    public Scenario withBugs(List<String> newBugs) {
        return new Scenario(name, description, seed, durationNanos, cluster, topics, workload, faults, expectations, newBugs, adaptive);
    }

    /** This scenario in another metadata mode (for comparisons). */
    public Scenario withMode(Mode mode) {
        return new Scenario(name, description, seed, durationNanos, cluster.withMode(mode), topics, workload, faults, expectations, bugs, adaptive);
    }

    /** This scenario modelling another Kafka version (for comparisons). */
    public Scenario withVersion(KafkaVersion version) {
        return new Scenario(name, description, seed, durationNanos, cluster.withVersion(version), topics, workload, faults, expectations, bugs,
                adaptive);
    }

    /** This scenario with other topics (a partition-count sweep). */
    public Scenario withTopics(List<Topic> newTopics) {
        return new Scenario(name, description, seed, durationNanos, cluster, newTopics, workload, faults, expectations, bugs, adaptive);
    }

    /** This scenario with adaptive timing ({@code null}: the fixed schedule). */
    public Scenario withAdaptive(Adaptive newAdaptive) {
        return new Scenario(name, description, seed, durationNanos, cluster, topics, workload, faults, expectations, bugs, newAdaptive);
    }

    /** This scenario with these expectations instead. */
    public Scenario withExpectations(List<Expectation> newExpectations) {
        return new Scenario(name, description, seed, durationNanos, cluster, topics, workload, faults, newExpectations, bugs, adaptive);
    }

    /** Total partitions over every topic. */
    public long partitionCount() {
        long n = 0;
        for (Topic t : topics) {
            n += t.partitions();
        }
        return n;
    }

    /** Total partition replicas over every topic (partitions times replication factor). */
    public long replicaCount() {
        long n = 0;
        for (Topic t : topics) {
            n += (long) t.partitions() * t.replicationFactor();
        }
        return n;
    }

    /**
     * Adaptive timing, for runs whose set-up and failovers last longer at larger sizes (a
     * partition-count sweep): each fault fires at its written time shifted by how late the faults
     * before it fired, and no earlier than when the cluster has settled (every partition that can
     * have a leader has one that applied its leadership) and every earlier failover has completed.
     * The run lasts its written duration (shifted the same way), and at least until every failover
     * has completed plus {@code margin}; never longer than {@code limit} of virtual time.
     *
     * @param marginNanos how long the run goes on after the last failover completed
     * @param limitNanos the most virtual time the run may last
     */
    public record Adaptive(@JsonProperty(value = "margin", defaultValue = "10s") @As(Format.DURATION) long marginNanos,
                           @JsonProperty(value = "limit", defaultValue = "-1ns") @As(Format.DURATION) long limitNanos) {
        /** The defaults: a 10 s margin and a one-hour limit. */
        public static final Adaptive DEFAULT = new Adaptive(10 * dev.faultline.core.kernel.Time.SECOND, dev.faultline.core.kernel.Time.HOUR);
        /** The limit of an {@code adaptive} that names none, until the duration is known (the longer of it and an hour). */
        static final long UNSET = -1;
    }

    /**
     * The metadata modes a cluster runs in: KRaft, ZooKeeper mode and the omniscient oracle; each is
     * implemented by its module behind the mode SPI (docs/architecture.md#the-mode-spi).
     */
    public enum Mode {
        KRAFT, ZOOKEEPER, ORACLE;

        /** The YAML spelling: {@code kraft}, {@code zookeeper}, {@code oracle}. */
        @JsonValue
        public String yamlName() {
            return name().toLowerCase(Locale.ROOT);
        }

        public static Mode parse(String s) {
            for (Mode m : values()) {
                if (m.yamlName().equals(s)) {
                    return m;
                }
            }
            return null;
        }
    }

    /**
     * The cluster.
     *
     * @param mode metadata mode: {@code kraft}, {@code zookeeper} or {@code oracle}
     * @param brokers number of brokers, named {@code broker-1} .. {@code broker-N}
     * @param racks rack names, assigned to brokers round-robin; empty for no racks
     * @param controllers KRaft voters: dedicated nodes {@code controller-1..K}, or, with
     *     {@code combined}, the first K brokers also vote
     * @param combined KRaft combined mode (brokers that also vote)
     * @param zookeeper ZooKeeper ensemble size in zookeeper mode, servers {@code zk-1..Z}
     * @param config Kafka and ZooKeeper properties with their real names ({@code min.insync.replicas},
     *     {@code zookeeper.session.timeout.ms}, {@code tickTime}, ...); unset keys take the real defaults
     * @param network link latency and bandwidth
     * @param brokerConfig per-broker overrides ({@code broker-config: {broker-2: {faultline.page.cache.flush.delay.ms: 8000}}})
     * @param warmStart {@code start: warm} (the default): the run starts from an established cluster
     *     (topics created long ago, replicas in sync, sessions and the quorum in steady state);
     *     {@code start: cold} starts every process at time 0 and runs the whole start-up protocol
     * @param version {@code version: "3.9"} (the default) or {@code "4.0"}: the Kafka release whose
     *     behaviour and defaults the run models where they changed ({@link KafkaVersion}; each mode
     *     says which it runs, ZooKeeper mode 3.9 only)
     */
    @JsonPropertyOrder({"mode", "version"})
    public record Cluster(@JsonProperty(defaultValue = "kraft") @As(Format.MODE) Mode mode,
                          @JsonProperty(defaultValue = "3") int brokers, @Names List<String> racks,
                          @JsonProperty(defaultValue = "3") int controllers, boolean combined, @JsonProperty(defaultValue = "3") int zookeeper,
                          @JsonDeserialize(using = Formats.ConfigIn.class) Map<String, String> config, Network network,
                          @JsonDeserialize(contentUsing = Formats.ConfigIn.class) Map<String, Map<String, String>> brokerConfig,
                          @JsonProperty(value = "start", defaultValue = "warm") @JsonInclude(value = JsonInclude.Include.CUSTOM,
                                  valueFilter = Formats.IsTrue.class) @As(Format.START) boolean warmStart,
                          @JsonProperty(defaultValue = "3.9") @As(Format.VERSION) KafkaVersion version) {
        public Cluster {
            racks = List.copyOf(racks);
            network = network == null ? Network.DEFAULT : network;
            // Sorted, never Map.copyOf: its iteration order changes from one JVM to the next.
            config = sorted(config);
            java.util.TreeMap<String, Map<String, String>> perBroker = new java.util.TreeMap<>();
            brokerConfig.forEach((broker, c) -> perBroker.put(broker, sorted(c)));
            brokerConfig = java.util.Collections.unmodifiableMap(perBroker);
        }

        /**
         * A cold-started cluster. Code that builds clusters (the fuzzer's generator) says cold on
         * purpose: the YAML default is warm, and the fuzzer explores the start-up protocol too.
         */
        public Cluster(Mode mode, int brokers, List<String> racks, int controllers, boolean combined, int zookeeper,
                       Map<String, String> config, Network network, Map<String, Map<String, String>> brokerConfig) {
            this(mode, brokers, racks, controllers, combined, zookeeper, config, network, brokerConfig, false, KafkaVersion.DEFAULT);
        }

        /** A cold-started cluster without per-broker overrides. */
        public Cluster(Mode mode, int brokers, List<String> racks, int controllers, boolean combined, int zookeeper,
                       Map<String, String> config, Network network) {
            this(mode, brokers, racks, controllers, combined, zookeeper, config, network, Map.of());
        }

        /**
         * This cluster in another mode. The metadata quorum keeps its size, so that both modes
         * tolerate the same number of failed quorum members: a KRaft cluster with K voters becomes a
         * ZooKeeper-mode cluster with a K-server ensemble, and back.
         */
        Cluster withMode(Mode m) {
            int voters = controllers;
            int ensemble = zookeeper;
            if (mode == Mode.KRAFT && m == Mode.ZOOKEEPER) {
                ensemble = controllers;
            } else if (mode == Mode.ZOOKEEPER && m == Mode.KRAFT) {
                voters = zookeeper;
            }
            boolean comb = combined && m == Mode.KRAFT;
            return new Cluster(m, brokers, racks, voters, comb, ensemble, config, network.withQuorumNames(mode, m, comb), brokerConfig, warmStart,
                    version);
        }

        /** This cluster started warm or cold. */
        public Cluster withWarmStart(boolean warm) {
            return new Cluster(mode, brokers, racks, controllers, combined, zookeeper, config, network, brokerConfig, warm, version);
        }

        /** This cluster modelling another Kafka version. */
        public Cluster withVersion(KafkaVersion v) {
            return new Cluster(mode, brokers, racks, controllers, combined, zookeeper, config, network, brokerConfig, warmStart, v);
        }
    }

    /**
     * The network between the nodes.
     *
     * @param latency one-way latency model between nodes of one zone, and for nodes in no zone
     * @param bandwidthBitsPerSecond link bandwidth; 0 for unlimited
     * @param zones nodes placed in each zone (a rack, a data centre), by node name: brokers,
     *     controllers, ZooKeeper servers, clients ({@code producer-1}, {@code consumer-2},
     *     {@code canary}); a broker not listed is in the zone named by its rack
     * @param between one-way latency between two zones, both ways ({@code between: [{zones: [dc1, dc2], latency: {...}}]})
     */
    public record Network(@JsonProperty(defaultValue = "500us") @JsonDeserialize(using = Formats.LatencyIn.class)
                          @JsonSerialize(using = Formats.LatencyOut.class) LatencyModel latency,
                          @JsonProperty(value = "bandwidth", defaultValue = "unlimited") @As(Format.BANDWIDTH) long bandwidthBitsPerSecond,
                          Map<String, List<String>> zones, @JsonDeserialize(contentUsing = Shapes.BetweenIn.class)
                          @JsonSerialize(contentUsing = Shapes.BetweenOut.class) List<ZoneLatency> between) {
        /** 500 µs each way, unlimited bandwidth. */
        public static final Network DEFAULT = new Network(LatencyModel.constant(500 * dev.faultline.core.kernel.Time.MICROSECOND), 0);

        public Network {
            java.util.TreeMap<String, List<String>> z = new java.util.TreeMap<>();
            zones.forEach((zone, nodes) -> z.put(zone, List.copyOf(nodes)));
            zones = java.util.Collections.unmodifiableMap(z);
            between = List.copyOf(between);
        }

        /** One latency between every pair of nodes. */
        public Network(LatencyModel latency, long bandwidthBitsPerSecond) {
            this(latency, bandwidthBitsPerSecond, Map.of(), List.of());
        }

        /**
         * The same network for a cluster converted from mode {@code from} to {@code to}: the
         * metadata quorum's members keep their zones ({@code controller-N} becomes {@code zk-N} and
         * back); names of quorum members the new mode does not have (the oracle's, combined voters)
         * leave their zones.
         */
        Network withQuorumNames(Mode from, Mode to, boolean combinedTo) {
            if (zones.isEmpty() || from == to) {
                return this;
            }
            java.util.TreeMap<String, List<String>> z = new java.util.TreeMap<>();
            zones.forEach((zone, nodes) -> {
                List<String> renamed = new java.util.ArrayList<>();
                for (String n : nodes) {
                    String number = n.startsWith("controller-") ? n.substring("controller-".length()) : n.startsWith("zk-") ? n.substring(3) : null;
                    if (number == null) {
                        renamed.add(n);
                    } else if (to == Mode.ZOOKEEPER) {
                        renamed.add("zk-" + number);
                    } else if (to == Mode.KRAFT && !combinedTo) {
                        renamed.add("controller-" + number);
                    }
                }
                z.put(zone, renamed);
            });
            return new Network(latency, bandwidthBitsPerSecond, z, between);
        }
    }

    /** The latency between two zones (both ways); the same zone twice sets the latency inside it. */
    public record ZoneLatency(String zoneA, String zoneB, LatencyModel latency) {
    }

    /**
     * A topic.
     *
     * @param name topic name
     * @param partitions number of partitions
     * @param replicationFactor replicas per partition ({@code replication.factor})
     * @param config topic-level overrides ({@code min.insync.replicas}, {@code unclean.leader.election.enable})
     * @param createAtNanos when an administrator creates the topic during the run ({@code create-at: 20s});
     *     -1 for a topic that exists from the start
     */
    public record Topic(String name, @JsonProperty(defaultValue = "1") int partitions, @JsonProperty(value = "replication.factor", defaultValue = "1")
                        int replicationFactor,
                        @JsonDeserialize(using = Formats.ConfigIn.class) Map<String, String> config,
                        @JsonProperty(value = "create-at", defaultValue = "-1ns") @JsonInclude(value = JsonInclude.Include.CUSTOM,
                                valueFilter = Formats.Negative.class) @As(Format.DURATION) long createAtNanos) {
        public Topic {
            config = sorted(config);
        }

        /** A topic that exists from the start. */
        public Topic(String name, int partitions, int replicationFactor, Map<String, String> config) {
            this(name, partitions, replicationFactor, config, -1);
        }

        /** Whether the topic is created during the run. */
        public boolean createdAtRuntime() {
            return createAtNanos >= 0;
        }
    }

    /** A client of the cluster. */
    public sealed interface Workload {
        String topic();
    }

    /**
     * A producer writing to a topic, as an application with the Kafka Java client would: each record
     * goes to one partition, chosen by the client's partitioner (the key's hash, or the uniform
     * sticky partitioner for unkeyed records; see the core module's {@code KafkaProducer}).
     *
     * @param topic the topic
     * @param ratePerSecond records per second sent by the producer in all ({@code rate: 2000/s}), whatever the partition count
     * @param acks {@code 0}, {@code 1} or {@code all}
     * @param config producer properties ({@code retries}, {@code request.timeout.ms}, {@code delivery.timeout.ms},
     *     {@code linger.ms}, {@code batch.size}, {@code partitioner.class}, {@code bootstrap.servers}, ...)
     * @param startNanos when the producer starts sending ({@code start: 5s}; default 0)
     * @param records records after which it stops ({@code records: 100}); 0 for no limit
     * @param keys distinct record keys ({@code keys: 1000}), drawn uniformly per record; 0 for unkeyed records
     */
    public record Producer(String topic, @JsonProperty(value = "rate", defaultValue = "100") @As(Format.RATE) double ratePerSecond,
                           @JsonProperty(defaultValue = "all") @As(Format.ACKS) String acks,
                           @JsonDeserialize(using = Formats.ConfigIn.class) Map<String, String> config,
                           @JsonProperty("start") @JsonInclude(JsonInclude.Include.NON_DEFAULT) @As(Format.DURATION) long startNanos,
                           @JsonInclude(JsonInclude.Include.NON_DEFAULT) @As(Format.INT) long records, @JsonInclude(JsonInclude.Include.NON_DEFAULT) int keys)
            implements Workload {
        public Producer {
            config = sorted(config);
        }

        /** An unkeyed producer. */
        public Producer(String topic, double ratePerSecond, String acks, Map<String, String> config, long startNanos, long records) {
            this(topic, ratePerSecond, acks, config, startNanos, records, 0);
        }

        /** An unkeyed producer that starts at once and never stops. */
        public Producer(String topic, double ratePerSecond, String acks, Map<String, String> config) {
            this(topic, ratePerSecond, acks, config, 0, 0, 0);
        }
    }

    /**
     * A consumer reading every partition of a topic up to the high watermark.
     *
     * @param topic the topic
     */
    public record Consumer(String topic) implements Workload {
    }

    /**
     * One scheduled fault.
     *
     * @param atNanos when it first fires ({@code at: 30s})
     * @param fault what happens
     * @param forNanos how long it lasts before it reverts (restart, resume, heal); 0 for permanent
     * @param everyNanos repeat period; 0 for once
     * @param untilNanos last time a repetition may fire
     */
    public record FaultEntry(long atNanos, FaultSpec fault, long forNanos, long everyNanos, long untilNanos) {
    }

    /** An unmodifiable copy in key order, so that every iteration over it is the same on every JVM. */
    static Map<String, String> sorted(Map<String, String> m) {
        return java.util.Collections.unmodifiableMap(new java.util.TreeMap<>(m));
    }
}
