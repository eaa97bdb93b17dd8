package dev.faultline.core.kernel;

import dev.faultline.core.storage.Durable;
import dev.faultline.core.storage.Storage;

/** The context handed to one incarnation of a node; a stale incarnation's calls do nothing. */
final class SlotContext implements NodeContext {
    private final Simulation sim;
    private final NodeSlot slot;
    private final int incarnation;

    SlotContext(Simulation sim, NodeSlot slot, int incarnation) {
        this.sim = sim;
        this.slot = slot;
        this.incarnation = incarnation;
    }

    private boolean live() {
        return slot.incarnation == incarnation && slot.node != null;
    }

    @Override
    public NodeId self() {
        return slot.id;
    }

    @Override
    public long now() {
        return slot.localTime(sim.now);
    }

    @Override
    public SimRandom random() {
        return slot.random;
    }

    @Override
    public void send(NodeId to, Message message) {
        if (!live()) {
            return;
        }
        if (sim.current == slot) {
            sim.pendingSends.add(to);
            sim.pendingSends.add(message);
        } else {
            sim.transmit(slot.id.index(), to.index(), message);
        }
    }

    @Override
    public void setTimer(Object tag, long delayNanos) {
        if (!live()) {
            return;
        }
        if (delayNanos < 0) {
            throw new IllegalArgumentException("negative timer delay " + delayNanos + " for " + tag);
        }
        TimerEvent t = new TimerEvent(slot, incarnation, tag);
        TimerEvent old = slot.timers.put(tag, t);
        if (old != null && !old.fired) {
            old.cancelled = true;
        }
        sim.push(sim.now + slot.trueDelay(delayNanos), t);
    }

    @Override
    public void cancelTimer(Object tag) {
        TimerEvent old = slot.timers.remove(tag);
        if (old != null && !old.fired) {
            old.cancelled = true;
        }
    }

    @Override
    public boolean hasTimer(Object tag) {
        TimerEvent t = slot.timers.get(tag);
        return t != null && !t.fired && !t.cancelled;
    }

    @Override
    public void work(long costNanos) {
        if (costNanos < 0) {
            throw new IllegalArgumentException("negative work " + costNanos);
        }
        if (sim.current == slot) {
            sim.currentWork += costNanos;
        }
    }

    @Override
    public Storage storage() {
        return slot.storage;
    }

    @Override
    public void fsync(Durable... durables) {
        for (Durable d : durables) {
            d.sync();
        }
        work(slot.storage.fsyncLatencyNanos());
    }

    @Override
    public void trace(String category, String detail) {
        if (live()) {
            sim.tracer.note(sim.now, sim.eventIndex, slot.id.index(), category, detail);
        }
    }

    @Override
    public NodeId node(String name) {
        return sim.byName.get(name);
    }

    @Override
    public String toString() {
        return "context of " + slot.id + " #" + incarnation;
    }
}
