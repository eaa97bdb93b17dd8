package dev.faultline.core.net;

/**
 * Faults on a directed link, on top of its {@link LinkConfig}.
 *
 * @param extraDelayNanos added to every message's latency
 * @param dropProbability each message is lost with this probability
 * @param duplicateProbability each message is delivered twice with this probability
 * @param reorderProbability each message skips the link's FIFO order with this probability (and so
 *     may overtake earlier messages or be overtaken)
 * @param messageTypes the simple class names of the messages this fault hits (e.g.
 *     {@code FetchResponse}); empty for every message
 */
public record LinkFault(long extraDelayNanos, double dropProbability, double duplicateProbability, double reorderProbability,
                        java.util.Set<String> messageTypes) {
    public static final LinkFault NONE = new LinkFault(0, 0, 0, 0);

    public LinkFault {
        if (extraDelayNanos < 0) {
            throw new IllegalArgumentException("extra delay must not be negative");
        }
        check(dropProbability, "drop");
        check(duplicateProbability, "duplicate");
        check(reorderProbability, "reorder");
        messageTypes = java.util.Set.copyOf(messageTypes);
    }

    /** A fault on every message. */
    public LinkFault(long extraDelayNanos, double dropProbability, double duplicateProbability, double reorderProbability) {
        this(extraDelayNanos, dropProbability, duplicateProbability, reorderProbability, java.util.Set.of());
    }

    /** Whether this fault hits a message of this type. */
    public boolean hits(Class<?> messageType) {
        return messageTypes.isEmpty() || messageTypes.contains(messageType.getSimpleName());
    }

    private static void check(double p, String what) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " probability must lie in [0, 1]: " + p);
        }
    }

    /**
     * This fault combined with another: delays add up, probabilities take the larger; the result
     * hits the union of the message types (every message if either hits every message).
     */
    public LinkFault plus(LinkFault o) {
        java.util.Set<String> types;
        if (messageTypes.isEmpty() || o.messageTypes.isEmpty()) {
            types = java.util.Set.of();
        } else {
            java.util.TreeSet<String> u = new java.util.TreeSet<>(messageTypes);
            u.addAll(o.messageTypes);
            types = u;
        }
        return new LinkFault(extraDelayNanos + o.extraDelayNanos, Math.max(dropProbability, o.dropProbability),
                Math.max(duplicateProbability, o.duplicateProbability), Math.max(reorderProbability, o.reorderProbability), types);
    }

    public boolean isNone() {
        return extraDelayNanos == 0 && dropProbability == 0 && duplicateProbability == 0 && reorderProbability == 0;
    }
}
