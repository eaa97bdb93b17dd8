package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.fuzz.Campaign;
import dev.faultline.scenarios.fuzz.ScheduleGenerator;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A campaign that finds only a hazard passes by default and fails under {@code --fail-on hazard}:
 * generator seed 26 is the run in which {@code faultline fuzz --time 45s --workers 1} found the
 * ZooKeeper lost-disk hazard (labelled BUG before violations were classified).
 */
class FuzzFailOnTest {
    @Test
    void aHazardIsCountedApartAndFailsTheCampaignOnlyUnderFailOnHazard(@TempDir Path out) throws Exception {
        Campaign.Options options = new Campaign.Options(ScheduleGenerator.Options.of(null, List.of()), 26, 0, 1, 1, 5 * Time.MINUTE, 1, out, 3);
        Campaign.Summary summary = new Campaign(options, new PrintWriter(new StringWriter())).run();
        assertThat(summary.failedRuns()).isZero();
        assertThat(summary.failures().keySet()).contains("hazard-zk-unclean-shutdown-leader-DP-S1")
                .allSatisfy(sig -> assertThat(sig).startsWith("hazard-"));
        assertThat(summary.occurrences()).containsEntry("hazard-zk-unclean-shutdown-leader-DP-S1", 1L);
        assertThat(FuzzCommand.fails(summary, ViolationClass.BUG)).isFalse();
        assertThat(FuzzCommand.fails(summary, ViolationClass.HAZARD)).isTrue();
        assertThat(FuzzCommand.fails(summary, ViolationClass.EXPECTED)).isTrue();
        Path written = out.resolve("hazard-zk-unclean-shutdown-leader-DP-S1-seed-26");
        assertThat(Files.readString(written.resolve("summary.txt"))).contains("class: HAZARD (KIP-966)");
        assertThat(written.resolve("scenario.yaml")).exists(); // hazards are shrunk like failures
    }

    @Test
    void anUnknownFailOnClassIsABadCommandLine() {
        CliTest.Outcome o = CliTest.run("fuzz", "--runs", "1", "--fail-on", "hazards", "--out", "target/fail-on-test");
        assertThat(o.code()).isEqualTo(Main.BAD_INPUT);
        assertThat(o.err()).contains("--fail-on must be bug, hazard or expected, not 'hazards'");
    }
}
