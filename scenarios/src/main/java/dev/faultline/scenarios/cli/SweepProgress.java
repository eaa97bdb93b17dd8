package dev.faultline.scenarios.cli;

import dev.faultline.core.kernel.Time;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ConcurrentSkipListMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Progress of many runs, each possibly long: runs done, and for each run in progress the virtual
 * time it has reached. On a terminal a line rewritten in place every second; in logs (no console)
 * a plain line every 30 s, as {@code faultline fuzz} does. A daemon thread prints; the runs only set
 * numbers.
 */
final class SweepProgress implements AutoCloseable {
    private final PrintWriter out;
    private final String what;
    private final int total;
    private final boolean terminal;
    private final long intervalNanos;
    private final long start = System.nanoTime();
    private final AtomicInteger done = new AtomicInteger();
    private final ConcurrentSkipListMap<Integer, Slot> running = new ConcurrentSkipListMap<>();
    private final Thread thread;

    /** One run in progress. */
    static final class Slot {
        final int index;
        final String label;
        final AtomicLong simulatedNanos = new AtomicLong();

        Slot(int index, String label) {
            this.index = index;
            this.label = label;
        }
    }

    SweepProgress(PrintWriter out, String what, int total) {
        this(out, what, total, System.console() != null, System.console() != null ? Time.SECOND : 30 * Time.SECOND);
    }

    SweepProgress(PrintWriter out, String what, int total, boolean terminal, long intervalNanos) {
        this.out = out;
        this.what = what;
        this.total = total;
        this.terminal = terminal;
        this.intervalNanos = intervalNanos;
        this.thread = new Thread(this::loop, "faultline-progress");
        thread.setDaemon(true);
        thread.start();
    }

    Slot begin(int index, String label) {
        Slot s = new Slot(index, label);
        running.put(index, s);
        return s;
    }

    void end(Slot s) {
        running.remove(s.index);
        done.incrementAndGet();
    }

    /** Takes the live line off a terminal before other output (it comes back at the next interval). */
    void clearLine() {
        if (terminal) {
            synchronized (out) {
                out.print("\r\033[K");
                out.flush();
            }
        }
    }

    /** The progress line: runs done, the runs in progress and the virtual time each reached, wall time. */
    String line() {
        List<String> now = new ArrayList<>();
        for (Slot s : running.values()) {
            now.add(s.label + " at " + Time.format(s.simulatedNanos.get() / Time.MILLISECOND * Time.MILLISECOND) + " simulated");
        }
        return String.format(Locale.ROOT, "%s: %d/%d runs done%s, %.0f s elapsed", what, done.get(), total,
                now.isEmpty() ? "" : "; running " + String.join(", ", now), (System.nanoTime() - start) / 1e9);
    }

    private void loop() {
        long last = System.nanoTime();
        while (!Thread.currentThread().isInterrupted()) {
            try {
                Thread.sleep(Math.min(1000, Math.max(1, intervalNanos / Time.MILLISECOND)));
            } catch (InterruptedException e) {
                return;
            }
            if (System.nanoTime() - last < intervalNanos) {
                continue;
            }
            last = System.nanoTime();
            synchronized (out) {
                if (terminal) {
                    out.print("\r" + line() + "\033[K");
                } else {
                    out.println(line());
                }
                out.flush();
            }
        }
    }

    @Override
    public void close() {
        thread.interrupt();
        try {
            thread.join(2000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        if (terminal) {
            synchronized (out) {
                out.print("\r\033[K");
                out.flush();
            }
        }
    }
}
