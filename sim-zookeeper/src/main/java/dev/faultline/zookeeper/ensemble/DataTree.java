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

        Stat stat() {
            return new Stat(czxid, mzxid, pzxid, version, cversion, ephemeralOwner, children.size());
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

    public DataTree() {
        Znode root = new Znode();
        root.data = "";
        nodes.put("/", root);
    }

    public long lastProcessedZxid() {
        return lastProcessedZxid;
    }

    /** Every transaction applied, in order (read only). */
    public List<TxnEntry> applied() {
        return java.util.Collections.unmodifiableList(applied);
    }

    public int znodeCount() {
        return nodes.size();
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
        return nodes.containsKey(path);
    }

    /** The znode's stat, or {@code null}. */
    public Stat stat(String path) {
        Znode n = nodes.get(path);
        return n == null ? null : n.stat();
    }

    public String data(String path) {
        Znode n = nodes.get(path);
        return n == null ? null : n.data;
    }

    /** The children's names, sorted, or {@code null} when the znode does not exist. */
    public List<String> children(String path) {
        Znode n = nodes.get(path);
        return n == null ? null : new ArrayList<>(n.children);
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
        for (Op op : ops.ops()) {
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
            if (!n.children.isEmpty()) {
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
        int parentCversion = parent.cversion;
        long parentPzxid = parent.pzxid;
        nodes.put(path, n);
        parent.children.add(nameOf(path));
        parent.cversion++;
        parent.pzxid = zxid;
        if (n.ephemeralOwner != 0) {
            ephemerals.computeIfAbsent(sessionId, k -> new TreeSet<>()).add(path);
        }
        undo.add(() -> {
            nodes.remove(path);
            parent.children.remove(nameOf(path));
            parent.cversion = parentCversion;
            parent.pzxid = parentPzxid;
            if (n.ephemeralOwner != 0) {
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
            ephemerals.computeIfAbsent(n.ephemeralOwner, k -> new TreeSet<>()).add(path);
        }
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
