package dev.faultline.core.check;

/**
 * A safety property checked after every simulation event. An invariant reads node state through
 * read-only views (never by messages) and must be cheap: incremental where the state is large.
 * It reports a violation through {@link CheckContext#fail}, which stops the run.
 */
public interface Invariant {
    /** The invariant's id, e.g. {@code KR-S1} or {@code SingleLeader}. */
    String name();

    /** Checks the state after the event just processed. */
    void check(CheckContext context);

    /** An invariant with this id whose check is {@code check} (for checks decided elsewhere and reported here). */
    static Invariant of(String name, java.util.function.Consumer<CheckContext> check) {
        return new Invariant() {
            @Override
            public String name() {
                return name;
            }

            @Override
            public void check(CheckContext context) {
                check.accept(context);
            }
        };
    }
}
