package dev.faultline.core.control;

import dev.faultline.core.kernel.Time;

/**
 * One topic created at runtime, measured in virtual time from the administrator's request
 * ({@link ControlPlane#createTopic}). A phase never reached (the run ended first) is {@code -1}.
 *
 * @param topic the topic
 * @param requestedAtNanos when the CreateTopics request was sent
 * @param createdNanos every partition has an authoritative state (ZooKeeper: state znodes written;
 *        KRaft: partition records committed; oracle: at once), as a duration from the request
 * @param readyNanos every partition has a leader that applied its leadership at the authoritative
 *        leader epoch (the topic is usable by producers), as a duration from the request
 * @param partitions the topic's partition count
 */
public record TopicCreation(String topic, long requestedAtNanos, long createdNanos, long readyNanos, int partitions) {
    /** Whether the topic became usable before the run ended. */
    public boolean ready() {
        return readyNanos >= 0;
    }

    @Override
    public String toString() {
        return "topic " + topic + " requested at " + Time.format(requestedAtNanos) + ": created " + fmt(createdNanos) + ", ready "
                + fmt(readyNanos) + " (" + partitions + " partitions)";
    }

    private static String fmt(long nanos) {
        return nanos < 0 ? "-" : Time.format(nanos);
    }
}
