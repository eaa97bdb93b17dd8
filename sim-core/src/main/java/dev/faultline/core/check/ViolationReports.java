package dev.faultline.core.check;

import dev.faultline.core.kernel.NodeId;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The violations found inside the model and not yet reported, in the order they were found: the
 * model adds {@link ViolationReport}s while an event runs, and the invariant with their id reports
 * them after the event ({@link #invariant}, or its own check through {@link #takeFirst}). The one
 * way for code outside an {@link Invariant} to report a violation.
 */
public final class ViolationReports {
    private final List<ViolationReport> held = new ArrayList<>();
    private final LongSupplier clock;

    /** {@code clock} gives the true virtual time (the simulation's, not a node's) each report is stamped with. */
    public ViolationReports(LongSupplier clock) {
        this.clock = clock;
    }

    /** Holds a violation of {@code invariant} found now ({@code node} may be {@code null}). */
    public void report(String invariant, String message, NodeId node) {
        held.add(new ViolationReport(invariant, message, node, clock.getAsLong()));
    }

    /** Holds a violation of {@code invariant} found now, about no node in particular. */
    public void report(String invariant, String message) {
        report(invariant, message, null);
    }

    /** Whether nothing is held. */
    public boolean isEmpty() {
        return held.isEmpty();
    }

    /** The first held violation of {@code invariant}, or {@code null}; it stays held. */
    public ViolationReport first(String invariant) {
        for (ViolationReport r : held) {
            if (r.invariant().equals(invariant)) {
                return r;
            }
        }
        return null;
    }

    /** Removes and returns the first held violation of {@code invariant}, or {@code null}. */
    public ViolationReport takeFirst(String invariant) {
        for (int i = 0; i < held.size(); i++) {
            if (held.get(i).invariant().equals(invariant)) {
                return held.remove(i);
            }
        }
        return null;
    }

    /** Removes every held violation of {@code invariant}; returns the first of them, or {@code null}. */
    public ViolationReport takeAll(String invariant) {
        ViolationReport first = null;
        Iterator<ViolationReport> it = held.iterator();
        while (it.hasNext()) {
            ViolationReport r = it.next();
            if (r.invariant().equals(invariant)) {
                if (first == null) {
                    first = r;
                }
                it.remove();
            }
        }
        return first;
    }

    /** An invariant {@code id} that reports (and removes) the first held violation of {@code id} after each event. */
    public Invariant invariant(String id) {
        return Invariant.of(id, context -> {
            ViolationReport r = takeFirst(id);
            if (r != null) {
                r.failOn(context);
            }
        });
    }
}
