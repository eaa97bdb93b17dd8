package dev.faultline.core.kernel;

/** A busy or paused node takes the next event from its inbox. */
final class WakeupEvent extends EventQueue.Event {
    final NodeSlot slot;
    final int incarnation;

    WakeupEvent(NodeSlot slot, int incarnation) {
        this.slot = slot;
        this.incarnation = incarnation;
    }

    @Override
    void fire(Simulation sim) {
        NodeSlot s = slot;
        if (s.incarnation != incarnation) {
            return;
        }
        s.wakeupPending = false;
        if (s.paused || s.inbox.isEmpty()) {
            return;
        }
        if (sim.now < s.busyUntil) {
            sim.ensureWakeup(s);
            return;
        }
        NodeSlot.Held h = s.inbox.pollFirst();
        sim.execute(s, h.kind(), h.from(), h.payload());
        if (!s.inbox.isEmpty() && s.node != null && s.incarnation == incarnation) {
            sim.ensureWakeup(s);
        }
    }
}
