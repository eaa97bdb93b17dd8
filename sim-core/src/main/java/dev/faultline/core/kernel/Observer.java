package dev.faultline.core.kernel;

/**
 * Reads the simulation's state after every event to measure something or to follow progress
 * (failover timings, process liveness, topic creation); it never judges the run. Invariants
 * ({@link dev.faultline.core.check.Invariant}) are the checks that may fail it. Like an invariant,
 * an observer is read-only towards the nodes and must be cheap: incremental where the state is
 * large. Observers and invariants run after each event in the order they were added, so an
 * invariant added after an observer sees what the observer recorded for the same event.
 */
public interface Observer {
    /** A short name for traces and debugging, e.g. {@code failover-watch}. */
    String name();

    /** Looks at the state after the event just processed, at virtual time {@code nowNanos}. */
    void afterEvent(long nowNanos);

    /** An observer with this name that calls {@code afterEvent}. */
    static Observer of(String name, java.util.function.LongConsumer afterEvent) {
        return new Observer() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void afterEvent(long nowNanos) {
                afterEvent.accept(nowNanos);
            }
        };
    }
}
