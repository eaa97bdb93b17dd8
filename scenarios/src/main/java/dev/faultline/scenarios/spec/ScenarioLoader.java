package dev.faultline.scenarios.spec;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Reads a scenario file and validates it before anything runs. Every problem is reported (not
 * just the first) with the file, line and column, the offending key or value, and what would be
 * valid. In three steps: the text is checked before YAML sees it (size, line length, characters,
 * UTF-8); Jackson YAML binds it to the {@link Scenario} records ({@link ScenarioYaml}), reporting
 * unknown keys and values of the wrong shape or format; then {@link ScenarioChecks} checks the
 * bound scenario as a whole (ranges, references between sections, mode rules, targets).
 */
public final class ScenarioLoader {
    private ScenarioLoader() {
    }

    /** The largest scenario file read, in bytes (the library's largest is a few kilobytes). */
    public static final int MAX_FILE_BYTES = 1 << 20;
    /** The longest line, in characters: SnakeYAML's scanner slows quadratically on a long token. */
    public static final int MAX_LINE_CHARS = 10_000;
    /** Problems reported per file; the rest are counted (a mangled file can have thousands). */
    public static final int MAX_PROBLEMS = 100;

    /** Loads and validates a scenario file. */
    public static Scenario load(Path path) throws ScenarioException {
        String file = path.toString();
        byte[] bytes;
        try {
            if (Files.isDirectory(path)) {
                throw fail(file, "is a directory, not a scenario file");
            }
            // Read at most one byte more than allowed, so that a huge file (or an endless device) is
            // refused without reading it all.
            try (InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw fail(file, "no such file");
        } catch (AccessDeniedException e) {
            throw fail(file, "cannot read the file: permission denied");
        } catch (IOException e) {
            throw fail(file, "cannot read the file: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw fail(file, "the file is larger than " + (MAX_FILE_BYTES >> 20) + " MiB; a scenario file is a few kilobytes of YAML");
        }
        return parse(file, decode(file, bytes));
    }

    private static ScenarioException fail(String file, String message) {
        return new ScenarioException(List.of(new Problem(file, 1, 1, message)));
    }

    /** Strict UTF-8 (a leading byte-order mark is dropped); anything else is reported where it starts. */
    private static String decode(String file, byte[] bytes) throws ScenarioException {
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF) || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE))) {
            throw fail(file, "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8");
        }
        int from = bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF ? 3 : 0;
        CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT);
        ByteBuffer in = ByteBuffer.wrap(bytes, from, bytes.length - from);
        CharBuffer out = CharBuffer.allocate(bytes.length);
        CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        out.flip();
        if (r.isError()) {
            // out holds the text before the bad byte: count its lines and columns.
            int line = 1;
            int column = 1;
            for (int i = 0; i < out.length(); i++) {
                char c = out.charAt(i);
                if (c == '\n') {
                    line++;
                    column = 1;
                } else if (!Character.isLowSurrogate(c)) {
                    column++;
                }
            }
            int bad = bytes[in.position()] & 0xFF;
            throw new ScenarioException(List.of(new Problem(file, line, column, String.format(Locale.ROOT,
                    "not UTF-8: byte 0x%02X (byte offset %d) does not start a valid UTF-8 sequence; save the file as UTF-8", bad, in.position()))));
        }
        return out.toString();
    }

    /** Parses and validates scenario text; {@code file} names it in messages. */
    public static Scenario parse(String file, String text) throws ScenarioException {
        Problems found = new Problems(file);
        String yaml = text.startsWith("\uFEFF") ? text.substring(1) : text;
        Scenario s = precheck(yaml, found) ? ScenarioYaml.read(yaml, found) : null;
        // The checks between sections leave alone the values that could not be read.
        s = s == null ? null : ScenarioChecks.check(s, found);
        if (s == null || !found.isEmpty()) {
            List<Problem> problems = found.list();
            if (problems.size() > MAX_PROBLEMS) {
                Problem next = problems.get(MAX_PROBLEMS);
                int more = problems.size() - MAX_PROBLEMS;
                problems = new ArrayList<>(problems.subList(0, MAX_PROBLEMS));
                problems.add(new Problem(file, next.line(), next.column(), "... and " + more + " more problem" + (more == 1 ? "" : "s")
                        + " (only the first " + MAX_PROBLEMS + " are shown)"));
            }
            throw new ScenarioException(problems);
        }
        return s;
    }

    /**
     * Checks the raw text before YAML sees it: its size, line lengths, and characters YAML does not
     * allow (control characters other than tab and line breaks, lone surrogates, U+FFFE/U+FFFF).
     * Returns false when the text cannot be read as YAML.
     */
    private static boolean precheck(String text, Problems problems) {
        if (text.length() > MAX_FILE_BYTES) {
            problems.at(1, 1, "the text is longer than " + MAX_FILE_BYTES + " characters; a scenario is a few kilobytes of YAML");
            return false;
        }
        int line = 1;
        int column = 1;
        int bad = 0;
        boolean longLine = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (cp == '\n' || (cp == '\r' && (next >= text.length() || text.charAt(next) != '\n'))) {
                line++;
                column = 1;
                longLine = false;
                i = next;
                continue;
            }
            if (!yamlPrintable(cp) && bad < 10) {
                bad++;
                problems.at(line, column, String.format(Locale.ROOT,
                        "character U+%04X (%s) is not allowed in YAML; only tab, line breaks and printable characters are",
                        cp, Character.isSurrogate((char) cp) ? "a lone surrogate" : Character.getName(cp) == null ? "unassigned" : Character.getName(cp)));
            }
            if (column > MAX_LINE_CHARS && !longLine) {
                longLine = true;
                bad++;
                problems.at(line, column, "line " + line + " is longer than " + MAX_LINE_CHARS
                        + " characters; a scenario needs no such line (a name, target or value this long is a mistake)");
            }
            column++;
            i = next;
        }
        return bad == 0;
    }

    private static boolean yamlPrintable(int cp) {
        return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF)
                || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    }

    /** A message on one line, without control characters, with long quoted values shortened. */
    static String clean(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(message.length(), 4096));
        for (int i = 0; i < message.length(); ) {
            int cp = message.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\n' || cp == '\r') {
                sb.append(' ');
            } else if (Character.isISOControl(cp) || !yamlPrintable(cp) || Character.getType(cp) == Character.FORMAT
                    || Character.getType(cp) == Character.LINE_SEPARATOR || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR) {
                sb.append(String.format(Locale.ROOT, "\\u%04X", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        }
        // Values are echoed: a 5,000-character name is shown by its start and its length.
        Matcher m = LONG_QUOTED.matcher(sb);
        StringBuilder quoted = new StringBuilder();
        while (m.find()) {
            String v = m.group(1);
            m.appendReplacement(quoted, Matcher.quoteReplacement("'" + v.substring(0, 60) + "...' (" + v.length() + " characters)"));
        }
        m.appendTail(quoted);
        m = LONG_WORD.matcher(quoted);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = m.group();
            m.appendReplacement(out, Matcher.quoteReplacement(v.substring(0, 60) + "...(" + v.length() + " characters)"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static final Pattern LONG_QUOTED = Pattern.compile("'([^']{100,})'");
    private static final Pattern LONG_WORD = Pattern.compile("[^\\s',\\[\\]]{100,}");
}
