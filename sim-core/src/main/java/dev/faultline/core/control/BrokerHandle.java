package dev.faultline.core.control;

import dev.faultline.core.kernel.NodeContext;
import java.util.List;

/**
 * What a control-plane agent may tell the broker process it lives in. Implemented by the broker
 * ({@code dev.faultline.core.kafka.KafkaBroker}); every call runs inside the broker's own event
 * handler (or, for the oracle, at one instant as a world action) and takes effect at once.
 */
public interface BrokerHandle {
    /** This broker's {@code broker.id}. */
    int brokerId();

    /** The broker process's context (send, timers, clock, storage, trace). The agent shares it. */
    NodeContext context();

    /** The cluster description. */
    ClusterSpec cluster();

    /**
     * The control plane registered this incarnation with broker epoch {@code brokerEpoch}
     * (ZooKeeper: the czxid of {@code /brokers/ids/<id>}; KRaft: the offset of its
     * {@code RegisterBrokerRecord}). The broker sends it with fetches (KIP-903).
     */
    void registered(long brokerEpoch);

    /**
     * LeaderAndIsr (ZooKeeper mode) or a replayed metadata delta (KRaft): become leader or follower of
     * each partition this broker hosts, at the given leader epoch and ISR. The broker applies a state
     * only if its leader epoch is newer than the one it has, or equal with a newer partition epoch
     * (an ISR-only change); older states are ignored and traced. States of partitions the broker does
     * not host only update its metadata cache. Becoming follower starts truncation by leader epoch
     * (KIP-101/279) against the new leader.
     */
    void becomeLeaderOrFollower(List<PartitionState> states);

    /**
     * UpdateMetadata (ZooKeeper mode) or the metadata image (KRaft): the client-facing metadata cache
     * (who leads each partition), without changing replica roles.
     */
    void updateMetadata(List<PartitionState> states);

    /**
     * StopReplica without deletion (ZooKeeper-mode controlled shutdown,
     * docs/model.md#controlled-shutdown): stop following these partitions (the fetchers let go of
     * them; the logs stay). A later LeaderAndIsr with a newer leader epoch makes the broker a
     * replica again. Partitions this broker leads or does not host are ignored.
     */
    void stopReplicas(it.unimi.dsi.fastutil.ints.IntList partitions);

    /** The answer to an {@link BrokerAgent#alterPartition} request. */
    void alterPartitionResponse(AlterPartitionResult result);

    /** The leader epoch this broker has applied for a partition (-1 when none). For agents and checks. */
    int appliedLeaderEpoch(int partition);
}
