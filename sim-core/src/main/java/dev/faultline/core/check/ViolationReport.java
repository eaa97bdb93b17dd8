package dev.faultline.core.check;

import dev.faultline.core.kernel.NodeId;
import java.util.Objects;

/**
 * A violation found inside the model while an event ran: by a history recorder, a client, or a
 * control plane that noticed it in the middle of its own work. It waits in a
 * {@link ViolationReports} until the invariant with its id reports it after the event.
 *
 * @param invariant an id of the invariant catalogue ({@link dev.faultline.core.check.catalog.InvariantCatalog})
 * @param message   what was seen
 * @param node      the node it concerns, or {@code null}
 * @param atNanos   the virtual time it was found
 */
public record ViolationReport(String invariant, String message, NodeId node, long atNanos) {
    public ViolationReport {
        Objects.requireNonNull(invariant);
        Objects.requireNonNull(message);
    }

    /** Fails the run through {@code context} with this report (naming its node, if any). */
    public void failOn(CheckContext context) {
        if (node == null) {
            context.fail(invariant, message);
        } else {
            context.fail(invariant, message, node);
        }
    }
}
