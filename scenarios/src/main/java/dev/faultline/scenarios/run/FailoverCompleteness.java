package dev.faultline.scenarios.run;

import dev.faultline.core.control.FailoverMeasurement;
import java.util.ArrayList;
import java.util.List;

/**
 * Which phases of a failover were never reached (docs/architecture.md#failover-phases): a
 * controller failover needs detect, elect, ready and propagate; a broker failover needs detect and,
 * when the broker led partitions, elect and propagate, and the client phase on every partition it
 * led when the client phase is measured (producers write to every topic). A broker that led nothing
 * has nothing to elect: detection completes it. A broker that exited after a controlled shutdown
 * was let go by its control plane, so there is nothing to detect.
 */
public final class FailoverCompleteness {
    private FailoverCompleteness() {
    }

    /** The phases not reached, comma-separated ({@code "elect, propagate"}), or {@code null} when complete. */
    public static String missing(FailoverMeasurement f, boolean clientMeasured) {
        return missing(f, clientMeasured, false);
    }

    /** As {@link #missing(FailoverMeasurement, boolean)}; {@code cleanExit}: the broker exited after a controlled shutdown. */
    public static String missing(FailoverMeasurement f, boolean clientMeasured, boolean cleanExit) {
        List<String> out = new ArrayList<>();
        if (f.detectNanos() < 0 && !(cleanExit && f.kind() == FailoverMeasurement.Kind.BROKER)) {
            out.add("detect");
        }
        if (f.kind() == FailoverMeasurement.Kind.CONTROLLER) {
            if (f.electNanos() < 0) {
                out.add("elect");
            }
            if (f.readyNanos() < 0) {
                out.add("ready");
            }
            if (f.propagateNanos() < 0) {
                out.add("propagate");
            }
        } else if (f.affectedPartitions() > 0) {
            if (f.electNanos() < 0) {
                out.add("elect (" + f.electedPartitions() + "/" + f.affectedPartitions() + " partitions)");
            }
            if (f.propagateNanos() < 0) {
                out.add("propagate (" + f.propagatedPartitions() + "/" + f.affectedPartitions() + " partitions)");
            }
            if (clientMeasured && f.unavailability().count() < f.affectedPartitions()) {
                out.add("client (" + f.unavailability().count() + "/" + f.affectedPartitions() + " partitions produced to again)");
            }
        }
        return out.isEmpty() ? null : String.join(", ", out);
    }
}
