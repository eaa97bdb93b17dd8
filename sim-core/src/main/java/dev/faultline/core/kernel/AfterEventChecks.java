package dev.faultline.core.kernel;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.check.Violation;
import dev.faultline.core.check.classify.Evidence;
import dev.faultline.core.check.catalog.InvariantCatalog;
import dev.faultline.core.trace.Tracer;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What the kernel runs after every event: the invariants and the observers, in the order they were
 * added (none after a violation in that event), and the run's first violation, judged against the
 * invariant catalogue.
 */
final class AfterEventChecks {
    private final List<Invariant> invariants = new ArrayList<>();
    private Invariant[] invariantArray = new Invariant[0];
    private InvariantCatalog catalog = InvariantCatalog.standard();
    private Violation violation;
    /** Excused cases by invariant and evidence, first of each (a LinkedHashMap: insertion order, never hash order). */
    private final java.util.LinkedHashMap<String, Violation> excused = new java.util.LinkedHashMap<>();

    void add(Invariant invariant) {
        invariants.add(invariant);
        invariantArray = invariants.toArray(new Invariant[0]);
    }

    void add(Observer observer) {
        add(new Invariant() {
            @Override
            public String name() {
                return observer.name();
            }

            @Override
            public void check(CheckContext context) {
                observer.afterEvent(context.now());
            }
        });
    }

    Violation violation() {
        return violation;
    }

    void useCatalog(InvariantCatalog catalog) {
        this.catalog = Objects.requireNonNull(catalog);
    }

    /** Records the first violation (later ones are ignored); an id outside the catalogue is an error. */
    void fail(String invariant, String message, List<Evidence> evidence, NodeId[] nodes, long now, long eventIndex, long seed, Tracer tracer) {
        checkCatalogued(invariant, message);
        if (violation != null) {
            return;
        }
        violation = new Violation(invariant, message, now, eventIndex, seed, names(nodes), tracer.recent(20), evidence);
    }

    /** Records a case a classification rule excuses: the first of each invariant and evidence is kept, in the order found. */
    void excused(String invariant, String message, List<Evidence> evidence, NodeId[] nodes, long now, long eventIndex, long seed, Tracer tracer) {
        checkCatalogued(invariant, message);
        String key = invariant + evidence;
        if (!excused.containsKey(key)) {
            excused.put(key, new Violation(invariant, message, now, eventIndex, seed, names(nodes), tracer.recent(20), evidence));
        }
    }

    /** The excused cases recorded so far: the first of each invariant and evidence. */
    List<Violation> excused() {
        return List.copyOf(excused.values());
    }

    private void checkCatalogued(String invariant, String message) {
        if (!catalog.contains(invariant)) {
            throw new IllegalStateException("a checker reported '" + invariant + "', which is not in the invariant catalogue "
                    + "(dev.faultline.core.check.catalog.InvariantCatalog): " + message);
        }
    }

    private static List<String> names(NodeId[] nodes) {
        List<String> names = new ArrayList<>();
        for (NodeId n : nodes) {
            names.add(n.name());
        }
        return names;
    }

    /** Runs every check after an event, until one fails. */
    void run(CheckContext context) {
        Invariant[] inv = invariantArray;
        for (int i = 0; i < inv.length && violation == null; i++) {
            inv[i].check(context);
        }
    }
}
