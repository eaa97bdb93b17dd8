package dev.faultline.raft.check;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
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

    /** The running process of this Raft node, or {@code null} while it is down. */
    default RaftNode process(int index) {
        return sim().process(nodeId(index), RaftNode.class);
    }

    /** An upper bound on one network round trip between voters (used by the liveness bounds). */
    long roundTripBoundNanos();
}
