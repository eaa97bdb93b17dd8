package dev.faultline.scenarios.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import dev.faultline.scenarios.spec.ScenarioWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every scenario in the library is valid, named after its file, and round-trips through the writer. */
class LibraryFilesTest {
    static final Path LIBRARY = Path.of("library");

    static Stream<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(LIBRARY)) {
            List<Path> l = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(l).hasSizeGreaterThanOrEqualTo(15);
            return l.stream();
        }
    }

    static Stream<Path> findings() throws IOException {
        try (Stream<Path> s = Files.list(Path.of("findings"))) {
            return s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList().stream();
        }
    }

    /** Open findings and known hazards (scenarios/findings/) stay replayable as the format evolves. */
    @ParameterizedTest
    @MethodSource("findings")
    void findingsStayValid(Path file) throws Exception {
        Scenario s = ScenarioLoader.load(file);
        assertThat(s.name() + ".yaml").isEqualTo(file.getFileName().toString());
    }

    @ParameterizedTest
    @MethodSource("files")
    void isValidAndRoundTrips(Path file) throws Exception {
        Scenario s = ScenarioLoader.load(file);
        assertThat(s.name() + ".yaml").isEqualTo(file.getFileName().toString());
        assertThat(s.description()).isNotBlank();
        assertThat(ScenarioLoader.parse("written", ScenarioWriter.write(s))).isEqualTo(s);
    }
}
