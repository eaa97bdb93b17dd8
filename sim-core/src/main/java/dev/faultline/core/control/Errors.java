package dev.faultline.core.control;

/** The Kafka protocol error codes the model uses (names as in {@code org.apache.kafka.common.protocol.Errors}). */
public enum Errors {
    NONE,
    NOT_LEADER_OR_FOLLOWER,
    NOT_ENOUGH_REPLICAS,
    NOT_ENOUGH_REPLICAS_AFTER_APPEND,
    REQUEST_TIMED_OUT,
    FENCED_LEADER_EPOCH,
    UNKNOWN_LEADER_EPOCH,
    UNKNOWN_TOPIC_OR_PARTITION,
    OFFSET_OUT_OF_RANGE,
    NETWORK_EXCEPTION,
    NOT_CONTROLLER,
    INVALID_UPDATE_VERSION,
    INELIGIBLE_REPLICA,
    STALE_BROKER_EPOCH,
    /** A controlled-shutdown request from a broker the controller does not count as live. */
    BROKER_NOT_AVAILABLE,
    OPERATION_NOT_ATTEMPTED,
    NEW_LEADER_ELECTED,
    LEADER_NOT_AVAILABLE,
    TOPIC_ALREADY_EXISTS,
    INVALID_REPLICA_ASSIGNMENT;

    /** Whether a producer may retry after this error (Kafka's {@code RetriableException} subclasses). */
    public boolean retriable() {
        switch (this) {
            case NOT_LEADER_OR_FOLLOWER:
            case NOT_ENOUGH_REPLICAS:
            case NOT_ENOUGH_REPLICAS_AFTER_APPEND:
            case REQUEST_TIMED_OUT:
            case FENCED_LEADER_EPOCH:
            case UNKNOWN_LEADER_EPOCH:
            case UNKNOWN_TOPIC_OR_PARTITION:
            case NETWORK_EXCEPTION:
            case NOT_CONTROLLER:
            case LEADER_NOT_AVAILABLE:
                return true;
            default:
                return false;
        }
    }

    /** Whether the client should refresh its metadata before retrying (leadership moved or unknown). */
    public boolean invalidatesMetadata() {
        return this == NOT_LEADER_OR_FOLLOWER || this == FENCED_LEADER_EPOCH || this == UNKNOWN_LEADER_EPOCH
                || this == UNKNOWN_TOPIC_OR_PARTITION || this == LEADER_NOT_AVAILABLE || this == NETWORK_EXCEPTION
                || this == REQUEST_TIMED_OUT;
    }
}
