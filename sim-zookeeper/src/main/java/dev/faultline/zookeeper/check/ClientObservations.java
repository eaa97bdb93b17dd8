package dev.faultline.zookeeper.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.zookeeper.client.ZkClient;
import dev.faultline.zookeeper.client.ZkClientHolder;
import java.util.List;

/**
 * ZK-S8 (a client never observes a lower zxid than one it already observed) and ZK-S9 (a watch
 * fires at most once, and its event arrives before any response reflecting its zxid). Each client
 * notes what it saw on its connection; this reports the first note, under its own id.
 */
final class ClientObservations implements Invariant {
    private final Simulation sim;

    ClientObservations(Simulation sim) {
        this.sim = sim;
    }

    @Override
    public String name() {
        return "ZK-S8/ZK-S9";
    }

    @Override
    public void check(CheckContext context) {
        for (NodeId id : sim.nodes()) {
            Node n = sim.process(id);
            if (!(n instanceof ZkClientHolder holder)) {
                continue;
            }
            for (ZkClient client : holder.zkClients()) {
                List<String> seen = client.violations();
                if (!seen.isEmpty()) {
                    String v = seen.get(0);
                    int bar = v.indexOf('|');
                    context.fail(v.substring(0, bar), v.substring(bar + 1), id);
                    return;
                }
            }
        }
    }
}
