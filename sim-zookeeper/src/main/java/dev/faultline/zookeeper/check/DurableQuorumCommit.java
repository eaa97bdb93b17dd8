package dev.faultline.zookeeper.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.storage.DurableLog;
import dev.faultline.core.storage.Storage;
import dev.faultline.zookeeper.ensemble.TxnEntry;
import dev.faultline.zookeeper.ensemble.ZkDisk;
import dev.faultline.zookeeper.ensemble.ZkEnsemble;
import dev.faultline.zookeeper.ensemble.ZkHistory;
import dev.faultline.zookeeper.ensemble.Zxid;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import java.util.List;

/**
 * ZK-S4: a leader commits zxid z only when a quorum (itself included) has z durably in its
 * transaction log (synced, so it survives power loss), and only after every lower zxid of its
 * epoch was committed.
 */
final class DurableQuorumCommit implements Invariant {
    private final Simulation sim;
    private final ZkEnsemble ensemble;
    private final ZkHistory history;
    private final Long2LongOpenHashMap lastCommitByLeader = new Long2LongOpenHashMap();

    DurableQuorumCommit(Simulation sim, ZkEnsemble ensemble) {
        this.sim = sim;
        this.ensemble = ensemble;
        this.history = ensemble.history();
    }

    @Override
    public String name() {
        return "ZK-S4";
    }

    @Override
    @SuppressWarnings("unchecked")
    public void check(CheckContext context) {
        for (ZkHistory.CommitRecord c : history.drainCommitsToCheck()) {
            long zxid = c.entry().zxid();
            long previous = lastCommitByLeader.get(c.leaderSid());
            if (Zxid.epoch(previous) == Zxid.epoch(zxid) && Zxid.counter(zxid) != Zxid.counter(previous) + 1) {
                context.fail(name(), "leader " + c.leaderSid() + " committed " + Zxid.format(zxid) + " right after "
                        + Zxid.format(previous));
                return;
            }
            lastCommitByLeader.put(c.leaderSid(), zxid);
            if (!c.ackers().contains(c.leaderSid()) || c.ackers().size() < ensemble.quorum()) {
                context.fail(name(), "leader " + c.leaderSid() + " committed " + Zxid.format(zxid) + " with acks " + c.ackers());
                return;
            }
            for (Long sid : c.ackers()) {
                NodeId node = ensemble.server(sid);
                Storage storage = sim.storage(node);
                if (storage.wipes() > 0) {
                    continue;
                }
                DurableLog<TxnEntry> log = storage.find(ZkDisk.TXN_LOG, DurableLog.class);
                if (log == null || !durablyHolds(log, c.entry())) {
                    context.fail(name(), "leader " + c.leaderSid() + " counted " + node + "'s ACK of " + Zxid.format(zxid)
                            + " but that server's log does not hold it durably", node);
                    return;
                }
            }
        }
    }

    private static boolean durablyHolds(DurableLog<TxnEntry> log, TxnEntry entry) {
        int lo = 0;
        int hi = log.syncedLength();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            long z = log.get(mid).zxid();
            if (z == entry.zxid()) {
                return log.get(mid).equals(entry);
            }
            if (z < entry.zxid()) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return false;
    }
}
