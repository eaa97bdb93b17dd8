package dev.faultline.core.check;

import dev.faultline.core.check.classify.Evidence;
import dev.faultline.core.kernel.Time;
import java.util.List;

/**
 * A broken invariant, with everything needed to replay it: the seed, the invariant, what it saw,
 * when (virtual time and event index), the nodes involved, the events just before it, and what the
 * checker established about its cause ({@link Evidence}, which the
 * {@link dev.faultline.core.check.classify.Classifier} reads).
 */
public record Violation(String invariant, String message, long timeNanos, long eventIndex, long seed,
                        List<String> nodes, List<String> recentEvents, List<Evidence> evidence) {
    public Violation {
        nodes = List.copyOf(nodes);
        recentEvents = List.copyOf(recentEvents);
        evidence = List.copyOf(evidence);
    }

    /** A violation without evidence about its cause. */
    public Violation(String invariant, String message, long timeNanos, long eventIndex, long seed, List<String> nodes, List<String> recentEvents) {
        this(invariant, message, timeNanos, eventIndex, seed, nodes, recentEvents, List.of());
    }

    /** One line: "SingleLeader: epoch 7 has leaders 2 and 4 (at t=12.345s, event 88123, seed 0x5eed)". */
    public String headline() {
        return invariant + ": " + message + " (at t=" + Time.format(timeNanos) + ", event " + eventIndex
                + ", seed " + seed + (nodes.isEmpty() ? "" : ", nodes " + String.join(", ", nodes)) + ")";
    }

    /** The headline and the last events before the violation. */
    public String report() {
        StringBuilder sb = new StringBuilder(headline());
        if (!recentEvents.isEmpty()) {
            sb.append("\nlast events:");
            for (String e : recentEvents) {
                sb.append("\n  ").append(e);
            }
        }
        return sb.toString();
    }
}
