package dev.faultline.scenarios.cli;

import picocli.CommandLine;

/**
 * The {@code faultline} command. Exit codes (design.md §7): 0 every expectation held; 1 an
 * invariant or expectation failed; 2 bad command line or invalid scenario; 3 an internal error.
 */
public final class Main {
    public static final int OK = 0;
    public static final int FAILED = 1;
    public static final int BAD_INPUT = 2;
    public static final int INTERNAL = 3;

    private Main() {
    }

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (tests call this). */
    public static int run(String... args) {
        CommandLine cl = commandLine();
        return cl.execute(args);
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
