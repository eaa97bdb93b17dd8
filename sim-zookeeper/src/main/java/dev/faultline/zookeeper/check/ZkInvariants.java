package dev.faultline.zookeeper.check;

import dev.faultline.core.check.Invariant;
import dev.faultline.core.check.ViolationReport;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.zookeeper.ensemble.ZkEnsemble;

/** Registers the ZooKeeper safety invariants ZK-S1..ZK-S9 on a simulation. */
public final class ZkInvariants {
    private ZkInvariants() {
    }

    /**
     * An invariant decided where the ground truth is recorded (ZK-S1 one established leader per
     * epoch, ZK-S7 no premature expiry): the history notes what it saw; this reports it.
     */
    private static Invariant historyProblem(String id, ZkEnsemble ensemble) {
        return Invariant.of(id, context -> {
            ViolationReport problem = ensemble.history().problems().takeAll(id);
            if (problem != null) {
                problem.failOn(context);
            }
        });
    }

    public static void addAll(Simulation sim, ZkEnsemble ensemble) {
        sim.addInvariant(historyProblem("ZK-S1", ensemble));
        sim.addInvariant(new MonotonicEpochs(sim, ensemble));
        sim.addInvariant(new CommittedHistoryAgreement(sim, ensemble));
        sim.addInvariant(new DurableQuorumCommit(sim, ensemble));
        sim.addInvariant(new NoCommittedTruncation(sim, ensemble));
        sim.addInvariant(new EphemeralOwnersOpen(sim, ensemble));
        sim.addInvariant(historyProblem("ZK-S7", ensemble));
        sim.addInvariant(new ClientObservations(sim));
    }
}
