package dev.faultline.core.net;

/**
 * Faults on a directed link, on top of its {@link LinkConfig}.
 *
 * @param extraDelayNanos added to every message's latency
 * @param dropProbability each message is lost with this probability
 * @param duplicateProbability each message is delivered twice with this probability
 * @param reorderProbability each message skips the link's FIFO order with this probability (and so
 *     may overtake earlier messages or be overtaken)
 */
public record LinkFault(long extraDelayNanos, double dropProbability, double duplicateProbability, double reorderProbability) {
    public static final LinkFault NONE = new LinkFault(0, 0, 0, 0);

    public LinkFault {
        if (extraDelayNanos < 0) {
            throw new IllegalArgumentException("extra delay must not be negative");
        }
        check(dropProbability, "drop");
        check(duplicateProbability, "duplicate");
        check(reorderProbability, "reorder");
    }

    private static void check(double p, String what) {
        if (!(p >= 0 && p <= 1)) {
            throw new IllegalArgumentException(what + " probability must lie in [0, 1]: " + p);
        }
    }

    /** This fault combined with another: delays add up, probabilities take the larger. */
    public LinkFault plus(LinkFault o) {
        return new LinkFault(extraDelayNanos + o.extraDelayNanos, Math.max(dropProbability, o.dropProbability),
                Math.max(duplicateProbability, o.duplicateProbability), Math.max(reorderProbability, o.reorderProbability));
    }

    public boolean isNone() {
        return extraDelayNanos == 0 && dropProbability == 0 && duplicateProbability == 0 && reorderProbability == 0;
    }
}
