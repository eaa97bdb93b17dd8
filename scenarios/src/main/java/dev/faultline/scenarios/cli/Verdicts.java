package dev.faultline.scenarios.cli;

import dev.faultline.scenarios.spec.Problem;
import dev.faultline.scenarios.spec.ScenarioException;
import java.io.PrintWriter;

/**
 * Per-file verdicts of commands that take many files ({@code validate}, {@code run}): each file is
 * judged on its own, a file that fails (even with an internal error) never stops the others, and
 * the exit code is the worst verdict (internal error 3 over bad input 2 over failed 1 over ok 0).
 */
final class Verdicts {
    private int worst = Main.OK;
    private int ok;
    private int failed;
    private int invalid;
    private int internal;

    /** Records one file's exit code. */
    void add(int code) {
        switch (code) {
            case Main.OK -> ok++;
            case Main.FAILED -> failed++;
            case Main.BAD_INPUT -> invalid++;
            default -> internal++;
        }
        worst = Math.max(worst, code);
    }

    /** The exit code: the worst verdict. */
    int exitCode() {
        return worst;
    }

    int files() {
        return ok + failed + invalid + internal;
    }

    /** "3 files: 1 ok, 1 failed, 1 invalid" (only the non-zero counts after the first). */
    String summary(String okWord, String failedWord) {
        StringBuilder sb = new StringBuilder().append(files()).append(files() == 1 ? " file: " : " files: ").append(ok).append(' ').append(okWord);
        if (failed > 0) {
            sb.append(", ").append(failed).append(' ').append(failedWord);
        }
        if (invalid > 0) {
            sb.append(", ").append(invalid).append(" invalid");
        }
        if (internal > 0) {
            sb.append(", ").append(internal).append(" internal error").append(internal == 1 ? "" : "s");
        }
        return sb.toString();
    }

    /** Prints every problem of an invalid file, one {@code file:line:column: message} a line. */
    static void printProblems(PrintWriter err, ScenarioException e) {
        for (Problem p : e.problems()) {
            err.println(p);
        }
        err.flush();
    }

    /**
     * Reports an unexpected exception while handling one file: a bug in Faultline, not in the file.
     * The first frames are printed for the bug report; the other files still run.
     */
    static void printInternalError(PrintWriter err, String file, Throwable t) {
        if (Main.outOfMemory(t)) {
            err.println(file + ": " + Main.outOfMemoryMessage());
            err.flush();
            return;
        }
        err.println(file + ": internal error: " + t);
        StackTraceElement[] st = t.getStackTrace();
        for (int i = 0; i < Math.min(8, st.length); i++) {
            err.println("    at " + st[i]);
        }
        err.println("This is a bug in Faultline, not in " + file + "; please report it with that file. The other files are still checked.");
        err.flush();
    }
}
