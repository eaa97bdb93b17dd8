package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.Message;
import java.util.List;

/** Requests between the ZooKeeper-mode controller and brokers ({@code ControllerChannelManager}). */
public sealed interface ControllerRequest extends Message {
    /**
     * Bytes of one partition state in LeaderAndIsr / UpdateMetadata at replication factor {@code rf}:
     * partition index, controller epoch, leader, leader epoch, zkVersion (4 bytes each), the ISR and
     * the replicas (a 4-byte length and 4 bytes per broker each) and an empty offline-replicas array
     * (Kafka's {@code UpdateMetadataPartitionState} / {@code LeaderAndIsrPartitionState} schemas; the
     * topic name is written once per topic since the topic-grouped versions and is left out).
     */
    static int bytesPerPartition(int rf) {
        return 5 * 4 + (4 + 4 * rf) + (4 + 4 * rf) + 4;
    }

    /** Bytes of a list of states: computed once for the compact snapshots the controller sends. */
    private static long statesBytes(List<PartitionState> states) {
        if (states instanceof PartitionStates compact) {
            return compact.sizeBytes();
        }
        long bytes = 0;
        for (PartitionState s : states) {
            bytes += bytesPerPartition(Math.max(3, s.isr().size()));
        }
        return bytes;
    }

    /** The states as sent: the controller's compact snapshots as they are, any other list copied. */
    private static List<PartitionState> frozen(List<PartitionState> states) {
        return states instanceof PartitionStates ? states : List.copyOf(states);
    }

    /** LeaderAndIsr for the partitions the target broker hosts. */
    record LeaderAndIsr(int controllerId, int controllerEpoch, long brokerEpoch, List<PartitionState> states) implements ControllerRequest {
        public LeaderAndIsr {
            states = frozen(states);
        }

        @Override
        public int sizeBytes() {
            return (int) Math.min(Integer.MAX_VALUE, 64 + statesBytes(states));
        }
    }

    /** UpdateMetadata: the client-facing metadata cache. */
    record UpdateMetadata(int controllerId, int controllerEpoch, long brokerEpoch, List<PartitionState> states) implements ControllerRequest {
        public UpdateMetadata {
            states = frozen(states);
        }

        @Override
        public int sizeBytes() {
            return (int) Math.min(Integer.MAX_VALUE, 64 + statesBytes(states));
        }
    }

    /**
     * A broker's AlterPartition (KIP-497): the ISR changes its partition leaders proposed, batched
     * as Kafka's {@code AlterPartitionManager} sends them; {@code correlationId} lets the broker
     * discard a response that arrives after the request timed out.
     */
    record AlterPartition(long correlationId, List<AlterPartitionRequest> requests) implements ControllerRequest {
        public AlterPartition {
            requests = List.copyOf(requests);
        }

        @Override
        public int sizeBytes() {
            return 64 + 32 * requests.size();
        }
    }

    /**
     * The controller's answer, carrying the request's {@code correlationId}: a top-level error
     * ({@code NOT_CONTROLLER}, with every partition's result saying so too) or one result per partition.
     */
    record AlterPartitionResponse(long correlationId, dev.faultline.core.control.Errors error, List<AlterPartitionResult> results)
            implements ControllerRequest {
        public AlterPartitionResponse {
            results = List.copyOf(results);
        }

        @Override
        public int sizeBytes() {
            return 64 + 40 * results.size();
        }
    }

    /**
     * A controller-to-broker request as it travels on the {@link ControllerChannel}: the request
     * header (sender, correlation id) around the request body.
     */
    record Envelope(int controllerId, long correlationId, ControllerRequest request) implements ControllerRequest {
        @Override
        public int sizeBytes() {
            return 16 + request.sizeBytes();
        }
    }

    /** A broker's answer to an {@link Envelope}. */
    record EnvelopeResponse(long correlationId, Outcome error) implements ControllerRequest {
    }

    /** The error code of a broker's answer to a controller request (names as Kafka's {@code Errors}). */
    enum Outcome {
        NONE, STALE_CONTROLLER_EPOCH, STALE_BROKER_EPOCH
    }

    /**
     * A broker's ControlledShutdown (docs/model.md#controlled-shutdown), carrying its broker epoch
     * (KIP-380).
     */
    record ControlledShutdown(long correlationId, int brokerId, long brokerEpoch) implements ControllerRequest {
    }

    /** The controller's answer: an error, or the partitions the broker still leads ({@code partitionsRemaining}). */
    record ControlledShutdownResponse(long correlationId, dev.faultline.core.control.Errors error,
                                      it.unimi.dsi.fastutil.ints.IntList partitionsRemaining) implements ControllerRequest {
    }

    /** StopReplica without deletion, to a broker in controlled shutdown for the partitions it follows. */
    record StopReplica(int controllerId, int controllerEpoch, long brokerEpoch, it.unimi.dsi.fastutil.ints.IntList partitions)
            implements ControllerRequest {
        @Override
        public int sizeBytes() {
            return 64 + 8 * partitions.size();
        }
    }
}
