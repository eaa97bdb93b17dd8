package dev.faultline.zookeeper.check;

import dev.faultline.core.kernel.Simulation;
import dev.faultline.zookeeper.ensemble.ZkEnsemble;

/** Registers the ZooKeeper safety invariants ZK-S1..ZK-S9 on a simulation. */
public final class ZkInvariants {
    private ZkInvariants() {
    }

    public static void addAll(Simulation sim, ZkEnsemble ensemble) {
        sim.addInvariant(new HistoryProblemInvariant("ZK-S1", ensemble.history()));
        sim.addInvariant(new MonotonicEpochs(sim, ensemble));
        sim.addInvariant(new CommittedHistoryAgreement(sim, ensemble));
        sim.addInvariant(new DurableQuorumCommit(sim, ensemble));
        sim.addInvariant(new NoCommittedTruncation(sim, ensemble));
        sim.addInvariant(new EphemeralOwnersOpen(sim, ensemble));
        sim.addInvariant(new HistoryProblemInvariant("ZK-S7", ensemble.history()));
        sim.addInvariant(new ClientObservations(sim));
    }
}
