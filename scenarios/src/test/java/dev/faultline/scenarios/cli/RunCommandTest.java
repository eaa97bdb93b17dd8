package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class RunCommandTest {
    static final String PASSING = String.join("\n",
            "name: oracle-crash",
            "description: a leader crashes on the oracle plane",
            "seed: 3",
            "duration: 20s",
            "cluster: {mode: oracle, brokers: 3}",
            "topics: [{name: t, partitions: 2, replication.factor: 3}]",
            "workload: [{producer: {topic: t, rate: 50/s, acks: all}}]",
            "faults: [{at: 5s, crash: {target: leader-of(t-0)}, for: 5s}]",
            "expect: [no-violations, no-data-loss, {all-partitions-led-within: 2s}]",
            "");

    @Test
    void aPassingRunExitsZeroWritesItsRunDirectoryAndIsDeterministic(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, PASSING);
        CliTest.Outcome o = CliTest.run("run", f.toString(), "--out", dir.resolve("runs").toString(), "--twice",
                "--trace", dir.resolve("trace.jsonl").toString());
        assertThat(o.code()).as(o.out() + o.err()).isZero();
        assertThat(o.out()).contains("oracle-crash [oracle, seed 3]: PASSED", "(same)");
        Path run = dir.resolve("runs/oracle-crash-3");
        assertThat(run.resolve("scenario.yaml")).exists();
        assertThat(Files.readString(run.resolve("result.json"))).contains("\"passed\" : true", "\"fingerprint\"");
        assertThat(Files.readString(run.resolve("report.html"))).contains("<svg");
        assertThat(Files.lines(dir.resolve("trace.jsonl")).count()).isGreaterThan(100);
    }

    @Test
    void theSameFileAndSeedGiveTheSameFingerprintInASecondJvm(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, PASSING);
        CliTest.Outcome here = CliTest.run("run", f.toString(), "--out", dir.resolve("a").toString());
        String javaBin = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        Process p = new ProcessBuilder(javaBin, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "run", f.toString(), "--out",
                dir.resolve("b").toString()).redirectErrorStream(true).start();
        String there = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8);
        assertThat(p.waitFor()).as(there).isZero();
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("fingerprint ([0-9a-f]{16})").matcher(here.out());
        assertThat(m.find()).isTrue();
        assertThat(there).contains("fingerprint " + m.group(1));
    }

    @Test
    void aFailedExpectationExitsOneAndPrintsTheReplayCommand(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.yaml");
        // Nobody can lead a single-replica partition whose only broker is down: the expectation fails.
        Files.writeString(f, PASSING.replace("replication.factor: 3", "replication.factor: 1")
                .replace("for: 5s", "for: 10s").replace("{all-partitions-led-within: 2s}", "{controller-elected-within: 1s}"));
        CliTest.Outcome o = CliTest.run("run", f.toString(), "--out", dir.resolve("runs").toString(), "--seed", "9");
        assertThat(o.code()).isEqualTo(1);
        assertThat(o.out()).contains("FAILED", "replay: ./faultline run " + f + " --seed 9 --mode oracle");
    }

    @Test
    void aMalformedFileExitsTwoWithLocations(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("bad.yaml");
        Files.writeString(f, "name: bad\ncluster: {mode: oracle, brokers: 3}\nfaults:\n  - {at: 1s, crash: {target: broker-7}}\n");
        CliTest.Outcome o = CliTest.run("run", f.toString(), "--out", dir.resolve("runs").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains(f + ":4:").contains("unknown target 'broker-7'");
        assertThat(dir.resolve("runs")).doesNotExist();
    }

    @Test
    void aModeOverrideIsValidatedAgain(@TempDir Path dir) throws Exception {
        Path f = dir.resolve("s.yaml");
        Files.writeString(f, PASSING.replace("leader-of(t-0)", "zk-leader").replace("mode: oracle", "mode: zookeeper"));
        CliTest.Outcome o = CliTest.run("run", f.toString(), "--mode", "oracle", "--out", dir.resolve("runs").toString());
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("(as --mode oracle)", "unknown target 'zk-leader'");
    }
}
