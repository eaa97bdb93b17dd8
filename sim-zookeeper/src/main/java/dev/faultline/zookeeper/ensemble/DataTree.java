package dev.faultline.zookeeper.ensemble;

import dev.faultline.zookeeper.ensemble.WatchTrigger.EventType;
import it.unimi.dsi.fastutil.longs.Long2LongAVLTreeMap;
import it.unimi.dsi.fastutil.longs.Long2LongSortedMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectAVLTreeMap;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

/**
 * A server's applied state: znodes, the session table and the list of transactions applied so far
 * (what ZK-S3 compares). Everything is sorted, so iteration is deterministic. Applying is a pure
 * function of the current state and the transaction, so every server computes the same outcome.
 */
public final class DataTree {
    /** A znode; mutated only by {@link DataTree}. */
    static final class Znode {
        String data;
        long czxid;
        long mzxid;
        long pzxid;
        int version;
        int cversion;
        long ephemeralOwner;
        final TreeSet<String> children = new TreeSet<>();
        /** Children kept in the tree's {@link CompactPartitions} (this znode is a layout parent). */
        int compactChildren;
        /** The layout parent index of this znode, or -1. */
        int parentIndex = -1;

        Stat stat() {
            return new Stat(czxid, mzxid, pzxid, version, cversion, ephemeralOwner, children.size() + compactChildren);
        }

        boolean hasChildren() {
            return !children.isEmpty() || compactChildren > 0;
        }
    }

    /** The outcome of applying one transaction. */
    public record Applied(TxnEntry entry, Code code, List<OpResult> results, List<WatchTrigger> triggers) {
    }

    /** The result of one op: the created path (with its sequence suffix) or the stat after the write. */
    public record OpResult(Code code, String path, Stat stat) {
    }

    private final TreeMap<String, Znode> nodes = new TreeMap<>();
    private final Long2LongAVLTreeMap sessions = new Long2LongAVLTreeMap();
    private final Long2ObjectAVLTreeMap<TreeSet<String>> ephemerals = new Long2ObjectAVLTreeMap<>();
    private final ArrayList<TxnEntry> applied = new ArrayList<>();
    private long lastProcessedZxid;
    /** Partition znodes and state znodes in columns, when the ensemble has a layout for them. */
    private final CompactPartitions compact;
    private final PartitionZnodeLayout layout;
    /** Bumped on every change of the session table or of an ephemeral znode (for checkers that skip unchanged trees). */
    private long sessionChanges;

    /** Test switch zab.closeSessionKeepsEphemerals ({@link ZabBugs}): a session's close leaves its ephemerals. */
    private final boolean closeSessionKeepsEphemerals;

    public DataTree() {
        this(null);
    }

    /** A tree keeping the znodes of {@code layout} (may be null) in columns. */
    public DataTree(PartitionZnodeLayout layout) {
        this(layout, false);
    }

    /** As {@link #DataTree(PartitionZnodeLayout)}, with the planted bug {@code zab.closeSessionKeepsEphemerals} on or off. */
    public DataTree(PartitionZnodeLayout layout, boolean closeSessionKeepsEphemerals) {
        this.closeSessionKeepsEphemerals = closeSessionKeepsEphemerals;
        this.layout = layout;
        this.compact = layout == null ? null : new CompactPartitions(layout);
        Znode root = new Znode();
        root.data = "";
        nodes.put("/", root);
    }

    /** The slot code of a path in the compact family ({@link PartitionZnodeLayout#locate}), or -1. */
    private int locate(String path) {
        return compact == null ? -1 : layout.locate(path);
    }

    /** A counter that changes whenever sessions or ephemeral znodes change (read only, for checkers). */
    public long sessionChanges() {
        return sessionChanges;
    }

    /**
     * The compact state of partition slot {@code slot} into {@code out[0..4]} (the layout's four data
     * ints, then the znode version); false when this tree has no layout, the state znode does not
     * exist, or its data is kept as text (read {@link #data} then). For checkers and views: no allocation.
     */
    public boolean compactState(int slot, int[] out) {
        return compact != null && compact.compactState(slot, out);
    }

    /** The znode's mzxid, or -1 when it does not exist (no allocation). */
    public long mzxid(String path) {
        int code = locate(path);
        if (code >= 0) {
            return compact.exists(code >>> 1, (code & 1) != 0) ? compact.mzxid(code >>> 1, (code & 1) != 0) : -1;
        }
        Znode n = nodes.get(path);
        return n == null ? -1 : n.mzxid;
    }

    public long lastProcessedZxid() {
        return lastProcessedZxid;
    }

    /** Every transaction applied, in order (read only). */
    public List<TxnEntry> applied() {
        return java.util.Collections.unmodifiableList(applied);
    }

    public int znodeCount() {
        return (int) Math.min(Integer.MAX_VALUE, nodes.size() + (compact == null ? 0 : compact.znodeCount()));
    }

    /** Open sessions and their negotiated timeouts (read only). */
    public Long2LongSortedMap sessions() {
        return it.unimi.dsi.fastutil.longs.Long2LongSortedMaps.unmodifiable(sessions);
    }

    /** Ephemeral paths per owning session (read only view of the sets). */
    public Map<Long, TreeSet<String>> ephemeralsBySession() {
        return java.util.Collections.unmodifiableMap(ephemerals);
    }

    public boolean exists(String path) {
        int code = locate(path);
        if (code >= 0) {
            return compact.exists(code >>> 1, (code & 1) != 0);
        }
        return nodes.containsKey(path);
    }

    /** The znode's stat, or {@code null}. */
    public Stat stat(String path) {
        int code = locate(path);
        if (code >= 0) {
            return compact.stat(code >>> 1, (code & 1) != 0);
        }
        Znode n = nodes.get(path);
        return n == null ? null : n.stat();
    }

    public String data(String path) {
        int code = locate(path);
        if (code >= 0) {
            return compact.data(code >>> 1, (code & 1) != 0);
        }
        Znode n = nodes.get(path);
        return n == null ? null : n.data;
    }

    /** The children's names, sorted, or {@code null} when the znode does not exist. */
    public List<String> children(String path) {
        int code = locate(path);
        if (code >= 0) {
            if (!compact.exists(code >>> 1, (code & 1) != 0)) {
                return null;
            }
            return (code & 1) == 0 && compact.exists(code >>> 1, true) ? new ArrayList<>(List.of("state")) : new ArrayList<>();
        }
        Znode n = nodes.get(path);
        if (n == null) {
            return null;
        }
        if (n.compactChildren == 0) {
            return new ArrayList<>(n.children);
        }
        TreeSet<String> all = new TreeSet<>(n.children);
        compact.childNames(n.parentIndex, all);
        return new ArrayList<>(all);
    }

    /** Applies a committed (or, at load, a logged) transaction. Zxids must increase. */
    public Applied apply(TxnEntry entry) {
        if (entry.zxid() <= lastProcessedZxid) {
            throw new IllegalStateException("apply " + Zxid.format(entry.zxid()) + " after " + Zxid.format(lastProcessedZxid));
        }
        lastProcessedZxid = entry.zxid();
        applied.add(entry);
        List<WatchTrigger> triggers = new ArrayList<>();
        Txn txn = entry.txn();
        if (txn instanceof Txn.CreateSession cs) {
            sessions.put(cs.sessionId(), cs.timeoutNanos());
            sessionChanges++;
            return new Applied(entry, Code.OK, List.of(), triggers);
        } else if (txn instanceof Txn.CloseSession close) {
            closeSession(close.sessionId(), entry.zxid(), triggers);
            return new Applied(entry, Code.OK, List.of(), triggers);
        } else if (txn instanceof Txn.Ops ops) {
            return applyOps(entry, ops, triggers);
        }
        throw new IllegalArgumentException("unknown txn " + txn);
    }

    private void closeSession(long sessionId, long zxid, List<WatchTrigger> triggers) {
        sessions.remove(sessionId);
        sessionChanges++;
        if (closeSessionKeepsEphemerals) {
            return; // test switch zab.closeSessionKeepsEphemerals (ZabBugs, ZK-S6)
        }
        TreeSet<String> owned = ephemerals.remove(sessionId);
        if (owned != null) {
            for (String path : owned) {
                removeNode(path, zxid, triggers);
            }
        }
    }

    private Applied applyOps(TxnEntry entry, Txn.Ops ops, List<WatchTrigger> triggers) {
        if (entry.sessionId() != 0 && !sessions.containsKey(entry.sessionId())) {
            // PrepRequestProcessor's session check, at apply time: a closed session writes nothing
            // (and, above all, cannot own a new ephemeral). Session 0 is the administrator that
            // created the cluster's initial znodes before the run (no ephemerals).
            return new Applied(entry, Code.SESSIONEXPIRED, List.of(), List.of());
        }
        List<Runnable> undo = new ArrayList<>();
        List<OpResult> results = new ArrayList<>();
        List<Op> list = ops.ops();
        for (int k = 0; k < list.size(); k++) {
            Op op = list.get(k);
            if (op instanceof Op.CreatePartitions && k != list.size() - 1) {
                throw new IllegalArgumentException("CreatePartitions must be the last op of its transaction (it has no undo)");
            }
            OpResult r = applyOp(op, entry, triggers, undo);
            results.add(r);
            if (r.code() != Code.OK) {
                for (int i = undo.size() - 1; i >= 0; i--) {
                    undo.get(i).run();
                }
                triggers.clear();
                return new Applied(entry, r.code(), results, List.of());
            }
        }
        return new Applied(entry, Code.OK, results, triggers);
    }

    private OpResult applyOp(Op op, TxnEntry entry, List<WatchTrigger> triggers, List<Runnable> undo) {
        long zxid = entry.zxid();
        if (op instanceof Op.CreatePartitions all) {
            return createPartitions(all, zxid, triggers);
        }
        int code = locate(op.path());
        if (code >= 0) {
            return applyCompact(op, code >>> 1, (code & 1) != 0, zxid, triggers, undo);
        }
        if (op instanceof Op.Check check) {
            Znode n = nodes.get(check.path());
            if (n == null) {
                return fail(Code.NONODE, op);
            }
            return check.version() != -1 && check.version() != n.version ? fail(Code.BADVERSION, op)
                    : new OpResult(Code.OK, op.path(), n.stat());
        } else if (op instanceof Op.Create create) {
            return create(create, entry.sessionId(), zxid, triggers, undo);
        } else if (op instanceof Op.Delete delete) {
            Znode n = nodes.get(delete.path());
            if (n == null) {
                return fail(Code.NONODE, op);
            }
            if (delete.version() != -1 && delete.version() != n.version) {
                return fail(Code.BADVERSION, op);
            }
            if (n.hasChildren()) {
                return fail(Code.NOTEMPTY, op);
            }
            Stat before = n.stat();
            Znode parent = nodes.get(parentOf(delete.path()));
            int parentCversion = parent.cversion;
            long parentPzxid = parent.pzxid;
            removeNode(delete.path(), zxid, triggers);
            undo.add(() -> {
                restoreNode(delete.path(), n);
                parent.cversion = parentCversion;
                parent.pzxid = parentPzxid;
            });
            return new OpResult(Code.OK, op.path(), before);
        } else if (op instanceof Op.SetData set) {
            Znode n = nodes.get(set.path());
            if (n == null) {
                return fail(Code.NONODE, op);
            }
            if (set.version() != -1 && set.version() != n.version) {
                return fail(Code.BADVERSION, op);
            }
            String oldData = n.data;
            long oldMzxid = n.mzxid;
            int oldVersion = n.version;
            n.data = set.data();
            n.mzxid = zxid;
            n.version++;
            undo.add(() -> {
                n.data = oldData;
                n.mzxid = oldMzxid;
                n.version = oldVersion;
            });
            triggers.add(new WatchTrigger(set.path(), EventType.NodeDataChanged, zxid));
            return new OpResult(Code.OK, op.path(), n.stat());
        }
        throw new IllegalArgumentException("unknown op " + op);
    }

    private OpResult create(Op.Create create, long sessionId, long zxid, List<WatchTrigger> triggers, List<Runnable> undo) {
        String parentPath = parentOf(create.path());
        Znode parent = parentPath == null ? null : nodes.get(parentPath);
        if (parent == null) {
            if (parentPath != null && locate(parentPath) >= 0) {
                throw new UnsupportedOperationException("simplification: " + create.path() + " would be a child of the compact znode "
                        + parentPath + "; partition znodes have no child but 'state' and state znodes none");
            }
            return fail(Code.NONODE, create);
        }
        if (parent.ephemeralOwner != 0) {
            return fail(Code.NOCHILDRENFOREPHEMERALS, create);
        }
        String path = create.mode().sequential() ? create.path() + String.format("%010d", parent.cversion) : create.path();
        if (nodes.containsKey(path)) {
            return fail(Code.NODEEXISTS, create);
        }
        Znode n = new Znode();
        n.data = create.data();
        n.czxid = zxid;
        n.mzxid = zxid;
        n.pzxid = zxid;
        n.ephemeralOwner = create.mode().ephemeral() ? sessionId : 0;
        n.parentIndex = layout == null ? -1 : layout.parentIndex(path);
        int parentCversion = parent.cversion;
        long parentPzxid = parent.pzxid;
        nodes.put(path, n);
        parent.children.add(nameOf(path));
        parent.cversion++;
        parent.pzxid = zxid;
        if (n.ephemeralOwner != 0) {
            ephemerals.computeIfAbsent(sessionId, k -> new TreeSet<>()).add(path);
            sessionChanges++;
        }
        undo.add(() -> {
            nodes.remove(path);
            parent.children.remove(nameOf(path));
            parent.cversion = parentCversion;
            parent.pzxid = parentPzxid;
            if (n.ephemeralOwner != 0) {
                sessionChanges++;
                TreeSet<String> owned = ephemerals.get(sessionId);
                owned.remove(path);
                if (owned.isEmpty()) {
                    ephemerals.remove(sessionId);
                }
            }
        });
        triggers.add(new WatchTrigger(path, EventType.NodeCreated, zxid));
        triggers.add(new WatchTrigger(parentPath, EventType.NodeChildrenChanged, zxid));
        return new OpResult(Code.OK, path, n.stat());
    }

    private void removeNode(String path, long zxid, List<WatchTrigger> triggers) {
        Znode n = nodes.remove(path);
        String parentPath = parentOf(path);
        Znode parent = nodes.get(parentPath);
        parent.children.remove(nameOf(path));
        parent.cversion++;
        parent.pzxid = zxid;
        if (n.ephemeralOwner != 0) {
            sessionChanges++;
            TreeSet<String> owned = ephemerals.get(n.ephemeralOwner);
            if (owned != null) {
                owned.remove(path);
                if (owned.isEmpty()) {
                    ephemerals.remove(n.ephemeralOwner);
                }
            }
        }
        triggers.add(new WatchTrigger(path, EventType.NodeDeleted, zxid));
        triggers.add(new WatchTrigger(parentPath, EventType.NodeChildrenChanged, zxid));
    }

    private void restoreNode(String path, Znode n) {
        nodes.put(path, n);
        nodes.get(parentOf(path)).children.add(nameOf(path));
        if (n.ephemeralOwner != 0) {
            sessionChanges++;
            ephemerals.computeIfAbsent(n.ephemeralOwner, k -> new TreeSet<>()).add(path);
        }
    }

    // ------------------------------------------------------------------ the compact family (partition and state znodes)

    /** A write to a partition znode ({@code state} false) or state znode of slot {@code slot}. */
    private OpResult applyCompact(Op op, int slot, boolean state, long zxid, List<WatchTrigger> triggers, List<Runnable> undo) {
        boolean exists = compact.exists(slot, state);
        if (op instanceof Op.Check check) {
            if (!exists) {
                return fail(Code.NONODE, op);
            }
            return check.version() != -1 && check.version() != compact.version(slot, state) ? fail(Code.BADVERSION, op)
                    : new OpResult(Code.OK, op.path(), compact.stat(slot, state));
        }
        if (op instanceof Op.SetData set) {
            if (!exists) {
                return fail(Code.NONODE, op);
            }
            if (set.version() != -1 && set.version() != compact.version(slot, state)) {
                return fail(Code.BADVERSION, op);
            }
            compact.saveForUndo(slot, undo);
            if (state) {
                compact.setStateData(slot, set.data(), zxid);
            } else {
                compact.setPartitionData(slot, set.data(), zxid);
            }
            triggers.add(new WatchTrigger(set.path(), EventType.NodeDataChanged, zxid));
            return new OpResult(Code.OK, op.path(), compact.stat(slot, state));
        }
        if (op instanceof Op.Create create) {
            if (create.mode() != CreateMode.PERSISTENT) {
                throw new UnsupportedOperationException("simplification: " + create.path() + " is a compact partition znode, created "
                        + create.mode() + "; only persistent ones are modelled");
            }
            if (state) {
                if (!compact.exists(slot, false)) {
                    return fail(Code.NONODE, op);
                }
                if (exists) {
                    return fail(Code.NODEEXISTS, op);
                }
                compact.saveForUndo(slot, undo);
                compact.createState(slot, create.data(), zxid);
                triggers.add(new WatchTrigger(create.path(), EventType.NodeCreated, zxid));
                triggers.add(new WatchTrigger(layout.path(slot, false), EventType.NodeChildrenChanged, zxid));
                return new OpResult(Code.OK, create.path(), compact.stat(slot, true));
            }
            String parentPath = layout.parentPath(layout.parentOf(slot));
            Znode parent = nodes.get(parentPath);
            if (parent == null) {
                return fail(Code.NONODE, op);
            }
            if (parent.ephemeralOwner != 0) {
                return fail(Code.NOCHILDRENFOREPHEMERALS, op);
            }
            if (exists) {
                return fail(Code.NODEEXISTS, op);
            }
            compact.saveForUndo(slot, undo);
            saveParentForUndo(parent, undo);
            compact.createPartition(slot, create.data(), zxid);
            parent.compactChildren++;
            parent.cversion++;
            parent.pzxid = zxid;
            triggers.add(new WatchTrigger(create.path(), EventType.NodeCreated, zxid));
            triggers.add(new WatchTrigger(parentPath, EventType.NodeChildrenChanged, zxid));
            return new OpResult(Code.OK, create.path(), compact.stat(slot, false));
        }
        if (op instanceof Op.Delete delete) {
            if (!exists) {
                return fail(Code.NONODE, op);
            }
            if (delete.version() != -1 && delete.version() != compact.version(slot, state)) {
                return fail(Code.BADVERSION, op);
            }
            if (!state && compact.exists(slot, true)) {
                return fail(Code.NOTEMPTY, op);
            }
            Stat before = compact.stat(slot, state);
            compact.saveForUndo(slot, undo);
            if (state) {
                compact.deleteState(slot, zxid);
                triggers.add(new WatchTrigger(delete.path(), EventType.NodeDeleted, zxid));
                triggers.add(new WatchTrigger(layout.path(slot, false), EventType.NodeChildrenChanged, zxid));
            } else {
                String parentPath = layout.parentPath(layout.parentOf(slot));
                Znode parent = nodes.get(parentPath);
                saveParentForUndo(parent, undo);
                compact.deletePartition(slot);
                parent.compactChildren--;
                parent.cversion++;
                parent.pzxid = zxid;
                triggers.add(new WatchTrigger(delete.path(), EventType.NodeDeleted, zxid));
                triggers.add(new WatchTrigger(parentPath, EventType.NodeChildrenChanged, zxid));
            }
            return new OpResult(Code.OK, op.path(), before);
        }
        throw new IllegalArgumentException("unknown op " + op);
    }

    private static void saveParentForUndo(Znode parent, List<Runnable> undo) {
        int children = parent.compactChildren;
        int cversion = parent.cversion;
        long pzxid = parent.pzxid;
        undo.add(() -> {
            parent.compactChildren = children;
            parent.cversion = cversion;
            parent.pzxid = pzxid;
        });
    }

    /**
     * {@link Op.CreatePartitions}: every parent must exist (NONODE) and hold none of its partition
     * znodes yet (NODEEXISTS). Creates them all at once; the parents' child triggers fire (the
     * per-znode NodeCreated triggers are not produced: nobody can watch a znode of a topic that
     * does not exist yet, and exists-watches on such paths are not modelled).
     */
    private OpResult createPartitions(Op.CreatePartitions all, long zxid, List<WatchTrigger> triggers) {
        if (compact == null) {
            throw new IllegalStateException("CreatePartitions needs a tree with a partition layout");
        }
        List<Znode> parents = new ArrayList<>();
        for (int j = 0; j < all.parentCount(); j++) {
            Znode parent = nodes.get(layout.parentPath(all.parent(j)));
            if (parent == null) {
                return fail(Code.NONODE, all);
            }
            if (parent.compactChildren > 0) {
                return fail(Code.NODEEXISTS, all);
            }
            parents.add(parent);
        }
        compact.createAll(all, zxid);
        for (int j = 0; j < parents.size(); j++) {
            Znode parent = parents.get(j);
            int count = layout.slotCount(all.parent(j));
            parent.compactChildren += count;
            parent.cversion += count;
            parent.pzxid = zxid;
            triggers.add(new WatchTrigger(layout.parentPath(all.parent(j)), EventType.NodeChildrenChanged, zxid));
        }
        return new OpResult(Code.OK, all.path(), null);
    }

    private static OpResult fail(Code code, Op op) {
        return new OpResult(code, op.path(), null);
    }

    /** The parent path, or {@code null} for the root. */
    public static String parentOf(String path) {
        if (path.equals("/")) {
            return null;
        }
        int slash = path.lastIndexOf('/');
        return slash == 0 ? "/" : path.substring(0, slash);
    }

    private static String nameOf(String path) {
        return path.substring(path.lastIndexOf('/') + 1);
    }
}
