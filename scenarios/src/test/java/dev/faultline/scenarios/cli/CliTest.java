package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class CliTest {
    /** Runs the command line; returns exit code, stdout and stderr. */
    record Outcome(int code, String out, String err) {
    }

    static Outcome run(String... args) {
        CommandLine cl = Main.commandLine();
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        cl.setOut(new PrintWriter(out, true));
        cl.setErr(new PrintWriter(err, true));
        int code = cl.execute(args);
        return new Outcome(code, out.toString(), err.toString());
    }

    @Test
    void validateAcceptsAGoodFileAndRejectsABadOneWithLocationsAndExitCode2(@TempDir Path dir) throws Exception {
        Path good = dir.resolve("good.yaml");
        Files.writeString(good, "name: good\ncluster: {mode: oracle, brokers: 3}\n");
        Path bad = dir.resolve("bad.yaml");
        Files.writeString(bad, "name: bad\ncluster:\n  mode: oracle\n  brokrs: 3\n");
        Outcome ok = run("validate", good.toString());
        assertThat(ok.code()).isZero();
        assertThat(ok.out()).contains("good.yaml: ok");
        Outcome fail = run("validate", good.toString(), bad.toString());
        assertThat(fail.code()).isEqualTo(2);
        assertThat(fail.err()).contains(bad + ":4:3: unknown key 'brokrs'").doesNotContain("Exception").doesNotContain("\tat ");
    }

    @Test
    void unknownOptionsAreBadInput() {
        Outcome o = run("validate", "--frobnicate");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.err()).contains("Usage: faultline validate");
    }
}
