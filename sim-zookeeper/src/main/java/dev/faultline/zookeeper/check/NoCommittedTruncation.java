package dev.faultline.zookeeper.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.storage.DurableLog;
import dev.faultline.zookeeper.ensemble.TxnEntry;
import dev.faultline.zookeeper.ensemble.ZkDisk;
import dev.faultline.zookeeper.ensemble.ZkEnsemble;
import dev.faultline.zookeeper.ensemble.ZkHistory;
import dev.faultline.zookeeper.ensemble.Zxid;
import java.util.List;

/**
 * ZK-S5: sync never removes a committed txn. When a leader decides to TRUNC a learner, nothing the
 * learner's log holds above the truncation point may already be committed. (Proposals the leader
 * still has outstanding are re-sent right after the TRUNC; they may commit while it travels, which
 * is fine: the learner gets them back in the same stream.)
 */
final class NoCommittedTruncation implements Invariant {
    private final Simulation sim;
    private final ZkEnsemble ensemble;
    private final ZkHistory history;

    NoCommittedTruncation(Simulation sim, ZkEnsemble ensemble) {
        this.sim = sim;
        this.ensemble = ensemble;
        this.history = ensemble.history();
    }

    @Override
    public String name() {
        return "ZK-S5";
    }

    @Override
    @SuppressWarnings("unchecked")
    public void check(CheckContext context) {
        for (ZkHistory.TruncDecision d : history.drainTruncDecisions()) {
            NodeId learner = ensemble.server(d.learnerSid());
            DurableLog<TxnEntry> log = sim.storage(learner).find(ZkDisk.TXN_LOG, DurableLog.class);
            if (log == null) {
                continue;
            }
            List<TxnEntry> entries = log.entries();
            for (int i = entries.size() - 1; i >= 0 && entries.get(i).zxid() > d.truncateToZxid(); i--) {
                TxnEntry e = entries.get(i);
                int at = history.committedIndexOf(e.zxid());
                if (at >= 0 && history.committed().get(at).equals(e)) {
                    context.fail(name(), "leader " + d.leaderSid() + " truncates " + learner + " to "
                            + Zxid.format(d.truncateToZxid()) + ", removing committed " + e, learner);
                    return;
                }
            }
        }
    }
}
