package dev.faultline.core.kernel;

/** A node's timer; a timer of an earlier incarnation, cancelled or replaced does nothing. */
final class TimerEvent extends EventQueue.Event {
    final NodeSlot slot;
    final int incarnation;
    final Object tag;
    boolean cancelled;
    boolean fired;

    TimerEvent(NodeSlot slot, int incarnation, Object tag) {
        this.slot = slot;
        this.incarnation = incarnation;
        this.tag = tag;
    }

    @Override
    void fire(Simulation sim) {
        if (cancelled || slot.incarnation != incarnation) {
            return;
        }
        sim.dispatch(slot, Simulation.K_TIMER, -1, this);
    }
}
