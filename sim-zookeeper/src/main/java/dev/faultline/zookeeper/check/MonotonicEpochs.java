package dev.faultline.zookeeper.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.storage.DurableValue;
import dev.faultline.core.storage.Storage;
import dev.faultline.zookeeper.ensemble.ZkDisk;
import dev.faultline.zookeeper.ensemble.ZkEnsemble;
import java.util.List;

/**
 * ZK-S2: {@code acceptedEpoch} and {@code currentEpoch} never decrease on a server, across restarts
 * and power loss (a wiped disk starts over), and {@code currentEpoch <= acceptedEpoch}.
 */
final class MonotonicEpochs implements Invariant {
    private final Simulation sim;
    private final List<NodeId> servers;
    private final long[] accepted;
    private final long[] current;
    private final long[] wipes;

    MonotonicEpochs(Simulation sim, ZkEnsemble ensemble) {
        this.sim = sim;
        this.servers = ensemble.servers();
        this.accepted = new long[servers.size()];
        this.current = new long[servers.size()];
        this.wipes = new long[servers.size()];
    }

    @Override
    public String name() {
        return "ZK-S2";
    }

    @Override
    @SuppressWarnings("unchecked")
    public void check(CheckContext context) {
        for (int i = 0; i < servers.size(); i++) {
            Storage storage = sim.storage(servers.get(i));
            if (storage.wipes() != wipes[i]) {
                wipes[i] = storage.wipes();
                accepted[i] = 0;
                current[i] = 0;
            }
            DurableValue<Long> a = storage.find(ZkDisk.ACCEPTED_EPOCH, DurableValue.class);
            DurableValue<Long> c = storage.find(ZkDisk.CURRENT_EPOCH, DurableValue.class);
            if (a == null || c == null) {
                continue;
            }
            long ae = a.get();
            long ce = c.get();
            if (ae < accepted[i] || ce < current[i]) {
                context.fail(name(), servers.get(i) + " epochs went back: acceptedEpoch " + accepted[i] + " -> " + ae
                        + ", currentEpoch " + current[i] + " -> " + ce, servers.get(i));
                return;
            }
            if (ce > ae) {
                context.fail(name(), servers.get(i) + " has currentEpoch " + ce + " above acceptedEpoch " + ae, servers.get(i));
                return;
            }
            accepted[i] = ae;
            current[i] = ce;
        }
    }
}
