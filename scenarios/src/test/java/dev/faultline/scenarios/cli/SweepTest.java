package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The partition sweep of {@code faultline compare}: phase time against partition count, shards
 * that merge into the same report one machine writes, and the refusals of {@code merge} and
 * {@code --shard}.
 */
class SweepTest {
    private static final String[] SWEEP = {"compare", "--partitions", "60,240", "--seeds", "2", "--modes", "oracle,kraft"};

    private static CliTest.Outcome run(String[] base, String... more) {
        String[] args = new String[base.length + more.length];
        System.arraycopy(base, 0, args, 0, base.length);
        System.arraycopy(more, 0, args, base.length, more.length);
        return CliTest.run(args);
    }

    @Test
    void shardsMergedGiveTheSameTablesAndReportAsOneMachine(@TempDir Path dir) throws Exception {
        CliTest.Outcome all = run(SWEEP, "--out", dir.resolve("all").toString());
        assertThat(all.code()).as(all.out() + all.err()).isZero();
        assertThat(all.out()).contains("broker failure at 40s: median by partitions").containsPattern("metric +mode +60 +240");
        CliTest.Outcome s0 = run(SWEEP, "--shard", "0/3", "--out", dir.resolve("s0").toString());
        CliTest.Outcome s1 = run(SWEEP, "--shard", "1/3", "--out", dir.resolve("s1").toString());
        CliTest.Outcome s2 = run(SWEEP, "--shard", "2/3", "--out", dir.resolve("s2").toString());
        assertThat(s0.out()).contains("shard 0/3: 3 of the sweep's 8 runs");
        assertThat(s1.out()).contains("shard 1/3: 3 of the sweep's 8 runs");
        assertThat(s2.out()).contains("shard 2/3: 2 of the sweep's 8 runs");
        assertThat(dir.resolve("s0/report.html")).doesNotExist();
        CliTest.Outcome merged = CliTest.run("merge", dir.resolve("s2").toString(), dir.resolve("s0").toString(), dir.resolve("s1").toString(),
                "--out", dir.resolve("merged").toString());
        assertThat(merged.code()).as(merged.out() + merged.err()).isZero();
        for (String f : List.of("comparison.csv", "comparison.json", "report.html", "runs.json")) {
            assertThat(Files.readString(dir.resolve("merged").resolve(f))).as(f).isEqualTo(Files.readString(dir.resolve("all").resolve(f)));
        }
        assertThat(Files.readString(dir.resolve("merged/report.html"))).contains("Against partitions");
        assertThat(dir.resolve("merged/scenarios/default-comparison-240-kraft.yaml")).exists();
        // The tables printed are the same too (only the wall-time line differs).
        assertThat(merged.out().replaceAll("(?m)^(merged|wrote|wall time).*\\n", ""))
                .isEqualTo(all.out().replaceAll("(?m)^(merged|wrote|wall time).*\\n", ""));
    }

    @Test
    void mergeRefusesMissingDuplicateAndForeignShards(@TempDir Path dir) {
        String[] small = {"compare", "--partitions", "30,60", "--seeds", "1", "--modes", "oracle"};
        assertThat(run(small, "--shard", "0/2", "--out", dir.resolve("a0").toString()).code()).isZero();
        assertThat(run(small, "--shard", "1/2", "--out", dir.resolve("a1").toString()).code()).isZero();
        assertThat(run(new String[] {"compare", "--partitions", "30,60", "--seeds", "2", "--modes", "oracle"}, "--shard", "1/2", "--out",
                dir.resolve("b1").toString()).code()).isZero();
        String out = dir.resolve("m").toString();
        CliTest.Outcome missing = CliTest.run("merge", dir.resolve("a0").toString(), "--out", out);
        assertThat(missing.code()).isEqualTo(2);
        assertThat(missing.err()).contains("1 of the sweep's 2 runs are missing (runs [1])");
        CliTest.Outcome twice = CliTest.run("merge", dir.resolve("a0").toString(), dir.resolve("a0").toString(), "--out", out);
        assertThat(twice.code()).isEqualTo(2);
        assertThat(twice.err()).contains("run 0 is in both");
        CliTest.Outcome foreign = CliTest.run("merge", dir.resolve("a0").toString(), dir.resolve("b1").toString(), "--out", out);
        assertThat(foreign.code()).isEqualTo(2);
        assertThat(foreign.err()).contains("is from another sweep");
        CliTest.Outcome empty = CliTest.run("merge", dir.toString(), "--out", out);
        assertThat(empty.code()).isEqualTo(2);
        assertThat(empty.err()).contains("holds no runs.json");
        assertThat(Path.of(out)).doesNotExist();
        CliTest.Outcome ok = CliTest.run("merge", dir.resolve("a1").toString(), dir.resolve("a0").toString(), "--out", out);
        assertThat(ok.code()).as(ok.err()).isZero();
    }

    @Test
    void badShardsAndPresetsAreBadInput(@TempDir Path dir) {
        for (String shard : List.of("1/1", "2/2", "-1/3", "a/b", "3", "0/0", "1/2/3", "0/10001")) {
            CliTest.Outcome o = CliTest.run("compare", "--shard", shard, "--out", dir.resolve("x").toString());
            assertThat(o.code()).as(shard).isEqualTo(2);
            assertThat(o.err()).contains("--shard takes i/n with 0 <= i < n");
        }
        CliTest.Outcome preset = CliTest.run("compare", "--preset", "kip500", "--out", dir.resolve("x").toString());
        assertThat(preset.code()).isEqualTo(2);
        assertThat(preset.err()).contains("unknown preset 'kip500'", "did you mean 'kip-500'");
        CliTest.Outcome both = CliTest.run("compare", "some.yaml", "--preset", "kip-500", "--out", dir.resolve("x").toString());
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("either scenario files or --preset");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void aRunTooBigForTheHeapIsRefusedBeforeItStartsWithWhatItNeeds(@TempDir Path dir) {
        CliTest.Outcome o = CliTest.run("compare", "--partitions", "10m", "--modes", "kraft", "--seeds", "1", "--out", dir.resolve("x").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).containsPattern("needs about [0-9.]+ GiB of heap; this JVM has [0-9.]+ (GiB|MiB)")
                .contains("FAULTLINE_HEAP=").doesNotContain("OutOfMemoryError").doesNotContain("\tat ");
        assertThat(dir.resolve("x")).doesNotExist();
    }

    @Test
    void aFailedRunPrintsACommandThatReplaysItFromTheScenarioWritten(@TempDir Path dir) throws Exception {
        // failovers-complete cannot hold: the scenario ends 2 s after its broker crash.
        Path f = dir.resolve("short.yaml");
        Files.writeString(f, "name: short\nduration: 12s\ncluster: {mode: kraft, brokers: 3}\n"
                + "topics:\n  - {name: t, partitions: 6, replication.factor: 3}\n"
                + "faults:\n  - {at: 10s, crash: {target: leader-of(t-0)}}\nexpect: [failovers-complete]\n");
        CliTest.Outcome o = CliTest.run("compare", f.toString(), "--modes", "kraft", "--seeds", "2", "--out", dir.resolve("out").toString());
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.out()).contains("runs: 2 (2 failed an expectation; 2 with incomplete measurements: kraft 2)");
        Matcher m = Pattern.compile("failed: short kraft seed 2: FAILED failovers-complete .* replay: ./faultline run (\\S+) --seed 2").matcher(o.out());
        assertThat(m.find()).as(o.out()).isTrue();
        ScenarioResult again = ScenarioRunner.run(ScenarioLoader.load(Path.of(m.group(1))).withSeed(2));
        assertThat(again.passed()).isFalse();
        assertThat(again.summary()).contains("FAILED failovers-complete");
    }

    @Test
    void progressSaysRunsDoneAndTheVirtualTimeEachRunningRunReached() throws Exception {
        StringWriter text = new StringWriter();
        PrintWriter w = new PrintWriter(text, true);
        try (SweepProgress p = new SweepProgress(w, "compare", 3, false, 20 * dev.faultline.core.kernel.Time.MILLISECOND)) {
            SweepProgress.Slot done = p.begin(0, "kraft seed 1");
            p.end(done);
            SweepProgress.Slot s = p.begin(1, "zookeeper 100000 partitions seed 2");
            s.simulatedNanos.set(84_123_456_789L);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (!text.toString().contains("84.123s") && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
        assertThat(text.toString()).contains("compare: 1/3 runs done; running zookeeper 100000 partitions seed 2 at 84.123s simulated")
                .doesNotContain("\r");
    }
}
