package dev.faultline.core.determinism;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.trace.RunResult;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class DeterminismTest {

    @Test
    void sameSeedGivesSameFingerprintTwiceInOneJvm() {
        RunResult a = RandomWorkload.run(42, 8, 2_000_000_000L);
        RunResult b = RandomWorkload.run(42, 8, 2_000_000_000L);
        assertThat(a.events()).isGreaterThan(1_000);
        assertThat(b.fingerprint()).isEqualTo(a.fingerprint());
        assertThat(b.events()).isEqualTo(a.events());
    }

    @Test
    void differentSeedsGiveDifferentFingerprints() {
        long[] fps = new long[5];
        for (int i = 0; i < fps.length; i++) {
            fps[i] = RandomWorkload.run(1000 + i, 8, 1_000_000_000L).fingerprint();
        }
        assertThat(fps).doesNotHaveDuplicates();
    }

    @Test
    void sameSeedGivesSameFingerprintInASecondJvm() throws IOException, InterruptedException {
        RunResult here = RandomWorkload.run(7, 6, 1_500_000_000L);
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        ProcessBuilder pb = new ProcessBuilder(List.of(java, "-cp", System.getProperty("java.class.path"),
                RandomWorkload.class.getName(), "7", "6", "1500"));
        pb.redirectErrorStream(true);
        Process p = pb.start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8).trim();
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        assertThat(p.exitValue()).as(out).isZero();
        assertThat(out).isEqualTo(here.fingerprintHex() + " " + here.events());
    }
}
