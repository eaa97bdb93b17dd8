package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import it.unimi.dsi.fastutil.ints.IntIterator;
import it.unimi.dsi.fastutil.ints.IntRBTreeSet;

/**
 * Answers "which partition could have a live leader but has none applied?" without looking at
 * every partition each time (the {@code all-partitions-led-within} expectation and the adaptive
 * runner's settle check ask it every simulated second). The first question looks at every
 * partition once; afterwards only at suspects: partitions found wanting, and partitions something
 * happened to since (a leader election or ISR change became authoritative, a broker applied a
 * leadership, or a broker hosting a replica started, stopped, paused or resumed). A partition
 * found fine (led by a broker that applied it, or with no replica that could lead) leaves the
 * suspects until one of those happens to it again. Partitions of topics created at runtime stay
 * suspects until they exist (creation is not an election). Omniscient and read-only.
 */
final class LeaderlessIndex {
    private final Simulation sim;
    private final ClusterSpec spec;
    private final ControlPlane controlPlane;
    private final NodeId[] brokerNodes;
    private final IntRBTreeSet suspects = new IntRBTreeSet();
    /** Whether every partition was looked at once (until then, changes need no recording). */
    private boolean scanned;

    LeaderlessIndex(Simulation sim, ClusterSpec spec, ControlPlane controlPlane) {
        this.sim = sim;
        this.spec = spec;
        this.controlPlane = controlPlane;
        this.brokerNodes = new NodeId[spec.maxBrokerId() + 1];
    }

    /** Something happened to a partition's authoritative state or applied leadership. */
    void partitionChanged(int partition) {
        if (scanned) {
            suspects.add(partition);
        }
    }

    /** A broker's process started, stopped, paused or resumed: every partition it hosts is a suspect. */
    void brokerChanged(int brokerId) {
        if (scanned) {
            int hosted = spec.partitionCountOf(brokerId);
            for (int k = 0; k < hosted; k++) {
                suspects.add(spec.partitionOf(brokerId, k));
            }
        }
    }

    /** The lowest partition that could have a live leader but has none applied, described, or {@code null}. */
    String leaderless() {
        if (!scanned) {
            scanned = true;
            for (int p = 0; p < spec.partitionCount(); p++) {
                if (examine(p) != Verdict.FINE) {
                    suspects.add(p);
                }
            }
        }
        IntIterator it = suspects.iterator();
        while (it.hasNext()) {
            int p = it.nextInt();
            Verdict v = examine(p);
            if (v == Verdict.FINE) {
                it.remove();
            } else if (v != Verdict.NOT_CREATED) {
                PartitionState s = controlPlane.partitionStates().state(p);
                return v == Verdict.NO_LEADER ? spec.partitionName(p) + " has no leader"
                        : spec.partitionName(p) + ": leader broker-" + s.leader() + " has not applied its leadership";
            }
        }
        return null;
    }

    private enum Verdict { FINE, NOT_CREATED, NO_LEADER, NOT_APPLIED }

    private Verdict examine(int p) {
        PartitionState s = controlPlane.partitionStates().state(p);
        if (s == null && spec.createdAtRuntime(p)) {
            return Verdict.NOT_CREATED; // not created yet: topic-created-within judges it
        }
        boolean unclean = spec.uncleanLeaderElectionEnabled(p);
        boolean leadable = false;
        int rf = spec.replicationFactor(p);
        for (int r = 0; r < rf && !leadable; r++) {
            int replica = spec.replica(p, r);
            NodeId node = node(replica);
            leadable = sim.isUp(node) && !sim.isPaused(node) && (unclean || (s != null && s.inIsr(replica)));
        }
        if (!leadable) {
            return Verdict.FINE;
        }
        if (s == null || !s.hasLeader()) {
            return Verdict.NO_LEADER;
        }
        KafkaBroker leader = sim.process(node(s.leader()), KafkaBroker.class);
        return leader != null && leader.isLeader(p) ? Verdict.FINE : Verdict.NOT_APPLIED;
    }

    private NodeId node(int broker) {
        NodeId n = brokerNodes[broker];
        if (n == null) {
            n = sim.node(ClusterSpec.brokerNodeName(broker));
            brokerNodes[broker] = n;
        }
        return n;
    }
}
