package dev.faultline.zookeeper.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.check.ViolationReport;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.zookeeper.ensemble.DataTree;
import dev.faultline.zookeeper.ensemble.TxnEntry;
import dev.faultline.zookeeper.ensemble.ZkEnsemble;
import dev.faultline.zookeeper.ensemble.ZkHistory;
import dev.faultline.zookeeper.ensemble.ZkServer;
import java.util.List;

/**
 * ZK-S3: there is one committed sequence; every serving server's applied sequence is a prefix of
 * it. Checked incrementally for servers that serve (a server replays its whole log, uncommitted
 * tail included, when it loads; sync trims or confirms that tail before it serves). Commit-order
 * conflicts noted by the history are reported here too.
 */
final class CommittedHistoryAgreement implements Invariant {
    private final Simulation sim;
    private final List<NodeId> servers;
    private final ZkHistory history;
    private final DataTree[] checkedTree;
    private final int[] checkedCount;

    CommittedHistoryAgreement(Simulation sim, ZkEnsemble ensemble) {
        this.sim = sim;
        this.servers = ensemble.servers();
        this.history = ensemble.history();
        this.checkedTree = new DataTree[servers.size()];
        this.checkedCount = new int[servers.size()];
    }

    @Override
    public String name() {
        return "ZK-S3";
    }

    @Override
    public void check(CheckContext context) {
        ViolationReport problem = history.problems().takeAll(name());
        if (problem != null) {
            problem.failOn(context);
            return;
        }
        List<TxnEntry> committed = history.committed();
        for (int i = 0; i < servers.size(); i++) {
            ZkServer server = sim.process(servers.get(i), ZkServer.class);
            if (server == null || !server.isServing()) {
                continue;
            }
            DataTree tree = server.dataTree();
            if (tree != checkedTree[i]) {
                checkedTree[i] = tree;
                checkedCount[i] = 0;
            }
            List<TxnEntry> applied = tree.applied();
            for (int k = checkedCount[i]; k < applied.size(); k++) {
                TxnEntry mine = applied.get(k);
                TxnEntry global = k < committed.size() ? committed.get(k) : null;
                if (!mine.equals(global)) {
                    context.fail(name(), servers.get(i) + " applied " + mine + " at position " + k
                            + " where the committed history has " + (global == null ? "nothing yet" : global.toString()),
                            servers.get(i));
                    return;
                }
            }
            checkedCount[i] = applied.size();
        }
    }
}
