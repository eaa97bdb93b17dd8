package dev.faultline.raft.check;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.net.DelayBacklog;
import dev.faultline.core.net.LinkHealth;

/**
 * Reads, from the simulation's true state, which nodes run and whether the voters form a healthy,
 * cleanly linked majority (for liveness conditions; what a clean link is: {@link LinkHealth}).
 */
final class Connectivity {
    private Connectivity() {
    }

    /** Up and not paused. */
    static boolean healthy(Simulation sim, NodeId id) {
        return sim.isUp(id) && !sim.isPaused(id);
    }

    /** Clean both ways, and no message held back by an ended delay fault still queued on the link (see {@link DelayBacklog}). */
    static boolean clean(Simulation sim, NodeId a, NodeId b, DelayBacklog backlog) {
        return LinkHealth.clean(sim.network(), a, b) && backlog.drained(a, b, sim.now());
    }

    /** Whether some majority of the voters is healthy and pairwise cleanly connected (backlogs drained). */
    static boolean healthyMajority(RaftView view, DelayBacklog backlog) {
        int[] voters = view.voterIds();
        int n = voters.length;
        int majority = n / 2 + 1;
        Simulation sim = view.sim();
        int healthyMask = 0;
        for (int i = 0; i < n; i++) {
            if (healthy(sim, view.nodeId(voters[i]))) {
                healthyMask |= 1 << i;
            }
        }
        if (Integer.bitCount(healthyMask) < majority) {
            return false;
        }
        for (int subset = healthyMask; subset > 0; subset = (subset - 1) & healthyMask) {
            if (Integer.bitCount(subset) >= majority && pairwiseClean(view, voters, subset, backlog)) {
                return true;
            }
        }
        return false;
    }

    private static boolean pairwiseClean(RaftView view, int[] voters, int subset, DelayBacklog backlog) {
        for (int i = 0; i < voters.length; i++) {
            if ((subset & (1 << i)) == 0) {
                continue;
            }
            for (int j = i + 1; j < voters.length; j++) {
                if ((subset & (1 << j)) != 0 && !clean(view.sim(), view.nodeId(voters[i]), view.nodeId(voters[j]), backlog)) {
                    return false;
                }
            }
        }
        return true;
    }
}
