package dev.faultline.zookeeper.ensemble;

/**
 * Where a family of numbered znodes lives and how its data is written compactly, so that a
 * {@link DataTree} can keep millions of them in columns (primitive arrays) instead of one object per
 * znode. ZooKeeper semantics do not change: the znodes have paths, stats (czxid, mzxid, pzxid,
 * versions), data, watches and the same multi/version rules as any other znode; only the storage
 * differs.
 *
 * <p>The family is Kafka's partition znodes: for every slot {@code s} (a global partition) a
 * <em>partition znode</em> {@code <parent(s)>/<n>} and its child, the <em>state znode</em>
 * {@code <parent(s)>/<n>/state}, where {@code parent(s)} is a regular znode
 * ({@code /brokers/topics/<topic>/partitions}). State data has a compact form of four ints
 * (the implementation decides what they mean; data without a compact form is kept as text).
 *
 * <p>Simplifications (the family is Kafka's and Kafka uses no more): family znodes are persistent,
 * not sequential; a partition znode has no child but its state znode, and a state znode none.
 */
public interface PartitionZnodeLayout {
    /** Number of slots (partitions). */
    int slots();

    /**
     * The slot of a path, as {@code 2*slot} for a partition znode and {@code 2*slot + 1} for a state
     * znode; -1 when the path is not in the family.
     */
    int locate(String path);

    /** The parent family a regular znode path is (the {@code partitions} znode of a topic): its index, or -1. */
    int parentIndex(String path);

    /** The index of the parent of slot {@code slot}'s partition znode. */
    int parentOf(int slot);

    /** The path of the parent with this index. */
    String parentPath(int parentIndex);

    /** The first slot and the number of slots under a parent. */
    int firstSlot(int parentIndex);

    int slotCount(int parentIndex);

    /** The path of slot {@code slot}'s partition znode ({@code state} false) or state znode. */
    String path(int slot, boolean state);

    /** Encodes state data into {@code out[0..3]}; false when it has no compact form (it is then kept as text). */
    boolean encodeState(int slot, String data, int[] out);

    /** The text of compact state data. */
    String decodeState(int slot, int a, int b, int c, int d);

    /** The compact form of the state a slot is created with by {@link Op.CreatePartitions} into {@code out[0..3]}. */
    void initialState(int slot, int[] out);

    /** Bytes of the compact state data of one slot as it would be written (for sizes of snapshots and requests). */
    int stateBytes(int slot);
}
