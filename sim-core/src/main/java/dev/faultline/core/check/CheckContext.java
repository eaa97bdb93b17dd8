package dev.faultline.core.check;

import dev.faultline.core.check.classify.Evidence;
import dev.faultline.core.kernel.NodeId;
import java.util.List;

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

    /**
     * As {@link #fail(String, String, NodeId...)}, with what the checker established about the cause
     * (the {@link dev.faultline.core.check.classify.Classifier} reads it). Contexts that keep no
     * record of evidence report the plain violation.
     */
    default void fail(String invariant, String message, List<Evidence> evidence, NodeId... nodes) {
        fail(invariant, message, nodes);
    }

    /**
     * Records a violation that a classification rule counts as a HAZARD or EXPECTED case: the run
     * goes on. The first case of each invariant and evidence is kept (docs/invariants.md#classification).
     * Contexts that keep no record ignore it.
     */
    default void excused(String invariant, String message, List<Evidence> evidence, NodeId... nodes) {
    }
}
