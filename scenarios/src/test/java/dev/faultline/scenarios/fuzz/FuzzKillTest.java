package dev.faultline.scenarios.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.cli.Main;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of a real {@code faultline fuzz} process loses nothing: the failure it had
 * reported is on disk whole and replays; started again with the same {@code --seed} and
 * {@code --out}, the campaign finishes the cut-off shrinking, writes no failure twice, and goes on
 * from the first run that had not finished. The planted bug {@code kraftController.electFencedLeader}
 * fails KM-S4 on the first seed, so the whole test takes a few seconds.
 */
class FuzzKillTest {
    static final String BUG = "kraftController.electFencedLeader";

    private static Process fuzz(Path out, Path stdout, long runs) throws IOException {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        return new ProcessBuilder(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "fuzz", "--plant", BUG, "--workers", "1",
                "--seed", "1", "--runs", Long.toString(runs), "--out", out.toString()).redirectOutput(stdout.toFile()).start();
    }

    /** Reads the process's error stream until a line matches; returns that line. */
    private static String awaitLine(Process p, Predicate<String> wanted, List<String> seen) throws IOException {
        BufferedReader err = new BufferedReader(new InputStreamReader(p.getErrorStream(), StandardCharsets.UTF_8));
        for (String line; (line = err.readLine()) != null; ) {
            seen.add(line);
            if (wanted.test(line)) {
                return line;
            }
        }
        throw new AssertionError("the process ended without the line; it printed: " + seen);
    }

    private static void killNine(Process p) throws InterruptedException {
        p.destroyForcibly(); // SIGKILL: no shutdown hook, no finally block runs
        assertThat(p.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as("killed by SIGKILL").isEqualTo(128 + 9);
    }

    private static List<String> visible(Path out) throws IOException {
        try (Stream<Path> s = Files.list(out)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    private static long nextRun(Path out) {
        try {
            Matcher m = Pattern.compile("next-run: (\\d+)").matcher(Files.readString(out.resolve("campaign.txt")));
            return m.find() ? Long.parseLong(m.group(1)) : -1;
        } catch (IOException e) {
            return -1;
        }
    }

    @Test
    void killMinusNineLosesNoFailureAndTheRestartedCampaignContinuesWithoutDuplicates(@TempDir Path dir) throws Exception {
        Path out = dir.resolve("fuzz");
        List<String> log = new ArrayList<>();

        // 1. Killed while it shrinks the failure it has just reported.
        // The first two are killed long before their thousand runs.
        Process first = fuzz(out, dir.resolve("first.out"), 1000);
        String found = awaitLine(first, l -> l.startsWith("found KM-S4 with seed "), log);
        killNine(first);
        long seed = Long.parseLong(found.replaceAll("found KM-S4 with seed (\\d+).*", "$1"));
        Path finding = out.resolve("KM-S4-seed-" + seed);
        assertThat(visible(out)).filteredOn(n -> !n.startsWith(".")).contains(finding.getFileName().toString())
                .allMatch(n -> n.equals("campaign.txt") || n.matches(".+-seed-\\d+"));
        String summary = Files.readString(finding.resolve("summary.txt"));
        Matcher replay = Pattern.compile("replay: ./faultline run (\\S+)").matcher(summary);
        assertThat(replay.find()).as(summary).isTrue();
        Scenario replayed = ScenarioLoader.load(Path.of(replay.group(1)));
        assertThat(FuzzFailure.signatureOf(ScenarioRunner.run(replayed))).as("the reported failure replays").isEqualTo("KM-S4");
        assertThat(ScenarioLoader.load(finding.resolve("original.yaml"))).isNotNull();

        // 2. Started again: it finishes the shrinking; killed again once runs have finished and been recorded.
        Process second = fuzz(out, dir.resolve("second.out"), 1000);
        assertThat(awaitLine(second, l -> l.startsWith("continuing the campaign in "), log)).contains("failures written before: KM-S4");
        awaitLine(second, l -> l.startsWith("  KM-S4: shrunk from"), log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (nextRun(out) < 2 && second.isAlive() && System.nanoTime() < deadline) {
            Thread.sleep(20);
        }
        long recorded = nextRun(out);
        assertThat(recorded).as("runs recorded as finished before the second kill").isBetween(2L, 1000L);
        killNine(second);
        assertThat(finding.resolve("scenario.yaml")).as("the shrinking cut off by the first kill was finished").exists();
        assertThat(ScenarioLoader.load(finding.resolve("scenario.yaml"))).isNotNull();

        // 3. Started once more, it runs to the end from where the second left off; KM-S4 is written once.
        long last = nextRun(out) + 2;
        Process third = fuzz(out, dir.resolve("third.out"), last);
        third.getErrorStream().transferTo(java.io.OutputStream.nullOutputStream());
        assertThat(third.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String stdout = Files.readString(dir.resolve("third.out"));
        assertThat(third.exitValue()).as(stdout).isEqualTo(1);
        Matcher from = Pattern.compile("continued from run (\\d+)").matcher(stdout);
        assertThat(from.find()).as(stdout).isTrue();
        assertThat(Long.parseLong(from.group(1))).isBetween(recorded, last - 2);
        assertThat(stdout).contains("failure KM-S4: found before the restart (seed " + seed + ")");
        assertThat(visible(out)).as("nothing half-written left").allMatch(n -> n.equals("campaign.txt") || n.matches("[A-Za-z0-9.-]+-seed-\\d+"));
        assertThat(visible(out)).as("KM-S4 written once").filteredOn(n -> n.startsWith("KM-S4-")).containsExactly("KM-S4-seed-" + seed);
        try (Stream<Path> s = Files.list(finding)) {
            assertThat(s.map(p -> p.getFileName().toString()).sorted()).containsExactly("original.yaml", "scenario.yaml", "summary.txt");
        }
        assertThat(nextRun(out)).isEqualTo(last);
        assertThat(Files.readString(finding.resolve("summary.txt"))).contains("replay: ./faultline run " + finding.resolve("scenario.yaml"))
                .doesNotContain("not finished");
    }
}
