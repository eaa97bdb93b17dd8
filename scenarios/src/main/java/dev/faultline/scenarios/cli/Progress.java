package dev.faultline.scenarios.cli;

import java.io.PrintWriter;
import java.util.Locale;

/**
 * Progress of many runs: a line rewritten in place on a terminal, nothing in CI logs (no console)
 * except a plain line every 10% of the work.
 */
final class Progress {
    private final PrintWriter out;
    private final int total;
    private final boolean terminal = System.console() != null;
    private final long start = System.nanoTime();
    private int done;
    private int lastDecile;

    Progress(PrintWriter out, int total) {
        this.out = out;
        this.total = total;
    }

    synchronized void step() {
        done++;
        double elapsed = (System.nanoTime() - start) / 1e9;
        if (terminal) {
            out.printf(Locale.ROOT, "\r%d/%d runs, %.1f runs/s, %.0f s", done, total, done / Math.max(elapsed, 1e-9), elapsed);
            out.flush();
        } else {
            int decile = done * 10 / total;
            if (decile > lastDecile && total >= 20) {
                lastDecile = decile;
                out.printf(Locale.ROOT, "%d/%d runs after %.0f s%n", done, total, elapsed);
                out.flush();
            }
        }
    }

    synchronized void done() {
        if (terminal && done > 0) {
            out.print("\r\033[K");
            out.flush();
        }
    }
}
