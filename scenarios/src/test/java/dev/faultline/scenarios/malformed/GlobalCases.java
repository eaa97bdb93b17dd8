package dev.faultline.scenarios.malformed;

import dev.faultline.scenarios.malformed.Mutations.Case;
import dev.faultline.scenarios.malformed.Mutations.Special;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** Inputs that are not mutations of one file: empty files, directories, alias bombs, deep nesting, huge files. */
final class GlobalCases {
    private GlobalCases() {
    }

    static final String MINIMAL = "name: x\ncluster: {mode: oracle, brokers: 3}\n";

    static List<Case> all() {
        List<Case> out = new ArrayList<>();
        for (String s : List.of("", " ", "\n", "\n\n\n", "\t", "# only a comment\n", "---\n", "...\n", "---\n...\n", "~\n", "null\n", "[]\n",
                "{}\n", "- a\n", "hello\n", "42\n", "\"\"\n", "name:\n", "name: x\n", "cluster:\n", ":\n", "- - -\n", "? \n", "&a\n", "*a\n",
                "!!map {}\n", "%YAML 1.1\n---\n" + MINIMAL, "%YAML 2.0\n---\n" + MINIMAL, "%TAG ! tag:x,2000:\n---\n" + MINIMAL, "--- !!str\n",
                MINIMAL, MINIMAL + "---\n" + MINIMAL, MINIMAL.replace("\n", "\r\n"), MINIMAL + "\u0000", "\u0000", "\uFEFF", "\uFEFF\uFEFF" + MINIMAL)) {
            out.add(Case.of("global: " + Mutations.abbreviate(s), s));
        }
        // Alias bombs: each level repeats the previous one nine times.
        StringBuilder bomb = new StringBuilder(MINIMAL + "topics:\n  - &l0 {name: t, partitions: 1}\n");
        for (int i = 1; i <= 9; i++) {
            bomb.append("  - &l").append(i).append(" [").append(("*l" + (i - 1) + ", ").repeat(8)).append("*l").append(i - 1).append("]\n");
        }
        out.add(Case.of("global: alias bomb in topics", bomb.toString()));
        StringBuilder bomb2 = new StringBuilder("a: &a [\"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\", \"lol\"]\n");
        for (char c = 'b'; c <= 'j'; c++) {
            bomb2.append(c).append(": &").append(c).append(" [").append(("*" + (char) (c - 1) + ",").repeat(8)).append("*").append((char) (c - 1))
                    .append("]\n");
        }
        out.add(Case.of("global: billion laughs", bomb2.toString()));
        out.add(Case.of("global: billion laughs under cluster.racks", MINIMAL.replace("brokers: 3}", "brokers: 3, racks: *j}") + bomb2));
        out.add(Case.of("global: recursive alias", "name: x\ncluster: &c {mode: oracle, config: *c}\n"));
        out.add(Case.of("global: recursive alias in a list", "name: x\ncluster: {mode: oracle}\ntopics: &t [*t]\n"));
        out.add(Case.of("global: recursive key", "name: x\ncluster: {mode: oracle}\n&k ? *k : 1\n"));
        out.add(Case.of("global: scalar aliases", MINIMAL + "faults:\n" + "  - {at: &t 1s, crash: &b broker-1}\n".repeat(1)
                + "  - {at: *t, crash: *b}\n".repeat(2000)));
        // Deep nesting, every style.
        for (int depth : new int[] {49, 50, 51, 3000}) {
            out.add(Case.of("global: flow lists nested " + depth, "name: x\ncluster: " + "[".repeat(depth) + "]".repeat(depth) + "\n"));
            out.add(Case.of("global: flow maps nested " + depth, "name: x\ncluster: " + "{a: ".repeat(depth) + "1" + "}".repeat(depth) + "\n"));
            out.add(Case.of("global: unclosed flow lists " + depth, "name: x\ncluster: " + "[".repeat(depth) + "\n"));
            out.add(Case.of("global: block lists nested " + depth, "- ".repeat(depth) + "a\n"));
            int block = Math.min(depth, 1000);
            StringBuilder b = new StringBuilder("name: x\ncluster:\n");
            for (int i = 0; i < block; i++) {
                b.append(" ".repeat(i + 1)).append("k").append(i).append(":\n");
            }
            out.add(Case.of("global: block maps nested " + block, b.toString()));
            out.add(Case.of("global: config nested " + depth, MINIMAL.replace("brokers: 3}", "brokers: 3, config: {x: " + "[".repeat(depth)
                    + "]".repeat(depth) + "}}")));
        }
        // Sizes: a 5 MB name, a line just over and under the limit, a file just over the limit, many lines.
        out.add(Case.of("global: 5 MB name", "name: " + "x".repeat(5_000_000) + "\ncluster: {mode: oracle}\n"));
        out.add(Case.of("global: 9,990-character name", "name: " + "x".repeat(9_990) + "\ncluster: {mode: oracle}\n"));
        out.add(Case.of("global: 10,001-character line", "name: " + "x".repeat(9_995) + "\ncluster: {mode: oracle}\n"));
        out.add(Case.of("global: 5 MB of spaces in one line", "name: x" + " ".repeat(5_000_000) + "\ncluster: {mode: oracle}\n"));
        out.add(Case.of("global: a 9,000-digit broker count", "name: x\ncluster: {mode: oracle, brokers: " + "9".repeat(9_000) + "}\n"));
        out.add(Case.of("global: a 9,000-digit duration", MINIMAL + "duration: " + "9".repeat(9_000) + "s\n"));
        out.add(Case.of("global: a 9,000-digit seed", MINIMAL + "seed: " + "9".repeat(9_000) + "\n"));
        out.add(Case.of("global: a file just over 1 MiB of comments", MINIMAL + "#\n".repeat((1 << 20) / 2)));
        out.add(Case.of("global: a file just under 1 MiB of comments", MINIMAL + "#\n".repeat((1 << 20) / 2 - 40)));
        out.add(Case.of("global: 50,000 unknown keys", MINIMAL + unknownKeys(50_000)));
        out.add(Case.of("global: 20,000 faults", MINIMAL + "duration: 100s\nfaults:\n" + "  - {at: 1s, crash: broker-1, for: 1s}\n".repeat(20_000)));
        out.add(Case.of("global: 20,000 bad faults", MINIMAL + "faults:\n" + "  - {at: -1s, crash: broker-9}\n".repeat(20_000)));
        out.add(Case.of("global: 100,000 topics", MINIMAL + "topics:\n" + topics(100_000)));
        out.add(Case.of("global: a fault every nanosecond", MINIMAL + "duration: 1h\nfaults:\n  - {at: 0s, restart: broker-1, every: 1ns}\n"));
        out.add(Case.of("global: a fault every nanosecond until the end of time", MINIMAL + "duration: 106751d\nfaults:\n"
                + "  - {at: 0s, restart: broker-1, every: 1ns, until: 9223372036854775807ns}\n"));
        out.add(Case.of("global: the longest duration", MINIMAL + "duration: 9223372036854775807ns\n"));
        out.add(Case.of("global: control characters, escaped", MINIMAL.replace("name: x", "name: \"x\\x01\\e\\x7f\\u202e\"")
                + "description: \"\\x00\\x1b[2J\"\n"));
        out.add(Case.of("global: a tab before a key", "name: x\n\tcluster: {mode: oracle}\n"));
        out.add(Case.of("global: a key with a tab", "name: x\ncluster:\n\tmode: oracle\n"));
        out.add(Case.ofBytes("global: invalid UTF-8 only", new byte[] {(byte) 0xFF, (byte) 0xFE, (byte) 0xFD}));
        out.add(Case.ofBytes("global: UTF-32 byte-order mark", new byte[] {(byte) 0xFF, (byte) 0xFE, 0, 0, 'n', 0, 0, 0}));
        out.add(Case.ofBytes("global: a lone UTF-8 byte-order mark", new byte[] {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF}));
        out.add(Case.ofBytes("global: a cut UTF-8 byte-order mark", new byte[] {(byte) 0xEF, (byte) 0xBB}));
        out.add(Case.ofBytes("global: random bytes", randomBytes(4096, 1)));
        out.add(Case.ofBytes("global: random ASCII", randomAscii(4096, 2)));
        // Not files.
        byte[] valid = MINIMAL.getBytes(StandardCharsets.UTF_8);
        out.add(new Case("global: a directory", valid, Special.DIRECTORY));
        out.add(new Case("global: a missing file", valid, Special.MISSING));
        out.add(new Case("global: an unreadable file", valid, Special.UNREADABLE));
        out.add(new Case("global: a path under a file", valid, Special.PARENT_IS_A_FILE));
        out.add(new Case("global: a dangling link", valid, Special.DANGLING_LINK));
        out.add(new Case("global: a link loop", valid, Special.LINK_LOOP));
        for (String dev : List.of("/dev/null", "/dev/zero", "/dev/urandom")) {
            if (Files.exists(Path.of(dev))) {
                out.add(new Case("global: " + dev, dev.getBytes(StandardCharsets.UTF_8), Special.DEVICE));
            }
        }
        return out;
    }

    private static String unknownKeys(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("k").append(i).append(": 1\n");
        }
        return sb.toString();
    }

    private static String topics(int n) {
        StringBuilder sb = new StringBuilder();
        for (int i = 0; i < n; i++) {
            sb.append("  - {name: t").append(i).append(", partitions: 10000000, replication.factor: 3}\n");
        }
        return sb.toString();
    }

    private static byte[] randomBytes(int n, long seed) {
        byte[] b = new byte[n];
        new java.util.SplittableRandom(seed).nextBytes(b);
        return b;
    }

    private static byte[] randomAscii(int n, long seed) {
        java.util.SplittableRandom r = new java.util.SplittableRandom(seed);
        byte[] b = new byte[n];
        for (int i = 0; i < n; i++) {
            b[i] = (byte) (r.nextInt(0x20, 0x7F));
            if (r.nextInt(20) == 0) {
                b[i] = '\n';
            }
        }
        return b;
    }
}
