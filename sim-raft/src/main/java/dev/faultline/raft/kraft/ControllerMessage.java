package dev.faultline.raft.kraft;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kernel.Message;

/**
 * Broker-to-controller RPCs of KIP-631 and AlterPartition (KIP-497/KIP-903). A non-active
 * controller answers {@link Errors#NOT_CONTROLLER} with the Raft leader it knows ({@code leaderHint},
 * a node index, or -1).
 */
public sealed interface ControllerMessage extends Message {

    record BrokerRegistrationRequest(int brokerId, long incarnationId) implements ControllerMessage {
    }

    record BrokerRegistrationResponse(Errors error, long brokerEpoch, int leaderHint) implements ControllerMessage {
    }

    /**
     * {@code broker.heartbeat.interval.ms}: liveness, the replay position, the wish to be unfenced,
     * and {@code wantShutDown} (controlled shutdown, docs/model.md#controlled-shutdown).
     */
    record BrokerHeartbeatRequest(int brokerId, long brokerEpoch, long currentMetadataOffset, boolean wantShutDown)
            implements ControllerMessage {
        public BrokerHeartbeatRequest(int brokerId, long brokerEpoch, long currentMetadataOffset) {
            this(brokerId, brokerEpoch, currentMetadataOffset, false);
        }
    }

    /** The controller's answer; {@code shouldShutDown}: a broker in controlled shutdown may exit now. */
    record BrokerHeartbeatResponse(Errors error, boolean fenced, int leaderHint, boolean shouldShutDown) implements ControllerMessage {
        public BrokerHeartbeatResponse(Errors error, boolean fenced, int leaderHint) {
            this(error, fenced, leaderHint, false);
        }
    }

    /**
     * {@code sendId}: the broker's correlation id of this copy (a copy sent again after a time-out
     * gets a new one), echoed by the answer so that the broker takes only the answer to its latest
     * copy, as Kafka's channel, which disconnects on a time-out, never sees the old copy's answer.
     */
    record AlterPartitionMessage(AlterPartitionRequest request, long sendId) implements ControllerMessage {
    }

    record AlterPartitionReply(AlterPartitionResult result, int leaderHint, long sendId) implements ControllerMessage {
    }
}
