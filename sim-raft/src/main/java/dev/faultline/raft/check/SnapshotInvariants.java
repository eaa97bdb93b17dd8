package dev.faultline.raft.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.storage.Storage;
import dev.faultline.raft.quorum.MetadataLogFile;
import dev.faultline.raft.quorum.RaftNode;
import dev.faultline.raft.quorum.RaftSnapshot;

/**
 * KR-S10, the snapshot invariants of Kafka's {@code RaftEventSimulationTest} (KIP-630):
 * <ul>
 *   <li>{@code SnapshotAtLogStart}: on every node's disk (voters and observers), a log whose start
 *       offset is above 0 begins exactly where its oldest snapshot ends, at that snapshot's epoch
 *       (the log start only ever advances to a snapshot); read from each node's log directory after
 *       every event that ran on that node (every node's after a process started, stopped, paused or
 *       resumed, or a kernel event), O(1) per event.</li>
 *   <li>{@code LeaderNeverLoadSnapshot}: a leader whose state machine may write is never asked to
 *       load a snapshot (reported by {@link RaftHistory} when it happens).</li>
 * </ul>
 */
final class SnapshotInvariants implements Invariant {
    private final RaftView view;
    private final RaftHistory history;
    /** By position in {@link RaftView#logNodeIds()}: the node, its disk, its log file (once it has one) and the disk's wipes then. */
    private NodeId[] nodes;
    private Storage[] storages;
    private MetadataLogFile[] logs;
    private long[] wipes;
    private long lifecycle = -1;

    SnapshotInvariants(RaftView view, RaftHistory history) {
        this.view = view;
        this.history = history;
    }

    @Override
    public String name() {
        return RaftInvariants.SNAPSHOT_INVARIANTS;
    }

    @Override
    public void check(CheckContext context) {
        if (nodes == null) {
            int[] ids = view.logNodeIds();
            nodes = new NodeId[ids.length];
            storages = new Storage[ids.length];
            logs = new MetadataLogFile[ids.length];
            wipes = new long[ids.length];
            for (int i = 0; i < ids.length; i++) {
                nodes[i] = view.nodeId(ids[i]);
                storages[i] = view.sim().storage(nodes[i]);
            }
        }
        // A node's log directory changes only in that node's own events, or in a kernel event (a
        // process stopped, a power loss) or a start: re-read every disk only then, else only the
        // disk of the node that ran (O(1) per event instead of O(Raft nodes)).
        NodeId eventNode = view.sim().lastEventNode();
        boolean all = eventNode == null || view.sim().lifecycleVersion() != lifecycle;
        lifecycle = view.sim().lifecycleVersion();
        for (int i = 0; i < storages.length; i++) {
            if (!all && !nodes[i].equals(eventNode)) {
                continue;
            }
            // A disk keeps its log file object until it is wiped: look it up again only then (or until it exists).
            MetadataLogFile log = logs[i];
            if (log == null || wipes[i] != storages[i].wipes()) {
                log = storages[i].find(RaftNode.LOG_FILE, MetadataLogFile.class);
                logs[i] = log;
                wipes[i] = storages[i].wipes();
            }
            if (log == null || log.startOffset() == 0) {
                continue;
            }
            RaftSnapshot earliest = log.earliestSnapshot();
            if (earliest == null || earliest.endOffset() != log.startOffset() || earliest.epoch() != log.startEpoch()) {
                context.fail(name(), nodes[i].name() + " has log start offset " + log.startOffset() + " (epoch "
                        + log.startEpoch() + ") but its oldest snapshot is " + (earliest == null ? "none" : earliest.toString())
                        + " (SnapshotAtLogStart)", nodes[i]);
                return;
            }
        }
        history.flush(name(), context);
    }
}
