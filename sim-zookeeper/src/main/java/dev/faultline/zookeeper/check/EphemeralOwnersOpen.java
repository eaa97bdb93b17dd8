package dev.faultline.zookeeper.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.zookeeper.ensemble.DataTree;
import dev.faultline.zookeeper.ensemble.ZkEnsemble;
import dev.faultline.zookeeper.ensemble.ZkServer;
import java.util.List;

/** ZK-S6: in every server's applied state, each ephemeral znode's owner session is open. */
final class EphemeralOwnersOpen implements Invariant {
    private final Simulation sim;
    private final List<NodeId> servers;

    /** Per server, the tree and its session-change counter when last found clean (unchanged trees are skipped). */
    private final DataTree[] checkedTree;
    private final long[] checkedChanges;

    EphemeralOwnersOpen(Simulation sim, ZkEnsemble ensemble) {
        this.sim = sim;
        this.servers = ensemble.servers();
        this.checkedTree = new DataTree[servers.size()];
        this.checkedChanges = new long[servers.size()];
    }

    @Override
    public String name() {
        return "ZK-S6";
    }

    @Override
    public void check(CheckContext context) {
        for (int i = 0; i < servers.size(); i++) {
            NodeId id = servers.get(i);
            ZkServer server = sim.process(id, ZkServer.class);
            if (server == null || server.dataTree() == null) {
                continue;
            }
            DataTree tree = server.dataTree();
            if (tree == checkedTree[i] && tree.sessionChanges() == checkedChanges[i]) {
                continue;
            }
            for (var e : tree.ephemeralsBySession().entrySet()) {
                if (!tree.sessions().containsKey(e.getKey().longValue())) {
                    context.fail(name(), id + " holds ephemerals " + e.getValue() + " of closed session 0x"
                            + Long.toHexString(e.getKey()), id);
                    return;
                }
            }
            checkedTree[i] = tree;
            checkedChanges[i] = tree.sessionChanges();
        }
    }
}
