package dev.faultline.core.kernel;

/** A world action ({@link Simulation#schedule}), followed by the invariants. */
final class ActionEvent extends EventQueue.Event {
    private final Runnable action;

    ActionEvent(Runnable action) {
        this.action = action;
    }

    @Override
    void fire(Simulation sim) {
        action.run();
        sim.checkInvariants();
    }
}
