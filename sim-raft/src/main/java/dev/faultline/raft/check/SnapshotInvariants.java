package dev.faultline.raft.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.storage.Storage;
import dev.faultline.raft.quorum.MetadataLogFile;
import dev.faultline.raft.quorum.RaftNode;
import dev.faultline.raft.quorum.RaftSnapshot;
import java.util.List;

/**
 * KR-S10, the snapshot invariants of Kafka's {@code RaftEventSimulationTest} (KIP-630):
 * <ul>
 *   <li>{@code SnapshotAtLogStart}: on every node's disk (voters and observers), a log whose start
 *       offset is above 0 begins exactly where its oldest snapshot ends, at that snapshot's epoch
 *       (the log start only ever advances to a snapshot); read from each node's log directory after
 *       every event, O(nodes).</li>
 *   <li>{@code LeaderNeverLoadSnapshot}: a leader whose state machine may write is never asked to
 *       load a snapshot (reported by {@link RaftHistory} when it happens).</li>
 * </ul>
 */
final class SnapshotInvariants implements Invariant {
    private final RaftView view;
    private final RaftHistory history;
    private Storage[] storages;
    private List<NodeId> nodes;

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
        if (nodes == null || nodes.size() != view.sim().nodes().size()) {
            nodes = view.sim().nodes();
            storages = new Storage[nodes.size()];
            for (int i = 0; i < nodes.size(); i++) {
                storages[i] = view.sim().storage(nodes.get(i));
            }
        }
        for (int i = 0; i < storages.length; i++) {
            MetadataLogFile log = storages[i].find(RaftNode.LOG_FILE, MetadataLogFile.class);
            if (log == null || log.startOffset() == 0) {
                continue;
            }
            RaftSnapshot earliest = log.earliestSnapshot();
            if (earliest == null || earliest.endOffset() != log.startOffset() || earliest.epoch() != log.startEpoch()) {
                context.fail(name(), nodes.get(i).name() + " has log start offset " + log.startOffset() + " (epoch "
                        + log.startEpoch() + ") but its oldest snapshot is " + (earliest == null ? "none" : earliest.toString())
                        + " (SnapshotAtLogStart)", nodes.get(i));
                return;
            }
        }
        history.flush(name(), context);
    }
}
