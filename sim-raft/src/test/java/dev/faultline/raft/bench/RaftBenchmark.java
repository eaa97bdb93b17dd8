package dev.faultline.raft.bench;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import dev.faultline.raft.check.RaftInvariants;
import dev.faultline.raft.harness.RaftCluster;
import java.util.Locale;

/**
 * Speed benchmark (never run by surefire): a bare quorum of 5 voters, a client appending one
 * record every 2–3 ms of simulated time, every Raft safety invariant checked after every event.
 * Runs 60 and 600 simulated seconds and prints simulated seconds per wall second and events per
 * second, overall and per 60-second segment (to show that the rate does not fall as the log grows).
 *
 * <p>Usage: {@code java -cp ... dev.faultline.raft.bench.RaftBenchmark [seed]}. This is the only
 * place in the module that reads a wall clock, and only to report speed.
 */
public final class RaftBenchmark {
    private RaftBenchmark() {
    }

    public static void main(String[] args) {
        long seed = args.length > 0 ? Long.parseLong(args[0]) : 1;
        System.out.println("cold (first run in this JVM):");
        run(seed, 60, true);
        // Warm-up (JIT), not reported.
        run(seed + 1000, 600, false);
        for (int i = 1; i <= 3; i++) {
            System.out.println("warm, repetition " + i + ":");
            run(seed, 60, true);
            run(seed, 600, true);
        }
    }

    private static void run(long seed, int simulatedSeconds, boolean report) {
        RaftCluster c = RaftCluster.builder().voters(5).seed(seed).client(2 * Time.MILLISECOND, 3 * Time.MILLISECOND)
                .invariants(RaftInvariants.SAFETY).build().start();
        long wallStart = System.nanoTime();
        long eventsStart = c.sim().eventIndex();
        int segment = 60;
        RunResult last = null;
        for (int t = 0; t < simulatedSeconds; t += segment) {
            int span = Math.min(segment, simulatedSeconds - t);
            long segWall = System.nanoTime();
            long segEvents = c.sim().eventIndex();
            last = c.runFor(span * Time.SECOND);
            if (!last.ok() && last.violation() != null) {
                throw new IllegalStateException("violation: " + last.violation().report());
            }
            double segSeconds = (System.nanoTime() - segWall) / 1e9;
            if (report && simulatedSeconds > segment) {
                System.out.printf(Locale.ROOT, "  segment %4d-%4ds: %8.0fx real time, %,12.0f events/s, log end %,d%n", t, t + span,
                        span / segSeconds, (c.sim().eventIndex() - segEvents) / segSeconds,
                        c.raft(c.leader()).log().endOffset());
            }
        }
        double wall = (System.nanoTime() - wallStart) / 1e9;
        long events = c.sim().eventIndex() - eventsStart;
        long committed = c.history().committedLength();
        if (report) {
            System.out.printf(Locale.ROOT,
                    "%4d simulated s: %.2f wall s, %.0fx real time, %,d events (%,.0f events/s), %,d records committed, fingerprint %s%n",
                    simulatedSeconds, wall, simulatedSeconds / wall, events, events / wall, committed, last.fingerprintHex());
        }
    }
}
