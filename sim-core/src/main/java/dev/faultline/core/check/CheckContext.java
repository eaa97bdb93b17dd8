package dev.faultline.core.check;

import dev.faultline.core.kernel.NodeId;

/** What an invariant sees while checking: the time, the event index, and a way to fail the run. */
public interface CheckContext {
    /** True virtual time. */
    long now();

    /** Index of the event just processed. */
    long eventIndex();

    /**
     * Reports a violation of {@code invariant}, an id of the invariant catalogue
     * ({@link dev.faultline.core.check.catalog.InvariantCatalog}); the run stops after the current event.
     */
    void fail(String invariant, String message, NodeId... nodes);
}
