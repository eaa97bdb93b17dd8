package dev.faultline.scenarios.malformed;

import dev.faultline.scenarios.cli.Main;
import dev.faultline.scenarios.malformed.Mutations.Case;
import dev.faultline.scenarios.malformed.Mutations.Special;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The observable contract of {@code faultline validate} on one input, checked in this JVM: the exit
 * code is 0 (valid: {@code FILE: ok}) or 2 with every line of the error output a
 * {@code file:line:column: message} naming the file; never exit 3, never a stack trace. Nothing here
 * knows how the loader works inside, so it guards any rewrite of it.
 */
final class Contract {
    /**
     * What one case did.
     *
     * @param valid whether the file was accepted
     * @param violation what broke the contract, or {@code null}
     * @param nanos how long {@code validate} took
     */
    record Verdict(boolean valid, String violation, long nanos) {
    }

    private static final Pattern STACK = Pattern.compile("(?m)^\\s+at |Exception|Error:|internal error|\\.java:\\d+\\)");
    /** Messages are for people: a line longer than this means a value was echoed whole. */
    static final int MAX_LINE = 2_000;

    private final Path dir;
    private final StringWriter out = new StringWriter();
    private final StringWriter err = new StringWriter();
    private final CommandLine cli = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
    private int n;

    /** A checker writing its inputs under {@code dir}. */
    Contract(Path dir) throws IOException {
        this.dir = Files.createDirectories(dir);
    }

    /** Puts the case where {@code validate} will read it; returns the path to give. */
    Path materialize(Case c, Path where) throws IOException {
        Path f = where.resolve("case-" + (n++) + ".yaml");
        switch (c.special()) {
            case FILE -> Files.write(f, c.bytes());
            case DIRECTORY -> Files.createDirectories(f);
            case MISSING -> { }
            case UNREADABLE -> {
                Files.write(f, c.bytes());
                Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("---------"));
            }
            case PARENT_IS_A_FILE -> {
                Files.write(f, c.bytes());
                f = f.resolve("inner.yaml");
            }
            case DANGLING_LINK -> Files.createSymbolicLink(f, where.resolve("nowhere-" + n));
            case LINK_LOOP -> {
                Path g = where.resolve("loop-" + n + ".yaml");
                Files.createSymbolicLink(f, g);
                Files.createSymbolicLink(g, f);
            }
            case DEVICE -> f = Path.of(new String(c.bytes(), StandardCharsets.UTF_8));
            default -> throw new IllegalStateException();
        }
        return f;
    }

    /** Runs {@code validate} on one case and judges the outcome. */
    Verdict check(Case c) throws IOException {
        Path f = materialize(c, dir);
        out.getBuffer().setLength(0);
        err.getBuffer().setLength(0);
        long start = System.nanoTime();
        int code;
        try {
            code = cli.execute("validate", f.toString());
        } finally {
            cleanUp(f, c.special());
        }
        long nanos = System.nanoTime() - start;
        return new Verdict(code == 0, judge(f.toString(), code, out.toString(), err.toString()), nanos);
    }

    /**
     * Runs a valid case with {@code faultline run --max-events N}: it must exit 0 or 1 (a value the
     * loader accepts must not crash the simulation), without a stack trace. Cases too large for a
     * test JVM are not run ({@code null}).
     */
    Verdict checkRun(Case c, long maxEvents) throws IOException {
        Path f = materialize(c, dir);
        try {
            dev.faultline.scenarios.spec.Scenario s;
            try {
                s = dev.faultline.scenarios.spec.ScenarioLoader.load(f);
            } catch (dev.faultline.scenarios.spec.ScenarioException e) {
                return new Verdict(false, "valid for validate but not when loaded again: " + e.getMessage(), 0);
            }
            long replicas = 0;
            for (dev.faultline.scenarios.spec.Scenario.Topic t : s.topics()) {
                replicas += (long) t.partitions() * t.replicationFactor();
            }
            if (replicas > 20_000 || s.cluster().brokers() > 50) {
                return null;
            }
            out.getBuffer().setLength(0);
            err.getBuffer().setLength(0);
            long start = System.nanoTime();
            int code = cli.execute("run", f.toString(), "--max-events", Long.toString(maxEvents), "--out", dir.resolve("runs").toString());
            long nanos = System.nanoTime() - start;
            String all = out.toString() + err;
            String violation = STACK.matcher(all).find() ? "run exit " + code + " with a stack trace or internal error: " + head(all)
                    : code != 0 && code != 1 ? "run exit " + code + " (expected 0 or 1): " + head(all) : null;
            return new Verdict(true, violation, nanos);
        } finally {
            cleanUp(f, c.special());
        }
    }

    /** {@code null} when the outcome keeps the contract for {@code file}; else what broke it. */
    static String judge(String file, int code, String stdout, String stderr) {
        String all = stdout + stderr;
        if (STACK.matcher(all).find()) {
            return "exit " + code + " with a stack trace or internal error: " + head(all);
        }
        for (String line : all.split("\n")) {
            if (line.length() > MAX_LINE) {
                return "a message line of " + line.length() + " characters: " + line.substring(0, 200) + "...";
            }
        }
        if (code == 0) {
            return stdout.contains(file + ": ok") && stderr.isBlank() ? null : "exit 0 without '" + file + ": ok': " + head(all);
        }
        if (code != 2) {
            return "exit " + code + " (expected 0 or 2): " + head(all);
        }
        Pattern located = Pattern.compile(Pattern.quote(file) + ":([1-9]\\d*):([1-9]\\d*): \\S.*");
        List<String> lines = new ArrayList<>();
        for (String line : stderr.split("\n")) {
            if (!line.isBlank()) {
                lines.add(line);
            }
        }
        if (lines.isEmpty()) {
            return "exit 2 without a message: " + head(all);
        }
        for (String line : lines) {
            if (!located.matcher(line).matches()) {
                return "exit 2 with a line that is not file:line:column: message: " + head(line);
            }
        }
        return null;
    }

    private static String head(String s) {
        return s.length() > 600 ? s.substring(0, 600) + "..." : s;
    }

    private static void cleanUp(Path f, Special special) throws IOException {
        switch (special) {
            case DEVICE, MISSING -> { }
            case PARENT_IS_A_FILE -> Files.deleteIfExists(f.getParent());
            case LINK_LOOP -> {
                Files.deleteIfExists(f);
            }
            default -> {
                if (Files.isDirectory(f, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                    Files.delete(f);
                } else {
                    Files.deleteIfExists(f);
                }
            }
        }
    }
}
