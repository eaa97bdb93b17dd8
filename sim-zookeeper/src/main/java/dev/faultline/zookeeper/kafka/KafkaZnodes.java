package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.zookeeper.ensemble.PartitionZnodeLayout;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.objects.Object2IntOpenHashMap;

/**
 * The znodes Kafka uses (docs/model.md#znodes-kafka-uses) and the encoding of their data.
 * Simplification: compact text instead of Kafka's JSON; sizes are charged per partition, not per
 * byte of JSON.
 */
final class KafkaZnodes {
    static final String CONTROLLER = "/controller";
    static final String CONTROLLER_EPOCH = "/controller_epoch";
    static final String BROKERS = "/brokers";
    static final String BROKER_IDS = "/brokers/ids";
    static final String TOPICS = "/brokers/topics";

    private KafkaZnodes() {
    }

    static String brokerPath(int brokerId) {
        return BROKER_IDS + "/" + brokerId;
    }

    static String topicPath(String topic) {
        return TOPICS + "/" + topic;
    }

    static String partitionsPath(String topic) {
        return topicPath(topic) + "/partitions";
    }

    static String partitionPath(String topic, int partitionInTopic) {
        return partitionsPath(topic) + "/" + partitionInTopic;
    }

    static String statePath(String topic, int partitionInTopic) {
        return partitionPath(topic, partitionInTopic) + "/state";
    }

    /** The content of a partition state znode: leader, leader_epoch, controller_epoch and isr. */
    record StateData(int leader, int leaderEpoch, int controllerEpoch, IntList isr) {
        String encode() {
            StringBuilder sb = new StringBuilder(24);
            sb.append(leader).append(',').append(leaderEpoch).append(',').append(controllerEpoch).append(',');
            for (int i = 0; i < isr.size(); i++) {
                if (i > 0) {
                    sb.append(':');
                }
                sb.append(isr.getInt(i));
            }
            return sb.toString();
        }

        static StateData decode(String data) {
            int[] f = new int[3];
            int pos = 0;
            for (int k = 0; k < 3; k++) {
                int comma = data.indexOf(',', pos);
                f[k] = Integer.parseInt(data, pos, comma, 10);
                pos = comma + 1;
            }
            IntArrayList isr = new IntArrayList(3);
            while (pos < data.length()) {
                int colon = data.indexOf(':', pos);
                int end = colon < 0 ? data.length() : colon;
                isr.add(Integer.parseInt(data, pos, end, 10));
                pos = end + 1;
            }
            return new StateData(f[0], f[1], f[2], isr);
        }

        /** The control plane's view: partition epoch = the znode's version. */
        PartitionState toState(int partition, int zkVersion) {
            return new PartitionState(partition, leader, leaderEpoch, isr, zkVersion);
        }
    }

    /**
     * An ISR as one int: its members as positions in the partition's replica assignment, in ISR
     * order, three bits each above a four-bit count (at most 8 members of the first 8 replicas), so
     * that millions of partition states need no object each. {@link #NOT_PACKED} when the ISR has
     * no such form (a member that is not a replica, a replication factor above 8).
     */
    static final class Isr {
        static final int NOT_PACKED = Integer.MIN_VALUE;

        private Isr() {
        }

        static int pack(ClusterSpec cluster, int partition, IntList isr) {
            if (isr.size() > 8) {
                return NOT_PACKED;
            }
            int rf = cluster.replicationFactor(partition);
            int packed = isr.size();
            for (int i = 0; i < isr.size(); i++) {
                int member = isr.getInt(i);
                int slot = -1;
                for (int r = 0; r < rf && r < 8; r++) {
                    if (cluster.replica(partition, r) == member) {
                        slot = r;
                        break;
                    }
                }
                if (slot < 0) {
                    return NOT_PACKED;
                }
                packed |= slot << (4 + 3 * i);
            }
            return packed;
        }

        static int size(int packed) {
            return packed & 0xf;
        }

        static int member(ClusterSpec cluster, int partition, int packed, int i) {
            return cluster.replica(partition, (packed >>> (4 + 3 * i)) & 7);
        }

        static IntArrayList unpack(ClusterSpec cluster, int partition, int packed) {
            int n = size(packed);
            IntArrayList out = new IntArrayList(n);
            for (int i = 0; i < n; i++) {
                out.add(member(cluster, partition, packed, i));
            }
            return out;
        }

        static boolean contains(ClusterSpec cluster, int partition, int packed, int broker) {
            int n = size(packed);
            for (int i = 0; i < n; i++) {
                if (member(cluster, partition, packed, i) == broker) {
                    return true;
                }
            }
            return false;
        }

        /** Every replica in assignment order (the initial ISR). */
        static int all(ClusterSpec cluster, int partition) {
            int rf = Math.min(8, cluster.replicationFactor(partition));
            int packed = rf;
            for (int r = 0; r < rf; r++) {
                packed |= r << (4 + 3 * r);
            }
            return packed;
        }
    }

    /**
     * The partition znodes of every topic of the cluster description, as the ZooKeeper servers keep
     * them in columns: slot = global partition; the data of a state znode is (leader, leader epoch,
     * controller epoch, packed ISR). Topics an admin creates at runtime are in the layout too (their
     * znodes simply do not exist until created).
     */
    static final class Layout implements PartitionZnodeLayout {
        private static final String PREFIX = TOPICS + "/";
        private static final String PARTITIONS = "/partitions";
        private final ClusterSpec cluster;
        private final String[] parentPaths;
        private final Object2IntOpenHashMap<String> topicIndex = new Object2IntOpenHashMap<>();

        Layout(ClusterSpec cluster) {
            for (ClusterSpec.TopicSpec t : cluster.topics()) {
                if (t.replicationFactor() > 8) {
                    // Simplification: the packed ISR holds positions in the first 8 replicas.
                    throw new IllegalArgumentException("topic " + t.name() + ": ZooKeeper mode supports replication factors up to 8, got "
                            + t.replicationFactor());
                }
            }
            this.cluster = cluster;
            this.parentPaths = new String[cluster.topics().size()];
            topicIndex.defaultReturnValue(-1);
            for (int t = 0; t < parentPaths.length; t++) {
                String name = cluster.topics().get(t).name();
                parentPaths[t] = partitionsPath(name);
                topicIndex.put(name, t);
            }
        }

        @Override
        public int slots() {
            return cluster.partitionCount();
        }

        /** The topic index named between {@code /brokers/topics/} and the next slash (or the end), or -1. */
        private int topicAt(String path, int[] end) {
            if (!path.startsWith(PREFIX)) {
                return -1;
            }
            int from = PREFIX.length();
            int slash = path.indexOf('/', from);
            int to = slash < 0 ? path.length() : slash;
            end[0] = to;
            return topicIndex.getInt(path.substring(from, to));
        }

        private final int[] end = new int[1];

        @Override
        public int locate(String path) {
            int t = topicAt(path, end);
            if (t < 0 || !path.startsWith(PARTITIONS, end[0])) {
                return -1;
            }
            int pos = end[0] + PARTITIONS.length();
            if (pos >= path.length() || path.charAt(pos) != '/') {
                return -1;
            }
            pos++;
            int number = 0;
            int digits = 0;
            while (pos < path.length() && path.charAt(pos) != '/') {
                char ch = path.charAt(pos);
                if (ch < '0' || ch > '9' || digits > 9 || (digits == 1 && number == 0)) {
                    return -1;
                }
                number = number * 10 + (ch - '0');
                digits++;
                pos++;
            }
            if (digits == 0 || number >= cluster.topics().get(t).partitions()) {
                return -1;
            }
            int slot = cluster.topicFirstPartition(cluster.topics().get(t).name()) + number;
            if (pos == path.length()) {
                return 2 * slot;
            }
            return path.regionMatches(pos, "/state", 0, path.length() - pos) && path.length() - pos == 6 ? 2 * slot + 1 : -1;
        }

        @Override
        public int parentIndex(String path) {
            int t = topicAt(path, end);
            return t >= 0 && path.length() == end[0] + PARTITIONS.length() && path.startsWith(PARTITIONS, end[0]) ? t : -1;
        }

        @Override
        public int parentOf(int slot) {
            return cluster.topicOf(slot);
        }

        @Override
        public String parentPath(int parentIndex) {
            return parentPaths[parentIndex];
        }

        @Override
        public int firstSlot(int parentIndex) {
            return cluster.topicFirstPartition(cluster.topics().get(parentIndex).name());
        }

        @Override
        public int slotCount(int parentIndex) {
            return cluster.topics().get(parentIndex).partitions();
        }

        @Override
        public String path(int slot, boolean state) {
            String p = parentPaths[cluster.topicOf(slot)] + "/" + cluster.partitionInTopic(slot);
            return state ? p + "/state" : p;
        }

        @Override
        public boolean encodeState(int slot, String data, int[] out) {
            StateData d;
            try {
                d = StateData.decode(data);
            } catch (RuntimeException malformed) {
                return false;
            }
            int packed = Isr.pack(cluster, slot, d.isr());
            if (packed == Isr.NOT_PACKED || !d.encode().equals(data)) {
                return false;
            }
            out[0] = d.leader();
            out[1] = d.leaderEpoch();
            out[2] = d.controllerEpoch();
            out[3] = packed;
            return true;
        }

        @Override
        public String decodeState(int slot, int a, int b, int c, int d) {
            return new StateData(a, b, c, Isr.unpack(cluster, slot, d)).encode();
        }

        @Override
        public void initialState(int slot, int[] out) {
            out[0] = cluster.replica(slot, 0);
            out[1] = 0;
            out[2] = 0;
            out[3] = Isr.all(cluster, slot);
        }

        @Override
        public int stateBytes(int slot) {
            return 16 + 4 * cluster.replicationFactor(slot);
        }

        ClusterSpec cluster() {
            return cluster;
        }
    }
}
