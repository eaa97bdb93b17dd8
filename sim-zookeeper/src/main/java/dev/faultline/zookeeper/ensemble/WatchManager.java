package dev.faultline.zookeeper.ensemble;

import dev.faultline.zookeeper.ensemble.WatchTrigger.EventType;
import it.unimi.dsi.fastutil.longs.LongAVLTreeSet;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongList;
import java.util.TreeMap;

/**
 * One server's one-shot watches, per client connection ({@code WatchManager}): data watches (set by
 * getData and exists) and child watches (getChildren). Triggering removes them.
 */
final class WatchManager {
    private final TreeMap<String, LongAVLTreeSet> dataWatches = new TreeMap<>();
    private final TreeMap<String, LongAVLTreeSet> childWatches = new TreeMap<>();

    void addDataWatch(String path, long connection) {
        dataWatches.computeIfAbsent(path, k -> new LongAVLTreeSet()).add(connection);
    }

    void addChildWatch(String path, long connection) {
        childWatches.computeIfAbsent(path, k -> new LongAVLTreeSet()).add(connection);
    }

    /** The connections to notify for this trigger (each once), removing their watches. */
    LongList trigger(WatchTrigger t) {
        LongAVLTreeSet targets = new LongAVLTreeSet();
        if (t.type() != EventType.NodeChildrenChanged) {
            LongAVLTreeSet data = dataWatches.remove(t.path());
            if (data != null) {
                targets.addAll(data);
            }
        }
        if (t.type() == EventType.NodeChildrenChanged || t.type() == EventType.NodeDeleted) {
            LongAVLTreeSet children = childWatches.remove(t.path());
            if (children != null) {
                targets.addAll(children);
            }
        }
        return new LongArrayList(targets);
    }

    /** The connection closed: its watches are gone. */
    void removeConnection(long connection) {
        removeFrom(dataWatches, connection);
        removeFrom(childWatches, connection);
    }

    private static void removeFrom(TreeMap<String, LongAVLTreeSet> watches, long connection) {
        var it = watches.values().iterator();
        while (it.hasNext()) {
            LongAVLTreeSet s = it.next();
            s.remove(connection);
            if (s.isEmpty()) {
                it.remove();
            }
        }
    }
}
