package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A valid scenario without topics runs (the failover canary made it an internal error, exit 3). */
class TopicLessRunTest {
    @Test
    void aClusterWithoutTopicsRunsAndPasses(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("s.yaml"), "name: no-topics\nduration: 5s\ncluster: {mode: oracle, brokers: 3}\n"
                + "faults: [{at: 1s, crash: broker-1, for: 1s}]\n");
        CliTest.Outcome o = CliTest.run("run", f.toString(), "--out", dir.resolve("runs").toString());
        assertThat(o.code()).as(o.out() + o.err()).isZero();
        assertThat(o.out()).contains("no-topics [oracle, seed 1]: PASSED");
    }
}
