package dev.faultline.scenarios.malformed;

import dev.faultline.scenarios.malformed.YamlSlots.Kind;
import dev.faultline.scenarios.malformed.YamlSlots.Slot;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Malformed variants of scenario files, generated from fixed seeds. Everything is derived from the
 * files themselves: the keys and values to replace come from {@link YamlSlots}, their kind (a
 * number, a duration, a rate, a target, ...) from how the original value is written. A key that
 * someone adds to the library later is mutated like the others without a change here.
 */
final class Mutations {
    /** What a case is on disk: a file with {@code bytes}, or something that is not a readable file. */
    enum Special { FILE, DIRECTORY, MISSING, UNREADABLE, PARENT_IS_A_FILE, DANGLING_LINK, LINK_LOOP, DEVICE }

    /**
     * One input.
     *
     * @param label what was done to which file, for the report (e.g. {@code broker-crash-rf3.yaml: cluster.brokers = -1})
     * @param bytes the file's bytes (for {@link Special#DEVICE}: the device path in UTF-8)
     * @param special what the path is
     */
    record Case(String label, byte[] bytes, Special special) {
        static Case of(String label, String text) {
            return new Case(label, text.getBytes(StandardCharsets.UTF_8), Special.FILE);
        }

        static Case ofBytes(String label, byte[] bytes) {
            return new Case(label, bytes, Special.FILE);
        }
    }

    /** A file to mutate: its name and text. */
    record Seed(String name, String text) {
    }

    // ------------------------------------------------------------------ value corpora

    /** A value of each YAML type, to put where another type belongs. */
    static final List<String> WRONG_TYPES = List.of("x", "42", "-1", "3.5", "true", "null", "~", "\"\"", "''", "[]", "{}", "[a, b]", "{a: 1}",
            "[[1]]", "[{a: 1}]", "!!binary aGVsbG8=", "!!int x", "!custom 1", "&anchor 1", "*undefined");

    /** Numbers at absurd magnitudes, at the edges of int and long, and in every spelling. */
    static final List<String> NUMBERS = List.of("0", "-0", "1", "-1", "2", "3", "7", "9", "10", "99999999999999999999", "-99999999999999999999",
            "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967296", "9223372036854775807", "9223372036854775808",
            "-9223372036854775808", "-9223372036854775809", "18446744073709551616", "1e309", "-1e309", "1e-400", "NaN", ".nan", ".NaN",
            ".inf", "-.inf", "Infinity", "-Infinity", "0x10", "0x", "0xFFFFFFFFFFFFFFFFFF", "0o17", "017", "0b101", "1_000", "1,000", "+5",
            "5.0", "5.", ".5", "1e3", "1E3", "0.1", "1/0", "\"5\"", "'5'", "5 5", "5e", "٣", "\"\\uFF15\"", "00000000000000000000003",
            "9".repeat(400));

    /** Durations in every format, right and wrong. */
    static final List<String> DURATIONS = List.of("0", "0s", "1ns", "0.5ns", "1.5ns", "-5s", "+5s", "-0s", "10x", "1e9h", "1E9h", "1e3s",
            "9223372036854775807ns", "9223372036854775808ns", "9223372036s", "9223372037s", "2562047h", "2562048h", "153722867m",
            "153722868m", "106751d", "5", "5 s", "5S", "5Ms", "5MS", "5sec", "5secs", "5min", "5µs", "5us", "5μs", "s", "\"\"", ".5s", "5.s",
            "5..5s", "1.0000000001s", "NaNs", "Infinitys", "1_000ms", "0x10s", "5s5", "5s 5s", "5m30s", "PT5S", "99999999999999999999999999999999h",
            "00000000000000000000000001s", "1e-9s", "[5s]", "{s: 5}", "5\\s", "\"5s\"", "-9223372036854775808ns", "9".repeat(300) + "ns");

    /** Rates in every format. */
    static final List<String> RATES = List.of("0/s", "-1/s", "1/s", "0.001/s", "1e7/s", "10000000/s", "10000001/s", "1e309/s", "NaN/s",
            "Infinity/s", "100", "100/ms", "100/m", "100/min", "100 /s", "/s", "100/s/s", "1d/s", "1f/s", "0x10/s", "1e-320/s", "5/S");

    /** Bandwidths in every format. */
    static final List<String> BANDWIDTHS = List.of("10Gbps", "0Gbps", "-1Gbps", "1e309Gbps", "1bps", "1Tbps", "10 Gbps", "10gbps", "10GBps",
            "unlimited", "Unlimited", "NaNGbps", "9999999999999Gbps", "Gbps", "10", "0.000000001bps", "1e-9bps");

    /** Probabilities and factors. */
    static final List<String> DECIMALS = List.of("0", "1", "0.5", "1.0000001", "-0.0", "-1e-9", "NaN", "1e309", "-1e309", "4.9e-324",
            "1e-400", "0x1p3", "1d", "1f", "2", "1000000", "100%", "½");

    /** Text that has no business in a scenario: unicode lookalikes, control characters (escaped), huge strings. */
    static final List<String> STRINGS = List.of("\"\\x01\"", "\"\\0\"", "\"a\\nb\"", "\"\\t\"", "\"\\u202Ebroker-1\"", "\"\\u200B\"",
            "broker\u20101", "ｂroker-1", "кафка", "😀", "\"\\U0001F600\"", "e\u0301", "\"\\e[31mred\"", "'\u00A0'", "\"\\uFEFF\"", "a:b", "a #b",
            "'it''s'", "\"\\\"\"", "-", "?", "|", ">", "'%s%n'", "${HOME}", "../../etc/passwd", "CON", "x".repeat(201), "y".repeat(5000));

    private static final Pattern INT = Pattern.compile("[-+]?\\d+");
    private static final Pattern DURATION = Pattern.compile("\\d+(\\.\\d+)?(ns|us|µs|ms|s|m|min|h)");
    private static final Pattern RATE = Pattern.compile("\\d+(\\.\\d+)?/s");
    private static final Pattern BANDWIDTH = Pattern.compile("(?i)\\d+(\\.\\d+)?[gmk]?bps|unlimited");
    private static final Pattern DECIMAL = Pattern.compile("\\d*\\.\\d+");
    private static final Pattern TARGET = Pattern.compile("(broker|controller|zk)-\\d+|leader-of\\(.*\\)|rack\\(.*\\)|active-controller|raft-leader"
            + "|zk-leader|random-broker|random-voter|minority|majority|all|brokers|controllers|zookeeper|rest");
    private static final Pattern LEADER_OF = Pattern.compile("leader-of\\((.+)-(\\d+)\\)");

    enum ValueKind { INT, DURATION, RATE, BANDWIDTH, DECIMAL, TARGET, BOOL, WORD }

    static ValueKind kindOf(String text) {
        String t = text.trim();
        if (INT.matcher(t).matches()) {
            return ValueKind.INT;
        }
        if (DURATION.matcher(t).matches()) {
            return ValueKind.DURATION;
        }
        if (RATE.matcher(t).matches()) {
            return ValueKind.RATE;
        }
        if (BANDWIDTH.matcher(t).matches()) {
            return ValueKind.BANDWIDTH;
        }
        if (DECIMAL.matcher(t).matches()) {
            return ValueKind.DECIMAL;
        }
        if (TARGET.matcher(t).matches()) {
            return ValueKind.TARGET;
        }
        if (t.equals("true") || t.equals("false")) {
            return ValueKind.BOOL;
        }
        return ValueKind.WORD;
    }

    // ------------------------------------------------------------------ generation

    private final long seed;
    private final List<Case> out = new ArrayList<>();
    /** (category, key path) pairs already covered in full: each is tried with its whole corpus once. */
    private final Set<String> covered = new HashSet<>();

    Mutations(long seed) {
        this.seed = seed;
    }

    List<Case> cases() {
        return out;
    }

    /** Every mutation of one file. */
    void mutate(Seed s) {
        SplittableRandom rnd = new SplittableRandom(seed ^ fnv(s.name()));
        String text = s.text();
        List<Slot> slots = YamlSlots.of(text);
        out.add(Case.of(s.name() + ": unchanged", text));
        List<String> targets = targetsOf(slots);
        for (Slot slot : slots) {
            if (slot.kind() == Kind.KEY) {
                keyCases(s, text, slot, rnd);
                continue;
            }
            boolean firstOfPath = covered.add("type " + slot.path());
            // Every key with a value of each wrong type: the whole list the first time a key path is
            // seen, two random ones after that.
            List<String> types = firstOfPath ? WRONG_TYPES : pick(WRONG_TYPES, 2, rnd);
            for (String v : types) {
                out.add(Case.of(s.name() + ": " + slot.path() + " = " + v, splice(text, slot, v)));
            }
            if (slot.kind() != Kind.SCALAR) {
                continue;
            }
            ValueKind kind = kindOf(slot.text());
            List<String> corpus = switch (kind) {
                case INT -> NUMBERS;
                case DURATION -> DURATIONS;
                case RATE -> RATES;
                case BANDWIDTH -> BANDWIDTHS;
                case DECIMAL -> concat(DECIMALS, NUMBERS);
                case TARGET -> targets;
                case BOOL -> List.of("yes", "no", "on", "off", "True", "FALSE", "1", "0", "y", "n", "tru");
                case WORD -> STRINGS;
            };
            boolean firstOfKind = covered.add(kind + " " + slot.path());
            for (String v : firstOfKind ? corpus : pick(corpus, 3, rnd)) {
                out.add(Case.of(s.name() + ": " + slot.path() + " = " + abbreviate(v), splice(text, slot, v)));
            }
            if (kind == ValueKind.INT || kind == ValueKind.DURATION) {
                // Also every spelling of a number where a duration goes and vice versa.
                List<String> other = kind == ValueKind.INT ? DURATIONS : NUMBERS;
                for (String v : pick(other, 2, rnd)) {
                    out.add(Case.of(s.name() + ": " + slot.path() + " = " + abbreviate(v), splice(text, slot, v)));
                }
            }
            if (kind != ValueKind.TARGET && !targets.isEmpty() && rnd.nextInt(8) == 0) {
                out.add(Case.of(s.name() + ": " + slot.path() + " = a target", splice(text, slot, targets.get(rnd.nextInt(targets.size())))));
            }
        }
        textCases(s, text, rnd);
        byteCases(s, text, rnd);
    }

    private void keyCases(Seed s, String text, Slot key, SplittableRandom rnd) {
        String k = key.text();
        List<String> variants = new ArrayList<>();
        if (k.length() > 1) {
            variants.add(k.substring(1));
            variants.add(k.substring(0, k.length() - 1) + k.charAt(k.length() - 1) + k.charAt(k.length() - 1));
            variants.add(k.charAt(1) + "" + k.charAt(0) + k.substring(2));
        }
        variants.add(k.toUpperCase(Locale.ROOT));
        variants.add(k + "s");
        variants.add(k.replace('e', 'е')); // Cyrillic e
        variants.add("\"\"");
        variants.add("[" + k + "]");
        variants.add("? " + k);
        variants.add(k + " ");
        variants.add("\"" + k + "\\u0000\"");
        boolean first = covered.add("key " + key.path());
        for (String v : first ? variants : pick(variants, 1, rnd)) {
            out.add(Case.of(s.name() + ": key " + key.path() + " -> " + v, splice(text, key, v)));
        }
    }

    /** Truncation, deleted, duplicated, swapped and re-indented lines, stray characters. */
    private void textCases(Seed s, String text, SplittableRandom rnd) {
        String n = s.name();
        List<String> lines = List.of(text.split("\n", -1));
        for (int i = 0; i < 12; i++) {
            int at = rnd.nextInt(text.length() + 1);
            out.add(Case.of(n + ": truncated at char " + at, text.substring(0, at)));
        }
        for (int i = 0; i < 6; i++) {
            int l = rnd.nextInt(lines.size());
            List<String> m = new ArrayList<>(lines);
            m.remove(l);
            out.add(Case.of(n + ": line " + (l + 1) + " deleted", String.join("\n", m)));
        }
        for (int i = 0; i < 6; i++) {
            int l = rnd.nextInt(lines.size());
            List<String> m = new ArrayList<>(lines);
            m.add(l, lines.get(l));
            out.add(Case.of(n + ": line " + (l + 1) + " duplicated", String.join("\n", m)));
        }
        for (int i = 0; i < 3 && lines.size() > 1; i++) {
            int l = rnd.nextInt(lines.size() - 1);
            List<String> m = new ArrayList<>(lines);
            m.set(l, lines.get(l + 1));
            m.set(l + 1, lines.get(l));
            out.add(Case.of(n + ": lines " + (l + 1) + " and " + (l + 2) + " swapped", String.join("\n", m)));
        }
        String[] indents = {" ", "  ", "    ", "\t", "-1", "-2", "- "};
        for (int i = 0; i < 8; i++) {
            int l = rnd.nextInt(lines.size());
            String ind = indents[rnd.nextInt(indents.length)];
            List<String> m = new ArrayList<>(lines);
            String line = lines.get(l);
            if (ind.startsWith("-") && !ind.equals("- ")) {
                int cut = Math.min(Integer.parseInt(ind.substring(1)), line.length() - line.stripLeading().length());
                m.set(l, line.substring(cut));
            } else {
                m.set(l, ind + line);
            }
            out.add(Case.of(n + ": line " + (l + 1) + " re-indented by '" + ind + "'", String.join("\n", m)));
        }
        String[] stray = {"\t", ":", "-", "#", "&", "*", "!", "|", ">", "'", "\"", "%", "@", "`", "{", "}", "[", "]", ",", "?", "\u0000",
            "\u0007", "\u001b", "\u007f", "\u0085", "\u00a0", "\u2028", "\u2029", "\ufeff", "\ufffe", "\uffff", "\ud800", "\udc00", "😀", "\r"};
        for (int i = 0; i < 10; i++) {
            int at = rnd.nextInt(text.length() + 1);
            String c = stray[rnd.nextInt(stray.length)];
            boolean replace = rnd.nextBoolean() && at < text.length();
            out.add(Case.of(n + ": " + (replace ? "char replaced by " : "inserted ") + escape(c) + " at " + at,
                    text.substring(0, at) + c + text.substring(replace ? at + 1 : at)));
        }
        out.add(Case.of(n + ": CRLF line ends", text.replace("\n", "\r\n")));
        out.add(Case.of(n + ": CR line ends", text.replace("\n", "\r")));
        out.add(Case.of(n + ": tabs for indentation", text.replace("  ", "\t")));
        out.add(Case.of(n + ": twice in one file", text + "\n" + text));
        out.add(Case.of(n + ": two documents", text + "\n---\n" + text));
        out.add(Case.of(n + ": document end marker in the middle", text.substring(0, text.length() / 2) + "\n...\n" + text.substring(text.length() / 2)));
        out.add(Case.of(n + ": everything indented", " " + text.replace("\n", "\n ")));
        out.add(Case.of(n + ": inside a list", "- " + text.replace("\n", "\n  ")));
        // Several mutations at once.
        for (int i = 0; i < 3; i++) {
            String m = text;
            for (int j = 0; j < 3; j++) {
                int at = rnd.nextInt(m.length() + 1);
                int len = Math.min(m.length() - at, rnd.nextInt(8));
                m = m.substring(0, at) + stray[rnd.nextInt(stray.length)] + m.substring(at + len);
            }
            out.add(Case.of(n + ": three random edits (" + i + ")", m));
        }
    }

    /** Byte flips, encodings other than UTF-8, byte-order marks. */
    private void byteCases(Seed s, String text, SplittableRandom rnd) {
        String n = s.name();
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 10 && b.length > 0; i++) {
            byte[] m = b.clone();
            int at = rnd.nextInt(m.length);
            int bit = rnd.nextInt(8);
            m[at] ^= (byte) (1 << bit);
            out.add(Case.ofBytes(n + ": bit " + bit + " of byte " + at + " flipped", m));
        }
        for (int i = 0; i < 4 && b.length > 0; i++) {
            byte[] m = b.clone();
            int at = rnd.nextInt(m.length);
            m[at] = (byte) rnd.nextInt(256);
            out.add(Case.ofBytes(n + ": byte " + at + " set to a random value", m));
        }
        byte[][] bad = {{(byte) 0xFF}, {(byte) 0xC0, (byte) 0x80}, {(byte) 0x80}, {(byte) 0xE2, (byte) 0x82}, {(byte) 0xED, (byte) 0xA0, (byte) 0x80},
            {(byte) 0xF5, (byte) 0x80, (byte) 0x80, (byte) 0x80}, {(byte) 0xF0, (byte) 0x9F, (byte) 0x98}, {(byte) 0xFE}, {0}};
        for (byte[] x : bad) {
            int at = b.length == 0 ? 0 : rnd.nextInt(b.length + 1);
            out.add(Case.ofBytes(n + ": bytes " + hex(x) + " inserted at " + at, insert(b, at, x)));
        }
        out.add(Case.ofBytes(n + ": UTF-8 byte-order mark", insert(b, 0, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF})));
        out.add(Case.ofBytes(n + ": two UTF-8 byte-order marks", insert(b, 0, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, (byte) 0xEF,
            (byte) 0xBB, (byte) 0xBF})));
        out.add(Case.ofBytes(n + ": byte-order mark in the middle", insert(b, b.length / 2, new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF})));
        out.add(Case.ofBytes(n + ": UTF-16LE", concatBytes(new byte[] {(byte) 0xFF, (byte) 0xFE}, text.getBytes(StandardCharsets.UTF_16LE))));
        out.add(Case.ofBytes(n + ": UTF-16BE", concatBytes(new byte[] {(byte) 0xFE, (byte) 0xFF}, text.getBytes(StandardCharsets.UTF_16BE))));
        out.add(Case.ofBytes(n + ": UTF-16LE without a byte-order mark", text.getBytes(StandardCharsets.UTF_16LE)));
        out.add(Case.ofBytes(n + ": Latin-1", (text + "# café\n").getBytes(StandardCharsets.ISO_8859_1)));
    }

    /** Targets in every form, built from the file's own brokers, topics and partitions. */
    private static List<String> targetsOf(List<Slot> slots) {
        int brokers = 3;
        List<String> topics = new ArrayList<>();
        List<Integer> partitions = new ArrayList<>();
        for (Slot s : slots) {
            if (s.kind() == Kind.SCALAR && s.path().equals("cluster.brokers") && INT.matcher(s.text()).matches() && s.text().length() < 6) {
                brokers = Integer.parseInt(s.text());
            }
            if (s.kind() == Kind.SCALAR && s.path().equals("topics[].name")) {
                topics.add(s.text());
            }
            if (s.kind() == Kind.SCALAR && s.path().equals("topics[].partitions") && INT.matcher(s.text()).matches() && s.text().length() < 9) {
                partitions.add(Integer.parseInt(s.text()));
            }
            Matcher m = LEADER_OF.matcher(s.text());
            if (s.kind() == Kind.SCALAR && m.matches() && !topics.contains(m.group(1))) {
                topics.add(m.group(1));
            }
        }
        List<String> out = new ArrayList<>(List.of("broker-0", "broker-1", "broker-" + brokers, "broker-" + (brokers + 1), "broker-99999999999999999999",
                "broker-2147483648", "broker-01", "broker--1", "broker-", "broker-1x", "Broker-1", "\" broker-1\"", "broker-١", "controller-0",
                "controller-1", "controller-3", "controller-4", "controller-99999999999999999999", "zk-0", "zk-1", "zk-3", "zk-4",
                "zk-99999999999999999999", "active-controller", "raft-leader", "zk-leader", "random-broker", "random-voter", "minority",
                "majority", "all", "brokers", "controllers", "zookeeper", "rest", "rack()", "rack(a)", "rack(zz)", "rack(a)(b)", "rack(", "leader-of()",
                "leader-of(-0)", "leader-of(nosuch-0)", "leader-of(t)", "leader-of(t-0", "[broker-1, broker-1]", "[]", "[[]]", "[rest]",
                "{target: broker-1}", "\"\""));
        for (int i = 0; i < topics.size(); i++) {
            String t = topics.get(i);
            int p = i < partitions.size() ? partitions.get(i) : 1;
            out.addAll(List.of("leader-of(" + t + "-0)", "leader-of(" + t + "-" + (p - 1) + ")", "leader-of(" + t + "-" + p + ")",
                    "leader-of(" + t + "--1)", "leader-of(" + t + "-99999999999999999999)", "leader-of(" + t + "-2147483648)",
                    "leader-of(" + t + "-00)", "leader-of(" + t + ")", "leader-of(" + t + "-0-0)", "leader-of( " + t + "-0)"));
        }
        return out;
    }

    // ------------------------------------------------------------------ helpers

    /** The text with a slot replaced (keeping the slot's trailing line break and spaces). */
    static String splice(String text, Slot slot, String value) {
        String old = slot.text();
        int keep = old.length();
        while (keep > 0 && Character.isWhitespace(old.charAt(keep - 1))) {
            keep--;
        }
        return text.substring(0, slot.start()) + value + old.substring(keep) + text.substring(slot.end());
    }

    private static <T> List<T> pick(List<T> from, int n, SplittableRandom rnd) {
        List<T> out = new ArrayList<>();
        for (int i = 0; i < n && !from.isEmpty(); i++) {
            out.add(from.get(rnd.nextInt(from.size())));
        }
        return out;
    }

    private static List<String> concat(List<String> a, List<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }

    static byte[] insert(byte[] b, int at, byte[] x) {
        byte[] m = new byte[b.length + x.length];
        System.arraycopy(b, 0, m, 0, at);
        System.arraycopy(x, 0, m, at, x.length);
        System.arraycopy(b, at, m, at + x.length, b.length - at);
        return m;
    }

    private static byte[] concatBytes(byte[] a, byte[] b) {
        return insert(b, 0, a);
    }

    private static String hex(byte[] x) {
        StringBuilder sb = new StringBuilder();
        for (byte v : x) {
            sb.append(String.format(Locale.ROOT, "%02X", v & 0xFF));
        }
        return sb.toString();
    }

    static String escape(String s) {
        StringBuilder sb = new StringBuilder();
        for (char c : s.toCharArray()) {
            sb.append(c < 0x20 || c > 0x7E ? String.format(Locale.ROOT, "\\u%04X", (int) c) : String.valueOf(c));
        }
        return sb.toString();
    }

    static String abbreviate(String v) {
        String e = escape(v);
        return e.length() > 60 ? e.substring(0, 30) + "...(" + v.length() + " chars)" : e;
    }

    /** FNV-1a: a string hash fixed by its definition. */
    static long fnv(String s) {
        long h = 0xcbf29ce484222325L;
        for (byte b : s.getBytes(StandardCharsets.UTF_8)) {
            h ^= b & 0xFF;
            h *= 0x100000001b3L;
        }
        return h;
    }
}
