package dev.faultline.raft.kraft.check;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlaneContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.raft.check.RaftView;
import dev.faultline.raft.quorum.RaftNode;

/**
 * What the KRaft controller checks read from the control plane, beside the Raft view of the
 * voters: the cluster, its settings, the active controller and the running broker processes.
 * {@link dev.faultline.raft.kraft.KRaftControlPlane} implements it; the checks never reach into a
 * controller's or a broker's own bookkeeping, only into what these methods report.
 */
public interface KRaftView extends RaftView {
    /** A broker's running KRaft process, as the checks see it. */
    interface BrokerProcess {
        /** The incarnation id this process registers with. */
        long incarnationId();

        /** Its Raft observer (or, in combined mode, voter). */
        RaftNode raft();

        /** Events waiting in its metadata loader (0 when it has caught up with what Raft delivered). */
        int loaderBacklog();
    }

    ClusterSpec cluster();

    /** The run's history, failover recorder and simulation, as given to the control plane. */
    ControlPlaneContext context();

    /** The active controller with the highest claim epoch, or {@code null}. */
    NodeId activeController();

    /** The claim epoch of the quorum controller running on voter node {@code index} (it must run). */
    int claimEpoch(int index);

    /** {@code broker.session.timeout.ms}. */
    long sessionTimeoutNanos();

    /** Whether the active controller checks sessions periodically (Kafka 4.0) instead of at each deadline (3.9). */
    boolean periodicFencing();

    /** The period of Kafka 4.0's fencing check. */
    long fenceCheckPeriodNanos();

    /** {@code broker.heartbeat.interval.ms}. */
    long heartbeatIntervalNanos();

    boolean isVoter(int index);

    /** The partitions broker {@code brokerId} hosts a replica of, ascending. */
    int[] partitionsOf(int brokerId);

    /** {@code faultline.controller.record.cost.ns}: the controller's CPU per record generated or replayed. */
    long recordCostNanos();

    /** The number of nodes when the control plane was installed (the node indices the checks size for). */
    int nodeCount();

    /** The node index of broker {@code brokerId}. */
    int brokerIndex(int brokerId);

    /** The running process of the broker on node {@code index}, or {@code null}. */
    BrokerProcess runningBroker(int index);
}
