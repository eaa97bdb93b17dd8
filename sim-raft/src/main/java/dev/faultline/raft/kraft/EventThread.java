package dev.faultline.raft.kraft;

import dev.faultline.core.kernel.NodeContext;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A single-threaded event queue that runs beside the process's Raft client, as Kafka's
 * {@code QuorumController} event queue and the broker's {@code MetadataLoader} queue run beside
 * {@code KafkaRaftClient}'s I/O thread: CPU spent here (generating or replaying metadata records)
 * delays the next event of this queue, never the Raft client's fetches and elections, which run on
 * the node's own CPU ({@link NodeContext#work}).
 *
 * <p>An event runs when the queue reaches it: it reads and changes the state it owns at once, and
 * declares its CPU cost with {@link #charge}; what it does outside (messages, Raft appends, reports)
 * goes through {@link #defer} and happens when its cost has elapsed, just before the next event
 * starts. An event appended while the queue is idle runs inside the current handler. A pause of
 * the process stops this queue too (its timer waits, as a stop-the-world pause stops every thread)
 * and the node's slow factor scales its CPU time (a slow host is slow on every thread); a busy Raft
 * thread does not delay it.
 */
final class EventThread {
    /** An event of the queue. */
    interface Event {
        void run();
    }

    private final NodeContext ctx;
    private final Object timerTag;
    private final java.util.function.DoubleSupplier slowFactor;
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private final List<Runnable> deferred = new ArrayList<>();
    private long chargedNanos;
    private boolean running;
    /** Whether the effects of an event are being released (events appended meanwhile wait for the loop). */
    private boolean releasing;
    /** Whether the timer that ends the current event (and starts the next) is pending. */
    private boolean busy;

    /**
     * @param timerTag the node timer tag this queue uses (must equal nothing else the node sets)
     * @param slowFactor the node's current slow factor
     */
    EventThread(NodeContext ctx, Object timerTag, java.util.function.DoubleSupplier slowFactor) {
        this.ctx = ctx;
        this.timerTag = timerTag;
        this.slowFactor = slowFactor;
    }

    /** Queues an event; runs it now when the queue is idle. */
    void append(Event event) {
        queue.addLast(event);
        if (!busy && !running && !releasing) {
            drain();
        }
    }

    /** Inside an event: the event's CPU time grows by {@code nanos}. */
    void charge(long nanos) {
        chargedNanos += nanos;
    }

    /** Inside an event: {@code effect} happens when the event's CPU time has elapsed (at once when it has none). */
    void defer(Runnable effect) {
        deferred.add(effect);
    }

    /** Whether this timer tag is this queue's. */
    boolean owns(Object tag) {
        return tag == timerTag;
    }

    /** The queue's timer fired: the current event ends (its effects happen), then the next ones run. */
    void onTimer() {
        busy = false;
        release();
        drain();
    }

    /** Drops the queued events and the current event's pending effects (the process lost its role). */
    void clearDeferred() {
        deferred.clear();
    }

    /** Events waiting (for checks and tests). */
    int backlog() {
        return queue.size();
    }

    private void drain() {
        while (!queue.isEmpty() && !busy) {
            Event e = queue.pollFirst();
            running = true;
            chargedNanos = 0;
            try {
                e.run();
            } finally {
                running = false;
            }
            if (chargedNanos > 0) {
                busy = true;
                double factor = slowFactor.getAsDouble();
                ctx.setTimer(timerTag, factor == 1.0 ? chargedNanos : (long) Math.ceil(chargedNanos * factor));
            } else {
                release();
            }
        }
    }

    private void release() {
        if (deferred.isEmpty()) {
            return;
        }
        List<Runnable> effects = new ArrayList<>(deferred);
        deferred.clear();
        releasing = true;
        try {
            for (Runnable r : effects) {
                r.run();
            }
        } finally {
            releasing = false;
        }
    }
}
