package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.run.HeapEstimate;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The heap: the launcher's advice grows with the scenarios named on the command line and stays
 * within the machine; an OutOfMemoryError becomes a message saying how to give more heap and exit 3,
 * where any other internal error still gets its stack trace.
 */
class HeapTest {
    private static final long GIB = 1L << 30;

    @Test
    void theAdviceGrowsWithPartitionsAndWorkersAndIgnoresWhatNamesNoScenario() throws Exception {
        long small = HeapAdvice.need("compare", "--partitions", "10k", "--modes", "kraft", "--seeds", "1");
        long big = HeapAdvice.need("compare", "--partitions", "2m", "--modes", "kraft", "--seeds", "1");
        long two = HeapAdvice.need("compare", "--partitions", "2m", "--modes", "kraft,zookeeper", "--seeds", "1", "--workers", "2");
        assertThat(small).isPositive().isLessThan(big);
        assertThat(big).isEqualTo(HeapEstimate.bytes(CompareCommand.sized(ScenarioLoader.parse("d", defaultYaml()), 2_000_000)));
        assertThat(two).isGreaterThan(big); // two 2M runs at once
        Path kip = Path.of("library/scale/kip-500-broker-crash.yaml");
        assertThat(HeapAdvice.need("run", kip.toString())).isEqualTo(HeapEstimate.bytes(ScenarioLoader.load(kip)));
        assertThat(HeapAdvice.need("fuzz", "--time", "1m")).isEqualTo(-1);
        assertThat(HeapAdvice.need("compare", "--seeds", "0")).isEqualTo(-1);
        assertThat(HeapAdvice.need("--frobnicate")).isEqualTo(-1);
    }

    @Test
    void twoMillionPartitionsAtReplicationFactorThreeStartedWarmAreEstimatedWithinEightGiBAndColdNeedsMore() throws Exception {
        // Issue 11: 2M partitions at RF 3 fit -Xmx8g (measured by ./bench scale, never here); the
        // estimate must not refuse them, and a cold start, which keeps the start-up's state, needs more.
        Scenario warm = CompareCommand.sized(ScenarioLoader.parse("d", defaultYaml()), 2_000_000);
        Scenario cold = CompareCommand.sized(ScenarioLoader.parse("c", defaultYaml().replace("cluster:\n", "cluster:\n  start: cold\n")), 2_000_000);
        assertThat(warm.cluster().warmStart()).isTrue();
        assertThat(cold.cluster().warmStart()).isFalse();
        for (Scenario.Mode mode : Scenario.Mode.values()) {
            Scenario w = warm.withMode(mode);
            Scenario c = cold.withMode(mode);
            assertThat(HeapEstimate.bytes(w)).as(mode.yamlName()).isLessThanOrEqualTo(8 * GIB);
            assertThat(HeapEstimate.bytes(c)).as(mode.yamlName()).isGreaterThan(HeapEstimate.bytes(w));
        }
    }

    @Test
    void theHeapStaysBetweenTheFloorAndEightyPercentOfTheMachine() {
        assertThat(HeapAdvice.heap(-1, 32 * GIB)).isEqualTo(HeapAdvice.FLOOR);
        assertThat(HeapAdvice.heap(6 * GIB, 32 * GIB)).isEqualTo(6 * GIB);
        assertThat(HeapAdvice.heap(60 * GIB, 32 * GIB)).isEqualTo(32 * GIB / 10 * 8);
        assertThat(HeapAdvice.heap(-1, 4 * GIB)).isEqualTo(2 * GIB);
        assertThat(HeapEstimate.xmx(6 * GIB + 1)).isEqualTo("7g");
        assertThat(HeapEstimate.xmx(700L << 20)).isEqualTo("700m");
    }

    private static String defaultYaml() throws Exception {
        try (var in = CompareCommand.class.getResourceAsStream(CompareCommand.DEFAULT)) {
            return new String(in.readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    @CommandLine.Command(name = "boom")
    static final class Boom implements Callable<Integer> {
        final Throwable what;

        Boom(Throwable what) {
            this.what = what;
        }

        @Override
        public Integer call() throws Exception {
            if (what instanceof Error e) {
                throw e;
            }
            throw (Exception) what;
        }
    }

    private static CliTest.Outcome boom(Throwable what) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        // Main's command line with an extra subcommand, then its streams and handler over the whole tree.
        CommandLine wired = Main.commandLine();
        wired.addSubcommand("boom", new Boom(what));
        wired.setOut(new PrintWriter(out, true));
        wired.setErr(new PrintWriter(err, true));
        wired.setExecutionExceptionHandler(Main.commandLine().getExecutionExceptionHandler());
        int code = Main.execute(wired, "boom");
        return new CliTest.Outcome(code, out.toString(), err.toString());
    }

    @Test
    void anOutOfMemoryErrorIsAMessageAndExit3NeverATrace() {
        CliTest.Outcome direct = boom(new OutOfMemoryError("Java heap space"));
        assertThat(direct.code()).isEqualTo(3);
        assertThat(direct.err()).contains("out of memory", "FAULTLINE_HEAP=").doesNotContain("\tat ").doesNotContain("    at ");
        // From a worker thread, as compare's pool reports it.
        CliTest.Outcome wrapped = boom(new java.util.concurrent.ExecutionException(new OutOfMemoryError("Java heap space")));
        assertThat(wrapped.code()).isEqualTo(3);
        assertThat(wrapped.err()).contains("out of memory", "FAULTLINE_HEAP=").doesNotContain("    at ");
        CliTest.Outcome other = boom(new IllegalStateException("a bug"));
        assertThat(other.code()).isEqualTo(3);
        assertThat(other.err()).contains("internal error: java.lang.IllegalStateException: a bug", "    at ").doesNotContain("out of memory");
    }
}
