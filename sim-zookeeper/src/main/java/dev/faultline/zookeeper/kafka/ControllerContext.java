package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.LeaderElection;
import dev.faultline.core.control.PartitionState;
import it.unimi.dsi.fastutil.ints.Int2LongAVLTreeMap;
import it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap;
import it.unimi.dsi.fastutil.ints.IntAVLTreeSet;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.TreeSet;

/**
 * The ZooKeeper-mode controller's cache of what it read from and wrote to ZooKeeper
 * ({@code ControllerContext}): the live brokers with their epochs, the brokers in controlled
 * shutdown, the topics whose assignment it read, and per partition the leader, leader epoch,
 * zkVersion and the ISR packed into one int ({@link KafkaZnodes.Isr}; an ISR without a packed form
 * is kept aside), whether it exists in ZooKeeper, and an index of the existing partitions that have
 * no leader. Millions of partitions cost a few ints each.
 */
final class ControllerContext {
    private final ClusterSpec cluster;
    private final int[] leader;
    private final int[] leaderEpoch;
    private final int[] zkVersion;
    private final int[] isr;
    private final Int2ObjectAVLTreeMap<IntList> isrText = new Int2ObjectAVLTreeMap<>();
    /** Whether each partition exists in ZooKeeper as far as this controller knows (runtime topics start New). */
    private final boolean[] created;
    private final IntAVLTreeSet leaderless = new IntAVLTreeSet();
    /** The live brokers ({@code /brokers/ids} as last read). */
    final IntAVLTreeSet liveBrokers = new IntAVLTreeSet();
    /**
     * {@code shuttingDownBrokerIds}: live brokers in controlled shutdown; never elected
     * (docs/model.md#partition-leader-election) nor added to an ISR.
     */
    final IntAVLTreeSet shuttingDown = new IntAVLTreeSet();
    /** Each live broker's epoch (the czxid of its {@code /brokers/ids/N}). */
    final Int2LongAVLTreeMap brokerEpochs = new Int2LongAVLTreeMap();
    /** Topics seen in {@code /brokers/topics} whose assignment this controller has read (with a data watch). */
    final TreeSet<String> topicsRead = new TreeSet<>();

    ControllerContext(ClusterSpec cluster) {
        this.cluster = cluster;
        int n = cluster.partitionCount();
        leader = new int[n];
        leaderEpoch = new int[n];
        zkVersion = new int[n];
        isr = new int[n];
        created = new boolean[n];
        java.util.Arrays.fill(leader, LeaderElection.NO_LEADER);
        for (int p = 0; p < n; p++) {
            // Runtime topics are not known to exist until their state znode is read or written (New partitions).
            created[p] = !cluster.createdAtRuntime(p);
        }
    }

    int leader(int p) {
        return leader[p];
    }

    int leaderEpoch(int p) {
        return leaderEpoch[p];
    }

    int zkVersion(int p) {
        return zkVersion[p];
    }

    int isrPacked(int p) {
        return isr[p];
    }

    IntList isr(int p) {
        return isr[p] == KafkaZnodes.Isr.NOT_PACKED ? isrText.get(p) : KafkaZnodes.Isr.unpack(cluster, p, isr[p]);
    }

    boolean isrContains(int p, int broker) {
        return isr[p] == KafkaZnodes.Isr.NOT_PACKED ? isrText.get(p).contains(broker) : KafkaZnodes.Isr.contains(cluster, p, isr[p], broker);
    }

    boolean created(int p) {
        return created[p];
    }

    void set(int p, int newLeader, int newLeaderEpoch, IntList newIsr, int newZkVersion) {
        created[p] = true;
        leader[p] = newLeader;
        leaderEpoch[p] = newLeaderEpoch;
        zkVersion[p] = newZkVersion;
        int packed = KafkaZnodes.Isr.pack(cluster, p, newIsr);
        isr[p] = packed;
        if (packed == KafkaZnodes.Isr.NOT_PACKED) {
            isrText.put(p, IntList.of(newIsr.toIntArray()));
        } else {
            isrText.remove(p);
        }
        if (newLeader == LeaderElection.NO_LEADER) {
            leaderless.add(p);
        } else {
            leaderless.remove(p);
        }
    }

    /** The initial state of a partition created before the run (preferred replica leading, full ISR, epochs 0). */
    void setInitial(int p) {
        created[p] = true;
        leader[p] = cluster.replica(p, 0);
        leaderEpoch[p] = 0;
        zkVersion[p] = 0;
        isr[p] = KafkaZnodes.Isr.all(cluster, p);
        leaderless.remove(p);
    }

    /** The existing partitions without a leader, ascending (do not modify). */
    IntAVLTreeSet leaderless() {
        return leaderless;
    }

    /** The cached state of partition {@code p}. */
    PartitionState state(int p) {
        return new PartitionState(p, leader(p), leaderEpoch(p), isr(p), zkVersion(p));
    }

    /** Every partition that exists in ZooKeeper, ascending. */
    IntList createdPartitions() {
        IntArrayList all = new IntArrayList(cluster.partitionCount());
        for (int p = 0; p < cluster.partitionCount(); p++) {
            if (created[p]) {
                all.add(p);
            }
        }
        return all;
    }

    /** Those of {@code partitions} that exist in ZooKeeper, in order. */
    IntList createdOf(int[] partitions) {
        IntArrayList out = new IntArrayList(partitions.length);
        for (int p : partitions) {
            if (created[p]) {
                out.add(p);
            }
        }
        return out;
    }
}
