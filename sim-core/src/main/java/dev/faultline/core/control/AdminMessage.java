package dev.faultline.core.control;

import dev.faultline.core.kernel.Message;

/**
 * The Admin API requests a {@link TopicAdminClient} sends (Kafka's {@code CreateTopics}), the same
 * records in every metadata mode: ZooKeeper-mode brokers and KRaft controllers answer them.
 */
public sealed interface AdminMessage extends Message {
    /**
     * {@code CreateTopics} for one topic whose assignment the cluster description holds.
     *
     * @param correlationId matches the response to the request (late answers to retried requests are dropped)
     * @param topic the topic name
     */
    record CreateTopicsRequest(long correlationId, String topic) implements AdminMessage {
    }

    /**
     * The answer: {@link Errors#NONE} (created, or accepted for creation), {@link Errors#TOPIC_ALREADY_EXISTS},
     * or a retriable error such as {@link Errors#NOT_CONTROLLER} with the controller the receiver
     * knows ({@code controllerHint}: a node name, or {@code null}).
     */
    record CreateTopicsResponse(long correlationId, String topic, Errors error, String controllerHint) implements AdminMessage {
    }
}
