package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A run stopped by its event budget fails and says so; the same run with room to finish passes. */
class EventBudgetTest {
    @Test
    void aRunStoppedByItsEventBudgetSaysSoAndFails(@TempDir Path dir) throws Exception {
        Path f = Files.writeString(dir.resolve("s.yaml"), RunCommandTest.PASSING);
        CliTest.Outcome stopped = CliTest.run("run", f.toString(), "--max-events", "500", "--out", dir.resolve("a").toString());
        assertThat(stopped.code()).as(stopped.out() + stopped.err()).isEqualTo(1);
        assertThat(stopped.out()).contains("FAILED run reached its duration — stopped by its event budget of 500 events at t=",
                "before the end of the run at 20s");
        CliTest.Outcome finished = CliTest.run("run", f.toString(), "--out", dir.resolve("b").toString());
        assertThat(finished.code()).as(finished.out()).isZero();
        assertThat(finished.out()).doesNotContain("event budget");
        assertThat(CliTest.run("run", f.toString(), "--max-events", "0").err()).contains("--max-events must be at least 1, not 0");
    }
}
