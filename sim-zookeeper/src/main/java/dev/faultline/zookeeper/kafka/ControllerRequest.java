package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.Message;
import java.util.List;

/** Requests between the ZooKeeper-mode controller and brokers ({@code ControllerChannelManager}). */
public sealed interface ControllerRequest extends Message {
    /** Bytes per partition state in LeaderAndIsr / UpdateMetadata (topic, partition, leader, epochs, ISR). */
    int BYTES_PER_PARTITION = 40;

    /** LeaderAndIsr for the partitions the target broker hosts. */
    record LeaderAndIsr(int controllerId, int controllerEpoch, long brokerEpoch, List<PartitionState> states) implements ControllerRequest {
        public LeaderAndIsr {
            states = List.copyOf(states);
        }

        @Override
        public int sizeBytes() {
            return 64 + BYTES_PER_PARTITION * states.size();
        }
    }

    /** UpdateMetadata: the client-facing metadata cache. */
    record UpdateMetadata(int controllerId, int controllerEpoch, long brokerEpoch, List<PartitionState> states) implements ControllerRequest {
        public UpdateMetadata {
            states = List.copyOf(states);
        }

        @Override
        public int sizeBytes() {
            return 64 + BYTES_PER_PARTITION * states.size();
        }
    }

    /**
     * A partition leader's AlterPartition (KIP-497); {@code correlationId} lets the broker discard a
     * response that arrives after the request timed out (model-spec §0.2).
     */
    record AlterPartition(long correlationId, AlterPartitionRequest request) implements ControllerRequest {
    }

    /** The controller's answer, carrying the request's {@code correlationId}. */
    record AlterPartitionResponse(long correlationId, AlterPartitionResult result) implements ControllerRequest {
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

    /** A broker's ControlledShutdown (model-spec §B.7), carrying its broker epoch (KIP-380). */
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
