package dev.faultline.core.kernel;

import java.util.Arrays;

/**
 * The pending events, ordered by (time, sequence number). A binary heap over parallel primitive
 * arrays, so comparisons never chase pointers and nothing is allocated per event but the event.
 */
final class EventQueue {
    private long[] times = new long[1024];
    private long[] seqs = new long[1024];
    private Event[] events = new Event[1024];
    private int size;

    int size() {
        return size;
    }

    boolean isEmpty() {
        return size == 0;
    }

    long peekTime() {
        return times[0];
    }

    void push(long time, long seq, Event event) {
        if (size == times.length) {
            int cap = size * 2;
            times = Arrays.copyOf(times, cap);
            seqs = Arrays.copyOf(seqs, cap);
            events = Arrays.copyOf(events, cap);
        }
        int i = size++;
        while (i > 0) {
            int parent = (i - 1) >>> 1;
            long pt = times[parent];
            if (pt < time || (pt == time && seqs[parent] < seq)) {
                break;
            }
            times[i] = pt;
            seqs[i] = seqs[parent];
            events[i] = events[parent];
            i = parent;
        }
        times[i] = time;
        seqs[i] = seq;
        events[i] = event;
    }

    /** Removes and returns the earliest event. */
    Event pop() {
        Event top = events[0];
        int last = --size;
        long time = times[last];
        long seq = seqs[last];
        Event event = events[last];
        events[last] = null;
        if (last > 0) {
            int i = 0;
            int half = last >>> 1;
            while (i < half) {
                int child = 2 * i + 1;
                int right = child + 1;
                if (right < last && (times[right] < times[child] || (times[right] == times[child] && seqs[right] < seqs[child]))) {
                    child = right;
                }
                if (time < times[child] || (time == times[child] && seq < seqs[child])) {
                    break;
                }
                times[i] = times[child];
                seqs[i] = seqs[child];
                events[i] = events[child];
                i = child;
            }
            times[i] = time;
            seqs[i] = seq;
            events[i] = event;
        }
        return top;
    }

    /** Something that happens at an instant. */
    abstract static class Event {
        abstract void fire(Simulation sim);
    }
}
