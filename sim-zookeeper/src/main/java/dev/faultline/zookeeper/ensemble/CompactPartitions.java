package dev.faultline.zookeeper.ensemble;

import it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap;

/**
 * One tree's partition znodes and state znodes ({@link PartitionZnodeLayout}) in columns: per slot
 * the stat fields of both znodes and the state's four compact data ints, in chunks of
 * {@value #CHUNK} slots. A chunk built by {@link Op.CreatePartitions} is frozen and shared by every
 * tree that applied the same transaction; a tree copies a chunk the first time it writes to it, so
 * servers that hold the same state hold it once. Data without a compact form is kept as text on the
 * side (rare: never written by the modelled Kafka).
 *
 * <p>A czxid of 0 means the znode does not exist (zxid 0 is never assigned).
 */
final class CompactPartitions {
    static final int CHUNK_BITS = 10;
    static final int CHUNK = 1 << CHUNK_BITS;
    /** Marks state data kept as text in {@link #textState}. */
    static final int TEXT = Integer.MIN_VALUE;

    /** Columns of {@link #CHUNK} slots. */
    static final class Chunk {
        final long[] pCzxid = new long[CHUNK];
        final long[] pMzxid = new long[CHUNK];
        final long[] pPzxid = new long[CHUNK];
        final int[] pVersion = new int[CHUNK];
        final int[] pCversion = new int[CHUNK];
        final long[] sCzxid = new long[CHUNK];
        final long[] sMzxid = new long[CHUNK];
        final int[] sVersion = new int[CHUNK];
        final int[] a = new int[CHUNK];
        final int[] b = new int[CHUNK];
        final int[] c = new int[CHUNK];
        final int[] d = new int[CHUNK];
        boolean frozen;

        Chunk copy() {
            Chunk x = new Chunk();
            System.arraycopy(pCzxid, 0, x.pCzxid, 0, CHUNK);
            System.arraycopy(pMzxid, 0, x.pMzxid, 0, CHUNK);
            System.arraycopy(pPzxid, 0, x.pPzxid, 0, CHUNK);
            System.arraycopy(pVersion, 0, x.pVersion, 0, CHUNK);
            System.arraycopy(pCversion, 0, x.pCversion, 0, CHUNK);
            System.arraycopy(sCzxid, 0, x.sCzxid, 0, CHUNK);
            System.arraycopy(sMzxid, 0, x.sMzxid, 0, CHUNK);
            System.arraycopy(sVersion, 0, x.sVersion, 0, CHUNK);
            System.arraycopy(a, 0, x.a, 0, CHUNK);
            System.arraycopy(b, 0, x.b, 0, CHUNK);
            System.arraycopy(c, 0, x.c, 0, CHUNK);
            System.arraycopy(d, 0, x.d, 0, CHUNK);
            return x;
        }
    }

    /** Every field of one slot, for undo. */
    private record SlotImage(long pCzxid, long pMzxid, long pPzxid, int pVersion, int pCversion, long sCzxid, long sMzxid, int sVersion,
                             int a, int b, int c, int d, String textState, String textPartition) {
    }

    final PartitionZnodeLayout layout;
    private final Chunk[] chunks;
    private final Int2ObjectAVLTreeMap<String> textState = new Int2ObjectAVLTreeMap<>();
    /** Partition znode data other than the empty string. */
    private final Int2ObjectAVLTreeMap<String> textPartition = new Int2ObjectAVLTreeMap<>();
    private long partitionZnodes;
    private long stateZnodes;

    CompactPartitions(PartitionZnodeLayout layout) {
        this.layout = layout;
        this.chunks = new Chunk[(layout.slots() + CHUNK - 1) >>> CHUNK_BITS];
    }

    long znodeCount() {
        return partitionZnodes + stateZnodes;
    }

    // ------------------------------------------------------------------ reads

    private Chunk chunk(int slot) {
        return chunks[slot >>> CHUNK_BITS];
    }

    boolean exists(int slot, boolean state) {
        Chunk k = chunk(slot);
        int i = slot & (CHUNK - 1);
        return k != null && (state ? k.sCzxid[i] : k.pCzxid[i]) != 0;
    }

    /** The stat, or null when the znode does not exist. */
    Stat stat(int slot, boolean state) {
        Chunk k = chunk(slot);
        int i = slot & (CHUNK - 1);
        if (k == null) {
            return null;
        }
        if (state) {
            return k.sCzxid[i] == 0 ? null : new Stat(k.sCzxid[i], k.sMzxid[i], k.sCzxid[i], k.sVersion[i], 0, 0, 0);
        }
        return k.pCzxid[i] == 0 ? null
                : new Stat(k.pCzxid[i], k.pMzxid[i], k.pPzxid[i], k.pVersion[i], k.pCversion[i], 0, k.sCzxid[i] != 0 ? 1 : 0);
    }

    long mzxid(int slot, boolean state) {
        Chunk k = chunk(slot);
        int i = slot & (CHUNK - 1);
        return k == null ? 0 : state ? k.sMzxid[i] : k.pMzxid[i];
    }

    int version(int slot, boolean state) {
        Chunk k = chunk(slot);
        int i = slot & (CHUNK - 1);
        return k == null ? -1 : state ? (k.sCzxid[i] == 0 ? -1 : k.sVersion[i]) : (k.pCzxid[i] == 0 ? -1 : k.pVersion[i]);
    }

    String data(int slot, boolean state) {
        Chunk k = chunk(slot);
        int i = slot & (CHUNK - 1);
        if (k == null) {
            return null;
        }
        if (!state) {
            return k.pCzxid[i] == 0 ? null : textPartition.getOrDefault(slot, "");
        }
        if (k.sCzxid[i] == 0) {
            return null;
        }
        return k.d[i] == TEXT ? textState.get(slot) : layout.decodeState(slot, k.a[i], k.b[i], k.c[i], k.d[i]);
    }

    /**
     * Reads the compact state of a slot into {@code out[0..4]} (the four data ints and the version);
     * false when the state znode does not exist or its data is kept as text.
     */
    boolean compactState(int slot, int[] out) {
        Chunk k = chunk(slot);
        int i = slot & (CHUNK - 1);
        if (k == null || k.sCzxid[i] == 0 || k.d[i] == TEXT) {
            return false;
        }
        out[0] = k.a[i];
        out[1] = k.b[i];
        out[2] = k.c[i];
        out[3] = k.d[i];
        out[4] = k.sVersion[i];
        return true;
    }

    /** Names of the existing partition znodes under a parent. */
    void childNames(int parentIndex, java.util.Collection<String> out) {
        int first = layout.firstSlot(parentIndex);
        int count = layout.slotCount(parentIndex);
        for (int s = first; s < first + count; s++) {
            if (exists(s, false)) {
                out.add(Integer.toString(s - first));
            }
        }
    }

    // ------------------------------------------------------------------ writes

    private Chunk writable(int slot) {
        int ci = slot >>> CHUNK_BITS;
        Chunk k = chunks[ci];
        if (k == null) {
            k = new Chunk();
            chunks[ci] = k;
        } else if (k.frozen) {
            k = k.copy();
            chunks[ci] = k;
        }
        return k;
    }

    private SlotImage image(int slot) {
        Chunk k = chunk(slot);
        int i = slot & (CHUNK - 1);
        if (k == null) {
            return new SlotImage(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, null);
        }
        return new SlotImage(k.pCzxid[i], k.pMzxid[i], k.pPzxid[i], k.pVersion[i], k.pCversion[i], k.sCzxid[i], k.sMzxid[i], k.sVersion[i],
                k.a[i], k.b[i], k.c[i], k.d[i], textState.get(slot), textPartition.get(slot));
    }

    /** Puts a slot back as {@code img} recorded it (undo of a failed multi). */
    private void restore(int slot, SlotImage img) {
        Chunk k = writable(slot);
        int i = slot & (CHUNK - 1);
        adjustCounts(k, i, img.pCzxid() != 0, img.sCzxid() != 0);
        k.pCzxid[i] = img.pCzxid();
        k.pMzxid[i] = img.pMzxid();
        k.pPzxid[i] = img.pPzxid();
        k.pVersion[i] = img.pVersion();
        k.pCversion[i] = img.pCversion();
        k.sCzxid[i] = img.sCzxid();
        k.sMzxid[i] = img.sMzxid();
        k.sVersion[i] = img.sVersion();
        k.a[i] = img.a();
        k.b[i] = img.b();
        k.c[i] = img.c();
        k.d[i] = img.d();
        putOrRemove(textState, slot, img.textState());
        putOrRemove(textPartition, slot, img.textPartition());
    }

    private void adjustCounts(Chunk k, int i, boolean partitionAfter, boolean stateAfter) {
        partitionZnodes += (partitionAfter ? 1 : 0) - (k.pCzxid[i] != 0 ? 1 : 0);
        stateZnodes += (stateAfter ? 1 : 0) - (k.sCzxid[i] != 0 ? 1 : 0);
    }

    private static void putOrRemove(Int2ObjectAVLTreeMap<String> map, int slot, String value) {
        if (value == null) {
            map.remove(slot);
        } else {
            map.put(slot, value);
        }
    }

    /** Records an undo step restoring the slot as it is now. */
    void saveForUndo(int slot, java.util.List<Runnable> undo) {
        SlotImage img = image(slot);
        undo.add(() -> restore(slot, img));
    }

    void createPartition(int slot, String data, long zxid) {
        Chunk k = writable(slot);
        int i = slot & (CHUNK - 1);
        adjustCounts(k, i, true, k.sCzxid[i] != 0);
        k.pCzxid[i] = zxid;
        k.pMzxid[i] = zxid;
        k.pPzxid[i] = zxid;
        k.pVersion[i] = 0;
        k.pCversion[i] = 0;
        putOrRemove(textPartition, slot, data.isEmpty() ? null : data);
    }

    void deletePartition(int slot) {
        Chunk k = writable(slot);
        int i = slot & (CHUNK - 1);
        adjustCounts(k, i, false, false);
        k.pCzxid[i] = 0;
        k.pMzxid[i] = 0;
        k.pPzxid[i] = 0;
        k.pVersion[i] = 0;
        k.pCversion[i] = 0;
        textPartition.remove(slot);
    }

    void setPartitionData(int slot, String data, long zxid) {
        Chunk k = writable(slot);
        int i = slot & (CHUNK - 1);
        k.pMzxid[i] = zxid;
        k.pVersion[i]++;
        putOrRemove(textPartition, slot, data.isEmpty() ? null : data);
    }

    private final int[] encoded = new int[4];

    void createState(int slot, String data, long zxid) {
        Chunk k = writable(slot);
        int i = slot & (CHUNK - 1);
        adjustCounts(k, i, k.pCzxid[i] != 0, true);
        k.sCzxid[i] = zxid;
        k.sMzxid[i] = zxid;
        k.sVersion[i] = 0;
        storeState(k, i, slot, data);
        k.pCversion[i]++;
        k.pPzxid[i] = zxid;
    }

    void deleteState(int slot, long zxid) {
        Chunk k = writable(slot);
        int i = slot & (CHUNK - 1);
        adjustCounts(k, i, k.pCzxid[i] != 0, false);
        k.sCzxid[i] = 0;
        k.sMzxid[i] = 0;
        k.sVersion[i] = 0;
        k.a[i] = 0;
        k.b[i] = 0;
        k.c[i] = 0;
        k.d[i] = 0;
        textState.remove(slot);
        k.pCversion[i]++;
        k.pPzxid[i] = zxid;
    }

    void setStateData(int slot, String data, long zxid) {
        Chunk k = writable(slot);
        int i = slot & (CHUNK - 1);
        k.sMzxid[i] = zxid;
        k.sVersion[i]++;
        storeState(k, i, slot, data);
    }

    private void storeState(Chunk k, int i, int slot, String data) {
        if (layout.encodeState(slot, data, encoded) && encoded[3] != TEXT) {
            k.a[i] = encoded[0];
            k.b[i] = encoded[1];
            k.c[i] = encoded[2];
            k.d[i] = encoded[3];
            textState.remove(slot);
        } else {
            k.a[i] = 0;
            k.b[i] = 0;
            k.c[i] = 0;
            k.d[i] = TEXT;
            textState.put(slot, data);
        }
    }

    /**
     * {@link Op.CreatePartitions}: every slot of the parents gets its partition znode and state
     * znode at {@code zxid}. Chunks that the parents cover whole and that this tree has not touched
     * are taken from the op's memo (built by the first tree to apply it at this zxid); the others
     * are filled in place. Returns the number of slots created. The caller checked that none exists.
     */
    long createAll(Op.CreatePartitions op, long zxid) {
        Chunk[] memo;
        if (op.memoZxid == zxid && op.memo instanceof Chunk[] m && m.length == chunks.length) {
            memo = m;
        } else {
            memo = new Chunk[chunks.length];
            op.memo = memo;
            op.memoZxid = zxid;
        }
        boolean[] covered = new boolean[chunks.length];
        int[] fullCount = new int[chunks.length];
        for (int j = 0; j < op.parentCount(); j++) {
            int parent = op.parent(j);
            int first = layout.firstSlot(parent);
            int count = layout.slotCount(parent);
            for (int s = first; s < first + count; s++) {
                fullCount[s >>> CHUNK_BITS]++;
            }
        }
        int[] initial = new int[4];
        long created = 0;
        for (int ci = 0; ci < chunks.length; ci++) {
            int chunkSlots = Math.min(CHUNK, layout.slots() - (ci << CHUNK_BITS));
            covered[ci] = fullCount[ci] == chunkSlots && chunks[ci] == null;
            if (covered[ci]) {
                if (memo[ci] == null) {
                    Chunk k = new Chunk();
                    for (int i = 0; i < chunkSlots; i++) {
                        int slot = (ci << CHUNK_BITS) + i;
                        fill(k, i, slot, zxid, initial);
                    }
                    k.frozen = true;
                    memo[ci] = k;
                }
                chunks[ci] = memo[ci];
                partitionZnodes += chunkSlots;
                stateZnodes += chunkSlots;
                created += chunkSlots;
            }
        }
        for (int j = 0; j < op.parentCount(); j++) {
            int parent = op.parent(j);
            int first = layout.firstSlot(parent);
            int count = layout.slotCount(parent);
            for (int s = first; s < first + count; s++) {
                if (!covered[s >>> CHUNK_BITS]) {
                    Chunk k = writable(s);
                    int i = s & (CHUNK - 1);
                    adjustCounts(k, i, true, true);
                    fill(k, i, s, zxid, initial);
                    created++;
                }
            }
        }
        return created;
    }

    private void fill(Chunk k, int i, int slot, long zxid, int[] initial) {
        layout.initialState(slot, initial);
        k.pCzxid[i] = zxid;
        k.pMzxid[i] = zxid;
        k.pPzxid[i] = zxid;
        k.pVersion[i] = 0;
        k.pCversion[i] = 1;
        k.sCzxid[i] = zxid;
        k.sMzxid[i] = zxid;
        k.sVersion[i] = 0;
        k.a[i] = initial[0];
        k.b[i] = initial[1];
        k.c[i] = initial[2];
        k.d[i] = initial[3];
    }
}
