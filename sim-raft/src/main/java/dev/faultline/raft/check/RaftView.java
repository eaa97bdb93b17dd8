package dev.faultline.raft.check;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.net.DelayBacklog;
import dev.faultline.raft.quorum.QuorumConfig;
import dev.faultline.raft.quorum.RaftNode;

/** What the Raft invariants read: the simulation, which nodes are Raft voters, and their running processes. */
public interface RaftView {
    Simulation sim();

    QuorumConfig config();

    /** Node indices of the voters, ascending. */
    int[] voterIds();

    /** Node indices of every Raft node (voters and observers), ascending. */
    int[] raftIds();

    /**
     * Node indices of every node that keeps a metadata log on its disk (every voter and observer;
     * for KRaft the brokers too), ascending. Fixed once the invariants are created.
     */
    default int[] logNodeIds() {
        return raftIds();
    }

    /** The node with this index. */
    NodeId nodeId(int index);

    /** The nodes with these indices, in the same order. */
    default NodeId[] nodeIds(int[] indices) {
        NodeId[] ids = new NodeId[indices.length];
        for (int i = 0; i < indices.length; i++) {
            ids[i] = nodeId(indices[i]);
        }
        return ids;
    }

    /** A tracker of the delay backlogs on the links between {@code indices} (see {@link DelayBacklog}). */
    default DelayBacklog delayBacklog(int[] indices) {
        return new DelayBacklog(sim(), nodeIds(indices), this::roundTripBoundNanos);
    }

    /** The running process of this Raft node, or {@code null} while it is down. */
    default RaftNode process(int index) {
        return sim().process(nodeId(index), RaftNode.class);
    }

    /** An upper bound on one network round trip between voters (used by the liveness bounds). */
    long roundTripBoundNanos();
}
