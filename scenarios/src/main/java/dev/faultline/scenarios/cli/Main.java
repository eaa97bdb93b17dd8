package dev.faultline.scenarios.cli;

import picocli.CommandLine;

/**
 * The {@code faultline} command. Exit codes (docs/cli.md#exit-codes): 0 every expectation held; 1
 * an invariant or expectation failed; 2 bad command line or invalid scenario; 3 an internal error.
 */
public final class Main {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int INTERNAL = 3;

    private Main() {
    }

    public static void main(String[] args) {
        // A thread of a worker pool that runs out of heap ends the process with the same message.
        Thread.setDefaultUncaughtExceptionHandler((thread, e) -> {
            if (outOfMemory(e)) {
                System.err.println("faultline: " + outOfMemoryMessage());
                System.err.flush();
                Runtime.getRuntime().halt(INTERNAL);
            }
            System.err.println("faultline: internal error in thread " + thread.getName() + ": " + e);
            e.printStackTrace();
        });
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        return execute(commandLine(), args);
    }

    /**
     * Executes a command line: an OutOfMemoryError anywhere (picocli lets Errors through) becomes
     * the heap message and exit 3, never a stack trace.
     */
    static int execute(CommandLine cl, String... args) {
        try {
            return cl.execute(args);
        } catch (OutOfMemoryError e) {
            cl.getErr().println("faultline: " + outOfMemoryMessage());
            cl.getErr().flush();
            return INTERNAL;
        }
    }

    /** Whether {@code t} or one of its causes is an OutOfMemoryError. */
    static boolean outOfMemory(Throwable t) {
        for (Throwable c = t; c != null; c = c.getCause()) {
            if (c instanceof OutOfMemoryError) {
                return true;
            }
            if (c.getCause() == c) {
                break;
            }
        }
        return false;
    }

    /** What to do when the heap was too small: how big it was, and how to give more. */
    static String outOfMemoryMessage() {
        long heap = Runtime.getRuntime().maxMemory();
        return "out of memory: the run needed more than this JVM's " + dev.faultline.scenarios.run.HeapEstimate.format(heap)
                + " of heap (the estimate it was started with was too low). Give it more: FAULTLINE_HEAP="
                + dev.faultline.scenarios.run.HeapEstimate.xmx(2 * heap) + " ./faultline ... , or run fewer partitions or fewer --workers.";
    }

    /**
     * A command line that writes to the given streams; it may execute many command lines in turn
     * (picocli resets the options each time). Tests and embedders use it instead of {@link #main}.
     */
    public static CommandLine commandLine(java.io.PrintWriter out, java.io.PrintWriter err) {
        CommandLine cl = commandLine();
        cl.setOut(out);
        cl.setErr(err);
        return cl;
    }

    static CommandLine commandLine() {
        CommandLine cl = new CommandLine(new FaultlineCommand());
        cl.setExecutionExceptionHandler((ex, commandLine, parseResult) -> {
            if (outOfMemory(ex)) {
                commandLine.getErr().println("faultline: " + outOfMemoryMessage());
                return INTERNAL;
            }
            commandLine.getErr().println("faultline: internal error: " + ex);
            StackTraceElement[] st = ex.getStackTrace();
            for (int i = 0; i < Math.min(8, st.length); i++) {
                commandLine.getErr().println("    at " + st[i]);
            }
            commandLine.getErr().println("This is a bug in Faultline; please report it with the command line above.");
            return INTERNAL;
        });
        return cl;
    }
}
