package dev.faultline.core.kernel;

import dev.faultline.core.storage.Storage;
import java.util.ArrayDeque;
import java.util.HashMap;

/** A node's runtime state across incarnations: its process, clock, CPU, inbox, connections and timers. */
final class NodeSlot {
    final NodeId id;
    final NodeFactory factory;
    final Storage storage;
    final SimRandom random;
    Node node;
    SlotContext context;
    int incarnation;
    boolean paused;
    boolean poweredOff;
    boolean wakeupPending;
    long busyUntil;
    double slowFactor = 1.0;
    long clockOffset;
    long driftPpm;
    final ArrayDeque<Held> inbox = new ArrayDeque<>();
    // Nodes this incarnation exchanged messages with: its open connections.
    final java.util.BitSet peers = new java.util.BitSet();
    // Looked up by tag only, never iterated.
    final HashMap<Object, TimerEvent> timers = new HashMap<>();

    NodeSlot(NodeId id, NodeFactory factory, Storage storage, SimRandom random) {
        this.id = id;
        this.factory = factory;
        this.storage = storage;
        this.random = random;
    }

    long localTime(long trueNow) {
        // Java 17 floating point is strict: this is the same on every JVM.
        long drift = driftPpm == 0 ? 0 : (long) Math.floor((double) trueNow * driftPpm / 1_000_000);
        return trueNow + clockOffset + drift;
    }

    long trueDelay(long localDelay) {
        if (driftPpm == 0) {
            return localDelay;
        }
        return (long) Math.ceil((double) localDelay * 1_000_000 / (1_000_000 + driftPpm));
    }

    /** An event waiting for a busy or paused node. */
    record Held(int kind, int from, Object payload) {
    }
}
