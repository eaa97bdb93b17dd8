package dev.faultline.scenarios.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every library scenario runs in its own mode and meets its expectations; a second run gives the same fingerprint. */
class LibraryRunTest {
    static Stream<Path> files() throws Exception {
        return LibraryFilesTest.files();
    }

    @ParameterizedTest
    @MethodSource("files")
    void meetsItsExpectationsDeterministically(Path file) throws Exception {
        Scenario s = ScenarioLoader.load(file);
        ScenarioResult r = ScenarioRunner.run(s);
        assertThat(r.passed()).as(r.summary()).isTrue();
        ScenarioResult again = ScenarioRunner.run(s);
        assertThat(again.fingerprint()).isEqualTo(r.fingerprint());
        assertThat(again.events()).isEqualTo(r.events());
    }
}
