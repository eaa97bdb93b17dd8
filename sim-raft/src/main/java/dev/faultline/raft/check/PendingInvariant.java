package dev.faultline.raft.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;

/** An invariant that {@link RaftHistory} checks as entries are appended, truncated or committed; reported after the event. */
final class PendingInvariant implements Invariant {
    private final String name;
    private final RaftHistory history;

    PendingInvariant(String name, RaftHistory history) {
        this.name = name;
        this.history = history;
    }

    @Override
    public String name() {
        return name;
    }

    @Override
    public void check(CheckContext context) {
        history.flush(name, context);
    }
}
