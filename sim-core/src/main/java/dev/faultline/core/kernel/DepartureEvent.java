package dev.faultline.core.kernel;

/** A message leaving its sender when the handler's declared work ends. */
final class DepartureEvent extends EventQueue.Event {
    final NodeSlot from;
    final int incarnation;
    final int to;
    final Message message;

    DepartureEvent(NodeSlot from, int incarnation, int to, Message message) {
        this.from = from;
        this.incarnation = incarnation;
        this.to = to;
        this.message = message;
    }

    @Override
    void fire(Simulation sim) {
        // A process that died before its work ended never sent the message.
        if (from.incarnation == incarnation && from.node != null) {
            sim.transmit(from.id.index(), to, message);
        }
    }
}
