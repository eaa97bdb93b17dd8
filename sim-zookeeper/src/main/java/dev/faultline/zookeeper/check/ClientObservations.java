package dev.faultline.zookeeper.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.check.ViolationReport;
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

    /** The nodes seen so far ({@link Simulation#nodes} allocates; refreshed when nodes are added). */
    private List<NodeId> nodes = List.of();
    /**
     * Nodes whose process was seen and is not a {@link ZkClientHolder} (a node is always built by the
     * same factory, so its later incarnations are not either): skipped after every event.
     */
    private boolean[] notHolder = new boolean[0];

    @Override
    public void check(CheckContext context) {
        if (nodes.size() != sim.nodeCount()) {
            nodes = sim.nodes();
            notHolder = java.util.Arrays.copyOf(notHolder, nodes.size());
        }
        for (int i = 0; i < nodes.size(); i++) {
            if (notHolder[i]) {
                continue;
            }
            NodeId id = nodes.get(i);
            Node n = sim.process(id);
            if (!(n instanceof ZkClientHolder holder)) {
                notHolder[i] = n != null;
                continue;
            }
            for (ZkClient client : holder.zkClients()) {
                List<ViolationReport> seen = client.violations();
                if (!seen.isEmpty()) {
                    ViolationReport v = seen.get(0);
                    context.fail(v.invariant(), v.message(), id);
                    return;
                }
            }
        }
    }
}
