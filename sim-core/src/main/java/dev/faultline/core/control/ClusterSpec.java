package dev.faultline.core.control;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a Kafka cluster is made of, independent of the metadata mode: brokers (id, rack), topics with
 * their replica assignment, and the cluster configuration ({@link KafkaConfig}, real property names).
 *
 * <p>Partitions are numbered densely across topics (topic order, then partition number): the
 * {@code int partition} used by every data-plane array and SPI call. {@link #partitionName} gives the
 * Kafka name ({@code orders-0}); broker processes are the simulation nodes {@code broker-<id>}.
 * Replica assignments are kept in one flat array, so a description of two million partitions costs
 * a few ints per partition.
 */
public final class ClusterSpec {
    /** One broker: its {@code broker.id} and its {@code broker.rack} (or {@code null}). */
    public record BrokerSpec(int id, String rack) {
        public BrokerSpec {
            if (id < 0) {
                throw new IllegalArgumentException("broker id must be >= 0, got " + id);
            }
        }
    }

    /**
     * One topic: its name, partition count, replication factor, explicit assignment (partition ->
     * replica broker ids, preferred leader first; {@code null} for the cluster's default placement)
     * and topic-level configuration overrides ({@code min.insync.replicas},
     * {@code unclean.leader.election.enable}, ...).
     */
    public record TopicSpec(String name, int partitions, int replicationFactor, int[][] assignment, Map<String, String> config) {
        public TopicSpec {
            if (name == null || name.isEmpty()) {
                throw new IllegalArgumentException("topic name must not be empty");
            }
            if (partitions < 1) {
                throw new IllegalArgumentException("topic " + name + ": partitions must be >= 1, got " + partitions);
            }
            if (replicationFactor < 1) {
                throw new IllegalArgumentException("topic " + name + ": replication.factor must be >= 1, got " + replicationFactor);
            }
            if (assignment != null && assignment.length != partitions) {
                throw new IllegalArgumentException("topic " + name + ": assignment has " + assignment.length + " partitions, expected " + partitions);
            }
            config = Collections.unmodifiableMap(new TreeMap<>(config == null ? Map.of() : config));
        }
    }

    private final List<BrokerSpec> brokers;
    private final List<TopicSpec> topics;
    private final KafkaConfig config;
    private final KafkaConfig[] topicConfigs;
    private final int[] topicStart; // first global partition of each topic, plus the total at the end
    private final int[] replicaStart; // offset into replicas of each partition, plus the total at the end
    private final int[] replicas;
    private final Object2IntOpenHashMap<String> topicIndex = new Object2IntOpenHashMap<>();
    private final int maxBrokerId;
    private final boolean[] createdAtRuntime; // by topic index
    private final boolean warmStart;

    private ClusterSpec(List<BrokerSpec> brokers, List<TopicSpec> topics, KafkaConfig config, java.util.Set<String> runtimeTopics,
            boolean warmStart) {
        this.warmStart = warmStart;
        this.brokers = List.copyOf(brokers);
        this.topics = List.copyOf(topics);
        this.config = config;
        this.createdAtRuntime = new boolean[topics.size()];
        int max = -1;
        for (BrokerSpec b : brokers) {
            max = Math.max(max, b.id());
        }
        this.maxBrokerId = max;
        topicIndex.defaultReturnValue(-1);
        topicStart = new int[topics.size() + 1];
        topicConfigs = new KafkaConfig[topics.size()];
        long total = 0;
        long replicaTotal = 0;
        for (int t = 0; t < topics.size(); t++) {
            TopicSpec spec = topics.get(t);
            if (topicIndex.put(spec.name(), t) != -1) {
                throw new IllegalArgumentException("topic " + spec.name() + " is defined twice");
            }
            topicStart[t] = Math.toIntExact(total);
            total += spec.partitions();
            replicaTotal += (long) spec.partitions() * spec.replicationFactor();
            topicConfigs[t] = config.withAll(spec.config());
        }
        topicStart[topics.size()] = Math.toIntExact(total);
        replicaStart = new int[Math.toIntExact(total) + 1];
        replicas = new int[Math.toIntExact(replicaTotal)];
        int[] order = rackAlternatedBrokerIds();
        int cursor = 0;
        for (int t = 0; t < topics.size(); t++) {
            TopicSpec spec = topics.get(t);
            if (spec.assignment() == null && spec.replicationFactor() > brokers.size()) {
                throw new IllegalArgumentException("topic " + spec.name() + ": replication.factor " + spec.replicationFactor()
                        + " is larger than the " + brokers.size() + " brokers");
            }
            for (int p = 0; p < spec.partitions(); p++) {
                int global = topicStart[t] + p;
                replicaStart[global] = cursor;
                int[] assigned = spec.assignment() != null ? spec.assignment()[p] : defaultAssignment(order, t, p, spec.replicationFactor());
                if (assigned.length != spec.replicationFactor()) {
                    throw new IllegalArgumentException("topic " + spec.name() + " partition " + p + ": " + assigned.length
                            + " replicas, expected replication.factor " + spec.replicationFactor());
                }
                for (int r = 0; r < assigned.length; r++) {
                    if (broker(assigned[r]) == null) {
                        throw new IllegalArgumentException("topic " + spec.name() + " partition " + p + ": no broker " + assigned[r]);
                    }
                    for (int q = 0; q < r; q++) {
                        if (assigned[q] == assigned[r]) {
                            throw new IllegalArgumentException("topic " + spec.name() + " partition " + p + ": broker " + assigned[r] + " twice");
                        }
                    }
                    replicas[cursor++] = assigned[r];
                }
            }
        }
        replicaStart[Math.toIntExact(total)] = cursor;
        for (String name : runtimeTopics) {
            int t = topicIndex.getInt(name);
            if (t < 0) {
                throw new IllegalArgumentException("topic " + name + " is marked created at runtime but not defined");
            }
            createdAtRuntime[t] = true;
        }
    }

    /**
     * Kafka's default placement without a random start (AdminUtils / ReplicaPlacement): partition p's
     * first replica is the (start + p)-th broker, the others follow at a shift that grows every
     * full round of brokers. With racks, the broker list alternates racks first, as Kafka does.
     * Simplification: the start index is the topic's index instead of a random draw, so assignments
     * are stable across seeds.
     */
    private static int[] defaultAssignment(int[] brokerOrder, int topicIndex, int partition, int replicationFactor) {
        int n = brokerOrder.length;
        int start = topicIndex % n;
        int first = (start + partition) % n;
        int shift = (partition / n) % Math.max(1, n - 1);
        int[] out = new int[replicationFactor];
        out[0] = brokerOrder[first];
        for (int j = 0; j < replicationFactor - 1; j++) {
            int step = 1 + (shift + j) % (n - 1);
            out[j + 1] = brokerOrder[(first + step) % n];
        }
        return out;
    }

    private int[] rackAlternatedBrokerIds() {
        LinkedHashMap<String, IntArrayList> byRack = new LinkedHashMap<>();
        TreeMap<String, IntArrayList> sorted = new TreeMap<>();
        boolean anyRack = false;
        for (BrokerSpec b : brokers) {
            anyRack |= b.rack() != null;
            sorted.computeIfAbsent(b.rack() == null ? "" : b.rack(), k -> new IntArrayList()).add(b.id());
        }
        int[] out = new int[brokers.size()];
        if (!anyRack) {
            for (int i = 0; i < out.length; i++) {
                out[i] = brokers.get(i).id();
            }
            return out;
        }
        byRack.putAll(sorted);
        int k = 0;
        for (int round = 0; k < out.length; round++) {
            for (IntArrayList ids : byRack.values()) {
                if (round < ids.size()) {
                    out[k++] = ids.getInt(round);
                }
            }
        }
        return out;
    }

    /** A builder. */
    public static Builder builder() {
        return new Builder();
    }

    public List<BrokerSpec> brokers() {
        return brokers;
    }

    /**
     * Whether the run starts from an established cluster (warm start) instead of from processes
     * booting at virtual time 0 (cold start). Warm: the topics that are not created at runtime exist
     * since long ago, every replica is in sync with its preferred leader leading, every broker is
     * registered and knows the partition states, and the control plane is in steady state (an
     * established ZooKeeper ensemble and controller, or a KRaft quorum with a leader and a metadata
     * snapshot), so no O(partitions) start-up work runs before the first fault. Each control plane
     * implements it for its own mode.
     */
    public boolean warmStart() {
        return warmStart;
    }

    public List<TopicSpec> topics() {
        return topics;
    }

    public KafkaConfig config() {
        return config;
    }

    /** The broker with this id, or {@code null}. */
    public BrokerSpec broker(int id) {
        for (BrokerSpec b : brokers) {
            if (b.id() == id) {
                return b;
            }
        }
        return null;
    }

    /** The largest broker id (for arrays indexed by broker id). */
    public int maxBrokerId() {
        return maxBrokerId;
    }

    /** The simulation node name of a broker process. */
    public static String brokerNodeName(int brokerId) {
        return "broker-" + brokerId;
    }

    /** The broker id of a node named {@code broker-<id>}, or -1. */
    public static int brokerIdOf(String nodeName) {
        if (!nodeName.startsWith("broker-")) {
            return -1;
        }
        try {
            return Integer.parseInt(nodeName.substring("broker-".length()));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    /** Number of partitions over all topics. */
    public int partitionCount() {
        return topicStart[topics.size()];
    }

    /** Number of partition replicas over all topics. */
    public int replicaCount() {
        return replicas.length;
    }

    /** The topic index of a global partition. */
    public int topicOf(int partition) {
        int lo = 0;
        int hi = topics.size() - 1;
        while (lo < hi) {
            int mid = (lo + hi + 1) >>> 1;
            if (topicStart[mid] <= partition) {
                lo = mid;
            } else {
                hi = mid - 1;
            }
        }
        return lo;
    }

    /** The partition number within its topic. */
    public int partitionInTopic(int partition) {
        return partition - topicStart[topicOf(partition)];
    }

    /** The Kafka name of a partition, e.g. {@code orders-0}. */
    public String partitionName(int partition) {
        int t = topicOf(partition);
        return topics.get(t).name() + "-" + (partition - topicStart[t]);
    }

    /** The global partition of topic {@code topic}, partition {@code number}. */
    public int partition(String topic, int number) {
        int t = topicIndex.getInt(topic);
        if (t < 0) {
            throw new IllegalArgumentException("no topic '" + topic + "'");
        }
        if (number < 0 || number >= topics.get(t).partitions()) {
            throw new IllegalArgumentException("topic " + topic + " has no partition " + number);
        }
        return topicStart[t] + number;
    }

    /** The global partition named like {@code orders-0}. */
    public int partition(String name) {
        int dash = name.lastIndexOf('-');
        if (dash <= 0) {
            throw new IllegalArgumentException("not a partition name: '" + name + "' (expected topic-N)");
        }
        return partition(name.substring(0, dash), Integer.parseInt(name.substring(dash + 1)));
    }

    /** The first global partition of a topic and the number of partitions it has. */
    public int topicFirstPartition(String topic) {
        return partition(topic, 0);
    }

    /** The replica count of a partition. */
    public int replicationFactor(int partition) {
        return replicaStart[partition + 1] - replicaStart[partition];
    }

    /** The {@code i}-th assigned replica (preferred leader first). */
    public int replica(int partition, int i) {
        return replicas[replicaStart[partition] + i];
    }

    /** A copy of the assignment of a partition. */
    public int[] replicas(int partition) {
        int from = replicaStart[partition];
        int[] out = new int[replicaStart[partition + 1] - from];
        System.arraycopy(replicas, from, out, 0, out.length);
        return out;
    }

    /** Whether the broker hosts a replica of the partition. */
    public boolean isReplica(int partition, int brokerId) {
        for (int i = replicaStart[partition]; i < replicaStart[partition + 1]; i++) {
            if (replicas[i] == brokerId) {
                return true;
            }
        }
        return false;
    }

    /** The partitions a broker hosts, ascending (a copy; O(hosted) after the first call). */
    public int[] partitionsOf(int brokerId) {
        buildBrokerIndex();
        int b = brokerSlot(brokerId);
        if (b < 0) {
            return new int[0];
        }
        return Arrays.copyOfRange(byBroker, byBrokerStart[b], byBrokerStart[b + 1]);
    }

    /** How many partitions a broker hosts. */
    public int partitionCountOf(int brokerId) {
        buildBrokerIndex();
        int b = brokerSlot(brokerId);
        return b < 0 ? 0 : byBrokerStart[b + 1] - byBrokerStart[b];
    }

    /** The {@code k}-th partition (ascending) a broker hosts. */
    public int partitionOf(int brokerId, int k) {
        buildBrokerIndex();
        return byBroker[byBrokerStart[brokerSlot(brokerId)] + k];
    }

    // Partitions by broker: byBroker[byBrokerStart[b] .. byBrokerStart[b + 1]) for broker slot b (its
    // position in brokers()), ascending. Built on first use, one int per replica.
    private int[] byBrokerStart;
    private volatile int[] byBroker; // written last: a reader that sees it sees the other two
    private int[] slotOfBrokerId;

    private int brokerSlot(int brokerId) {
        return brokerId < 0 || brokerId >= slotOfBrokerId.length ? -1 : slotOfBrokerId[brokerId];
    }

    private void buildBrokerIndex() {
        if (byBroker == null) {
            build();
        }
    }

    private synchronized void build() {
        if (byBroker != null) {
            return;
        }
        int[] slots = new int[maxBrokerId + 1];
        Arrays.fill(slots, -1);
        for (int i = 0; i < brokers.size(); i++) {
            slots[brokers.get(i).id()] = i;
        }
        int[] start = new int[brokers.size() + 1];
        for (int r : replicas) {
            start[slots[r] + 1]++;
        }
        for (int i = 0; i < brokers.size(); i++) {
            start[i + 1] += start[i];
        }
        int[] fill = Arrays.copyOf(start, brokers.size());
        int[] out = new int[replicas.length];
        for (int p = 0; p < partitionCount(); p++) {
            for (int i = replicaStart[p]; i < replicaStart[p + 1]; i++) {
                out[fill[slots[replicas[i]]]++] = p;
            }
        }
        slotOfBrokerId = slots;
        byBrokerStart = start;
        byBroker = out;
    }

    /**
     * Whether a topic is created at runtime (an administrator's CreateTopics during the run, see
     * {@link ControlPlane#createTopic}) instead of before the run. Its partitions are numbered and
     * assigned like every other (the data plane sizes its arrays once), but they do not exist until
     * the control plane creates them: no partition state, no leader, no replica role on any broker.
     */
    public boolean createdAtRuntime(String topic) {
        int t = topicIndex.getInt(topic);
        if (t < 0) {
            throw new IllegalArgumentException("no topic '" + topic + "'");
        }
        return createdAtRuntime[t];
    }

    /** Whether a partition belongs to a topic {@link #createdAtRuntime(String) created at runtime}. */
    public boolean createdAtRuntime(int partition) {
        return createdAtRuntime.length > 0 && createdAtRuntime[topicOf(partition)];
    }

    /** Whether any topic is {@link #createdAtRuntime(String) created at runtime}. */
    public boolean hasRuntimeTopics() {
        for (boolean b : createdAtRuntime) {
            if (b) {
                return true;
            }
        }
        return false;
    }

    /** The configuration that applies to a partition: the cluster's with its topic's overrides. */
    public KafkaConfig topicConfig(int partition) {
        return topicConfigs[topicOf(partition)];
    }

    /** {@code min.insync.replicas} of a partition's topic. */
    public int minInsyncReplicas(int partition) {
        return topicConfig(partition).getInt("min.insync.replicas");
    }

    /** {@code unclean.leader.election.enable} of a partition's topic. */
    public boolean uncleanLeaderElectionEnabled(int partition) {
        return topicConfig(partition).getBoolean("unclean.leader.election.enable");
    }

    /** Builds a {@link ClusterSpec}. */
    public static final class Builder {
        private final List<BrokerSpec> brokers = new ArrayList<>();
        private final List<TopicSpec> topics = new ArrayList<>();
        private final TreeMap<String, String> config = new TreeMap<>();
        private final java.util.TreeSet<String> runtimeTopics = new java.util.TreeSet<>();
        private boolean warmStart;

        /** Brokers 1..count without racks. */
        public Builder brokers(int count) {
            for (int i = 1; i <= count; i++) {
                brokers.add(new BrokerSpec(i, null));
            }
            return this;
        }

        /** Brokers 1..count spread round-robin over the racks. */
        public Builder brokers(int count, List<String> racks) {
            for (int i = 1; i <= count; i++) {
                brokers.add(new BrokerSpec(i, racks.isEmpty() ? null : racks.get((i - 1) % racks.size())));
            }
            return this;
        }

        public Builder broker(int id, String rack) {
            brokers.add(new BrokerSpec(id, rack));
            return this;
        }

        /** A topic with the default placement. */
        public Builder topic(String name, int partitions, int replicationFactor) {
            topics.add(new TopicSpec(name, partitions, replicationFactor, null, Map.of()));
            return this;
        }

        /** A topic with the default placement and topic-level configuration. */
        public Builder topic(String name, int partitions, int replicationFactor, Map<String, String> topicConfig) {
            topics.add(new TopicSpec(name, partitions, replicationFactor, null, topicConfig));
            return this;
        }

        /** A topic with an explicit assignment: one array of broker ids per partition, preferred first. */
        public Builder topic(String name, int[]... assignment) {
            topics.add(new TopicSpec(name, assignment.length, assignment[0].length, assignment, Map.of()));
            return this;
        }

        /**
         * Marks an already added topic as {@link ClusterSpec#createdAtRuntime(String) created at
         * runtime}: it does not exist until an administrator creates it during the run.
         */
        public Builder createdAtRuntime(String topic) {
            runtimeTopics.add(topic);
            return this;
        }

        /** Starts the run from an established cluster ({@link ClusterSpec#warmStart()}); cold by default. */
        public Builder warmStart(boolean warm) {
            this.warmStart = warm;
            return this;
        }

        /** Sets a cluster configuration property (real Kafka name). */
        public Builder config(String key, Object value) {
            config.put(key, String.valueOf(value));
            return this;
        }

        public Builder config(Map<String, String> values) {
            config.putAll(values);
            return this;
        }

        public ClusterSpec build() {
            if (brokers.isEmpty()) {
                throw new IllegalArgumentException("a cluster needs at least one broker");
            }
            return new ClusterSpec(brokers, topics, KafkaConfig.of(config), runtimeTopics, warmStart);
        }
    }
}
