package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Bad command-line arguments get a clear message and exit 2 before any work starts: no stack
 * trace, nothing written, no simulation run.
 */
class CommandLineArgumentsTest {
    @TempDir
    static Path dir;

    static final String GOOD = "scenarios-under-test/good.yaml";

    static Stream<Arguments> badArguments() {
        return Stream.of(
                bad("compare --seeds -1", "--seeds must be between 1 and 10000"),
                bad("compare --seeds 0", "--seeds must be between 1 and 10000"),
                bad("compare --seeds 2147483647", "--seeds must be between 1 and 10000"),
                bad("compare --seeds 1x", "Invalid value for option '--seeds': '1x' is not an int"),
                bad("compare --seeds 99999999999999999999", "Invalid value for option '--seeds'"),
                bad("compare --partitions 1x", "--partitions takes counts such as 1000, 10k or 1m, not '1x'"),
                bad("compare --partitions 0", "--partitions takes counts such as 1000, 10k or 1m, not '0'"),
                bad("compare --partitions -5", "--partitions takes counts"),
                bad("compare --partitions NaN", "--partitions takes counts"),
                bad("compare --partitions 1e400", "--partitions takes counts"),
                bad("compare --partitions 20m", "--partitions takes counts"),
                bad("compare --partitions 1k,1k", "--partitions lists 1000 twice"),
                bad("compare --modes foo", "unknown mode 'foo'; valid: zookeeper, kraft, oracle"),
                bad("compare --modes kraft,,oracle", "unknown mode ''"),
                bad("compare --modes kraft,kraft", "mode 'kraft' is listed twice in --modes"),
                bad("compare --workers 0", "--workers must be between 1 and 1024, not 0"),
                bad("compare --workers -3", "--workers must be between 1 and 1024, not -3"),
                bad("compare --out OUT_FILE/sub", "--out OUT_FILE/sub cannot be created: OUT_FILE is a file, not a directory"),
                bad("compare --out OUT_FILE", "--out OUT_FILE is a file, not a directory"),
                bad("compare no-such.yaml", "no-such.yaml:1:1: no such file"),
                bad("fuzz --shard 3/2", "--shard takes i/n with 0 <= i < n, e.g. 3/8, not '3/2'"),
                bad("fuzz --shard 1/0", "--shard takes i/n"),
                bad("fuzz --shard -1/2", "--shard takes i/n"),
                bad("fuzz --shard 1/2/3", "--shard takes i/n"),
                bad("fuzz --shard x", "--shard takes i/n"),
                bad("fuzz --time 0", "--time '0' has no unit"),
                bad("fuzz --time 0s", "--time must be positive, e.g. --time 10m, not '0s'"),
                bad("fuzz --time -5s", "--time '-5s' is not a duration"),
                bad("fuzz --time 10x", "--time '10x' has unknown unit 'x'"),
                bad("fuzz --time 1e9h", "--time '1e9h' has unknown unit 'e9h'"),
                bad("fuzz --time 99999999999999h", "--time '99999999999999h' is too long a duration"),
                bad("fuzz --runs 0", "--runs must be at least 1, not 0"),
                bad("fuzz --runs -1", "--runs must be at least 1, not -1"),
                bad("fuzz --workers 0", "--workers must be between 1 and 1024, not 0"),
                bad("fuzz --workers 100000", "--workers must be between 1 and 1024, not 100000"),
                bad("fuzz --mode foo", "--mode must be kraft, zookeeper or oracle, not 'foo'"),
                bad("fuzz --plant nope", "unknown planted bug 'nope'"),
                bad("fuzz --seed x", "Invalid value for option '--seed': 'x' is not a long"),
                bad("fuzz --out OUT_FILE", "--out OUT_FILE is a file, not a directory"),
                bad("raft-elections --voters 2", "--voters must be between 3 and 99, not 2"),
                bad("raft-elections --voters 100000", "--voters must be between 3 and 99, not 100000"),
                bad("raft-elections --seeds -1", "--seeds must be between 1 and 10000000"),
                bad("raft-elections --seeds 2000000000", "--seeds must be between 1 and 10000000"),
                bad("raft-elections --timeout-min 300ms --timeout-max 150ms", "--timeout-min (300ms) must not be above --timeout-max (150ms)"),
                bad("raft-elections --heartbeat 0ms", "--heartbeat (0ms) must be positive and below --timeout-min (150ms)"),
                bad("raft-elections --latency -1ms", "'-1ms' is not a duration"),
                bad("raft-elections --latency 2h", "--latency (2h) must be at most 1h"),
                bad("run GOOD --mode foo", "--mode must be kraft, zookeeper or oracle, not 'foo'"),
                bad("run GOOD --seed 1x", "Invalid value for option '--seed': '1x' is not a long"),
                bad("run GOOD --trace-format xml", "--trace-format must be jsonl or perfetto, not 'xml'"),
                bad("run GOOD GOOD --trace OUT_DIR/t.jsonl", "--trace takes one scenario file at a time"),
                bad("run GOOD --out OUT_FILE", "--out OUT_FILE is a file, not a directory"),
                bad("run GOOD --out OUT_FILE/runs", "--out OUT_FILE/runs cannot be created: OUT_FILE is a file, not a directory"),
                bad("run GOOD --trace OUT_DIR", "--trace OUT_DIR is a directory; give a file name"),
                bad("run GOOD --trace OUT_FILE/t.jsonl", "OUT_FILE is a file, not a directory"),
                bad("run", "Missing required parameter: 'FILE'"),
                bad("validate", "Missing required parameter: 'FILE'"),
                bad("frobnicate", "Unmatched argument at index 0: 'frobnicate'"),
                bad("run GOOD --frobnicate", "Unknown option: '--frobnicate'"));
    }

    private static Arguments bad(String args, String message) {
        return Arguments.of(args, message);
    }

    @ParameterizedTest(name = "faultline {0}")
    @MethodSource("badArguments")
    void aBadArgumentIsExit2WithAClearMessageAndNothingWritten(String args, String message) throws Exception {
        Path work = Files.createTempDirectory(dir, "case");
        Path file = Files.writeString(work.resolve("a-file"), "not a directory");
        Path good = Files.writeString(work.resolve("good.yaml"), RunCommandTest.PASSING);
        Path runs = work.resolve("runs");
        List<String> argv = new ArrayList<>();
        for (String a : args.split(" ")) {
            argv.add(a.replace("OUT_FILE", file.toString()).replace("OUT_DIR", work.toString()).replace("GOOD", good.toString())
                    .replace("no-such.yaml", work.resolve("no-such.yaml").toString()));
        }
        if (!args.contains("--out") && List.of("run", "compare", "fuzz").contains(argv.get(0))) {
            argv.addAll(List.of("--out", runs.toString()));
        }
        CliTest.Outcome o = CliTest.run(argv.toArray(String[]::new));
        String expected = message.replace("OUT_FILE", file.toString()).replace("OUT_DIR", work.toString()).replace("no-such.yaml", work.resolve("no-such.yaml").toString());
        assertThat(o.code()).as(o.err()).isEqualTo(2);
        assertThat(o.err()).contains(expected).doesNotContain("Exception").doesNotContain("internal error").doesNotContainPattern("(?m)^\\s+at ");
        assertThat(runs).as("nothing written").doesNotExist();
        try (Stream<Path> left = Files.list(work)) {
            assertThat(left.map(p -> p.getFileName().toString())).containsExactlyInAnyOrder("a-file", "good.yaml");
        }
        assertThat(Files.readString(file)).isEqualTo("not a directory");
    }
}
