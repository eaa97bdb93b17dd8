package dev.faultline.core.kernel;

/** A message arriving at its destination (dropped there if the link was cut meanwhile). */
final class DeliveryEvent extends EventQueue.Event {
    final int from;
    final int to;
    final int toIncarnation;
    final Message message;

    DeliveryEvent(int from, int to, int toIncarnation, Message message) {
        this.from = from;
        this.to = to;
        this.toIncarnation = toIncarnation;
        this.message = message;
    }

    @Override
    void fire(Simulation sim) {
        sim.arrive(this);
    }
}
