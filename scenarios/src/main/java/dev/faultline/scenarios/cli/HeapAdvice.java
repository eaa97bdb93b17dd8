package dev.faultline.scenarios.cli;

import dev.faultline.scenarios.run.HeapEstimate;
import java.io.PrintWriter;
import java.io.Writer;
import picocli.CommandLine;

/**
 * The heap the {@code faultline} launcher gives the JVM for a command line: it runs this first
 * (a small JVM, a fraction of a second), then starts faultline with {@code -Xmx} set to what it
 * prints. The need comes from the scenarios' sizes ({@link HeapEstimate}): for {@code run} the
 * largest file, for {@code compare} the largest runs that go at once (one per worker). Never less
 * than {@link #FLOOR} (small runs, fuzzing), never more than 80% of the machine's memory: a scenario
 * that needs more is then refused by faultline itself, saying how much it needs and how to give it
 * ({@code FAULTLINE_HEAP}, which the launcher honours instead of asking here).
 */
public final class HeapAdvice {
    /** The heap when the command line names nothing big. */
    static final long FLOOR = 4L << 30;

    private HeapAdvice() {
    }

    public static void main(String[] args) {
        System.out.println(HeapEstimate.xmx(heap(need(args), physicalMemory())));
    }

    /** The heap to start with for a need (-1: none known) on a machine with {@code physical} bytes (-1: unknown). */
    static long heap(long need, long physical) {
        long cap = physical > 0 ? physical / 10 * 8 : Long.MAX_VALUE;
        long floor = Math.min(FLOOR, physical > 0 ? physical / 2 : FLOOR);
        return Math.max(floor, Math.min(cap, need));
    }

    /** What the command line needs, in bytes, or -1 when it names no scenario or is not valid. */
    static long need(String... args) {
        PrintWriter quiet = new PrintWriter(Writer.nullWriter());
        CommandLine cl = Main.commandLine(quiet, quiet);
        CommandLine.ParseResult parsed;
        try {
            parsed = cl.parseArgs(args);
        } catch (CommandLine.ParameterException e) {
            return -1;
        }
        if (!parsed.hasSubcommand()) {
            return -1;
        }
        Object command = parsed.subcommand().commandSpec().userObject();
        if (command instanceof CompareCommand c) {
            return c.heapNeed();
        }
        if (command instanceof RunCommand r) {
            return r.heapNeed();
        }
        return -1;
    }

    /** The machine's (or the container's) memory, or -1. */
    static long physicalMemory() {
        java.lang.management.OperatingSystemMXBean os = java.lang.management.ManagementFactory.getOperatingSystemMXBean();
        if (os instanceof com.sun.management.OperatingSystemMXBean sun) {
            return sun.getTotalMemorySize();
        }
        return -1;
    }
}
