package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.spec.ScenarioLoader;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code validate} and {@code run} judge every file on its own: a bad file, or an internal error
 * while reading one, never stops the others, and the exit code is the worst verdict. The two
 * inputs that crashed {@code validate} with a NumberFormatException (issue 12) are among them.
 */
class PerFileVerdictsTest {
    static final String GOOD = "name: good\ncluster: {mode: oracle, brokers: 3}\n";
    /** Crashed ScenarioLoader.cluster: a broker number too large for an int in a broker-config key. */
    static final String BROKER_CONFIG_CRASH = "name: a\ncluster:\n  mode: oracle\n  brokers: 3\n  broker-config:\n"
            + "    broker-99999999999999999999: {min.insync.replicas: 2}\n";
    /** Crashed Targets.check: a partition number too large for an int inside leader-of(T-P). */
    static final String LEADER_OF_CRASH = "name: b\ncluster: {mode: oracle, brokers: 3}\ntopics: [{name: t, partitions: 2, replication.factor: 3}]\n"
            + "faults: [{at: 1s, crash: leader-of(t-99999999999999999999)}]\n";

    private static Path write(Path dir, String name, String text) throws Exception {
        Path f = dir.resolve(name);
        Files.writeString(f, text);
        return f;
    }

    @Test
    void theTwoNumberFormatCrashesAreReportedAsBadInputAndValidateGoesOnToTheNextFile(@TempDir Path dir) throws Exception {
        Path a = write(dir, "a.yaml", BROKER_CONFIG_CRASH);
        Path b = write(dir, "b.yaml", LEADER_OF_CRASH);
        Path good = write(dir, "good.yaml", GOOD);
        CliTest.Outcome o = CliTest.run("validate", a.toString(), b.toString(), good.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains(a + ":6:5: 'broker-config' keys are brokers broker-1..broker-3, not 'broker-99999999999999999999'")
                .contains(b + ":4:26: 'leader-of(t-99999999999999999999)': topic t has partitions 0..1")
                .doesNotContain("internal error").doesNotContain("Exception");
        assertThat(o.out()).contains(good + ": ok", "3 files: 1 ok, 2 invalid");
    }

    @Test
    void anInternalErrorInOneFileIsThatFilesVerdictAndTheOthersAreStillChecked(@TempDir Path dir) throws Exception {
        Path bad = write(dir, "bad.yaml", "name: bad\n");
        Path boom = write(dir, "boom.yaml", GOOD);
        Path good = write(dir, "good.yaml", GOOD);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        ValidateCommand validate = cl.getSubcommands().get("validate").getCommand();
        // Stands in for a bug not found yet: reading boom.yaml throws.
        validate.loader = f -> {
            if (f.equals(boom)) {
                throw new IllegalStateException("a bug not found yet");
            }
            return ScenarioLoader.load(f);
        };
        int code = cl.execute("validate", boom.toString(), bad.toString(), good.toString());
        assertThat(code).as("the worst verdict: internal error").isEqualTo(3);
        assertThat(err.toString()).contains(boom + ": internal error: java.lang.IllegalStateException: a bug not found yet")
                .contains(bad + ":1:1: missing 'cluster'");
        assertThat(out.toString()).contains(good + ": ok", "3 files: 1 ok, 1 invalid, 1 internal error");
    }

    @Test
    void runRunsEveryValidFileReportsTheInvalidOnesAndExitsWithTheWorstVerdict(@TempDir Path dir) throws Exception {
        String passing = RunCommandTest.PASSING;
        Path first = write(dir, "first.yaml", passing);
        Path bad = write(dir, "bad.yaml", "name: bad\ncluster: {mode: oracle, brokers: 3}\nfaults: [{at: 1s, crash: broker-7}]\n");
        Path second = write(dir, "second.yaml", passing.replace("name: oracle-crash", "name: second").replace("seed: 3", "seed: 4"));
        Path runs = dir.resolve("runs");
        CliTest.Outcome o = CliTest.run("run", first.toString(), bad.toString(), second.toString(), "--out", runs.toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains(bad + ":3:26: unknown target 'broker-7'");
        assertThat(o.out()).contains("oracle-crash [oracle, seed 3]: PASSED", "second [oracle, seed 4]: PASSED", "3 files: 2 passed, 1 invalid");
        assertThat(runs.resolve("oracle-crash-3/result.json")).exists();
        assertThat(runs.resolve("second-4/result.json")).exists();
    }

    @Test
    void anInternalErrorInOneRunDoesNotStopTheNextRun(@TempDir Path dir) throws Exception {
        Path boom = write(dir, "boom.yaml", RunCommandTest.PASSING);
        Path next = write(dir, "next.yaml", RunCommandTest.PASSING.replace("name: oracle-crash", "name: next"));
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        CommandLine cl = Main.commandLine(new PrintWriter(out, true), new PrintWriter(err, true));
        RunCommand run = cl.getSubcommands().get("run").getCommand();
        run.loader = f -> {
            if (f.equals(boom)) {
                throw new StackOverflowError();
            }
            return ScenarioLoader.load(f);
        };
        int code = cl.execute("run", boom.toString(), next.toString(), "--out", dir.resolve("runs").toString());
        assertThat(code).isEqualTo(3);
        assertThat(err.toString()).contains(boom + ": internal error: java.lang.StackOverflowError");
        assertThat(out.toString()).contains("next [oracle, seed 3]: PASSED", "2 files: 1 passed, 1 internal error");
    }
}
