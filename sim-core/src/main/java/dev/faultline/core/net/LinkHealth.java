package dev.faultline.core.net;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import java.util.List;

/**
 * Link health read from the network's true state, for the premises of liveness checks ("the
 * links between these nodes are clean"). Nodes never call it: they learn about the network only
 * from the messages they get. The one place that says what a clean link is; add a backlog
 * ({@link DelayBacklog}) where messages held back by an ended delay fault must count too.
 */
public final class LinkHealth {
    private LinkHealth() {
    }

    /** Messages flow both ways between {@code a} and {@code b}: no cut and no link fault, either way. */
    public static boolean clean(Network net, NodeId a, NodeId b) {
        return !net.isCut(a, b) && !net.isCut(b, a) && net.linkFault(a, b).isNone() && net.linkFault(b, a).isNone();
    }

    /** Some messages can flow both ways: not cut, and no link fault dropping everything, either way. */
    public static boolean reachable(Network net, NodeId a, NodeId b) {
        return !net.isCut(a, b) && !net.isCut(b, a) && passes(net.linkFault(a, b)) && passes(net.linkFault(b, a));
    }

    private static boolean passes(LinkFault f) {
        return f.dropProbability() < 1.0;
    }

    /**
     * Whether every two running nodes of the simulation are {@linkplain #clean cleanly linked}.
     * O(1) while the network has no cut and no link fault at all, else a scan over the pairs of
     * nodes.
     */
    public static boolean runningNodesCleanlyLinked(Simulation sim) {
        Network net = sim.network();
        if (!net.hasCutsOrLinkFaults()) {
            return true;
        }
        List<NodeId> nodes = sim.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            NodeId a = nodes.get(i);
            if (!sim.isUp(a)) {
                continue;
            }
            for (int j = i + 1; j < nodes.size(); j++) {
                NodeId b = nodes.get(j);
                if (sim.isUp(b) && !clean(net, a, b)) {
                    return false;
                }
            }
        }
        return true;
    }
}
