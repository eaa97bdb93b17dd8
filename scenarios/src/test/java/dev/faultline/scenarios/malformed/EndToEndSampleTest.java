package dev.faultline.scenarios.malformed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.cli.Main;
import dev.faultline.scenarios.malformed.Mutations.Case;
import dev.faultline.scenarios.malformed.Mutations.Seed;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A sample of the malformed-input suite through real {@code faultline validate} processes, so that
 * the exit codes and streams are proven end to end (the suite itself runs in one JVM for speed):
 * one process gets about 150 files at once, good and bad, and must judge each of them and exit 2;
 * a second gets only the valid ones and must exit 0.
 */
class EndToEndSampleTest {
    record Result(int code, String out, String err) {
    }

    static Result validate(List<Path> files) throws Exception {
        String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
        List<String> cmd = new ArrayList<>(List.of(java, "-cp", System.getProperty("java.class.path"), Main.class.getName(), "validate"));
        for (Path f : files) {
            cmd.add(f.toString());
        }
        Path errFile = Files.createTempFile("validate", ".err");
        Process p = new ProcessBuilder(cmd).redirectError(errFile.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(p.waitFor(120, TimeUnit.SECONDS)).isTrue();
        String err = Files.readString(errFile);
        Files.delete(errFile);
        return new Result(p.exitValue(), out, err);
    }

    @Test
    void aSampleOfTheSuiteInOneRealProcessGetsOneVerdictPerFileAndExitsWithTheWorst(@TempDir Path dir) throws Exception {
        Mutations m = new Mutations(MalformedInputSuiteTest.SEED);
        for (Seed s : MalformedInputSuiteTest.seeds()) {
            m.mutate(s);
        }
        List<Case> sample = new ArrayList<>();
        List<Case> all = m.cases();
        for (int i = 0; i < all.size(); i += Math.max(1, all.size() / 140)) {
            sample.add(all.get(i));
        }
        sample.addAll(MalformedInputSuiteTest.regressions());
        for (Case c : GlobalCases.all()) {
            if (c.special() != Mutations.Special.FILE || c.bytes().length < 100_000) {
                sample.add(c);
            }
        }
        Contract writer = new Contract(dir.resolve("unused"));
        List<Path> files = new ArrayList<>();
        for (Case c : sample) {
            files.add(writer.materialize(c, dir));
        }
        Result r = validate(files);
        assertThat(r.code()).as(r.err()).isEqualTo(2);
        assertThat(r.out() + r.err()).doesNotContain("internal error").doesNotContain("Exception").doesNotContainPattern("(?m)^\\s+at ");
        List<Path> valid = new ArrayList<>();
        for (Path f : files) {
            boolean ok = r.out().contains(f + ": ok\n");
            boolean located = r.err().matches("(?s).*(^|\n)" + java.util.regex.Pattern.quote(f.toString()) + ":[1-9]\\d*:[1-9]\\d*: .*");
            assertThat(ok ^ located).as(f + " has exactly one verdict").isTrue();
            if (ok) {
                valid.add(f);
            }
        }
        assertThat(valid).hasSizeBetween(5, files.size() - 50);
        assertThat(r.out()).contains(files.size() + " files: " + valid.size() + " ok, " + (files.size() - valid.size()) + " invalid");

        Result ok = validate(valid);
        assertThat(ok.code()).as(ok.err()).isZero();
        assertThat(ok.err()).isEmpty();
    }
}
