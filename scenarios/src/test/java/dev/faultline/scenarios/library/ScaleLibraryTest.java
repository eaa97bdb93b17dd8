package dev.faultline.scenarios.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import dev.faultline.scenarios.spec.ScenarioWriter;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The scale scenarios ({@code scenarios/library/scale/}: KIP-500 at 2,000,000 partitions and the
 * cluster shapes, also the presets of {@code faultline compare --preset}) are too big to run in the
 * test suite as written (./bench and compare run them). Here each is valid and round-trips, and runs
 * scaled down (240 partitions, at most 6 brokers) in both ZooKeeper and KRaft mode, meeting its
 * expectations: its faults, targets and expectations work in both modes.
 */
class ScaleLibraryTest {
    static final Path SCALE = Path.of("library", "scale");

    static Stream<Path> files() throws IOException {
        try (Stream<Path> s = Files.list(SCALE)) {
            List<Path> l = s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList();
            assertThat(l).hasSizeGreaterThanOrEqualTo(5);
            return l.stream();
        }
    }

    @ParameterizedTest
    @MethodSource("files")
    void isValidRoundTripsAndRunsScaledDownInBothModes(Path file) throws Exception {
        Scenario s = ScenarioLoader.load(file);
        assertThat(s.name() + ".yaml").isEqualTo(file.getFileName().toString());
        assertThat(s.description()).isNotBlank();
        assertThat(ScenarioLoader.parse("written", ScenarioWriter.write(s))).isEqualTo(s);
        assertThat(s.adaptive()).as("scale scenarios adapt their timing to the cluster").isNotNull();
        for (Scenario.Mode mode : List.of(Scenario.Mode.ZOOKEEPER, Scenario.Mode.KRAFT)) {
            Scenario small = scaledDown(s, mode);
            ScenarioResult r = ScenarioRunner.run(small);
            assertThat(r.passed()).as(mode + ": " + r.summary()).isTrue();
            assertThat(r.incomplete()).isEmpty();
        }
    }


    /** The scenario with 240 partitions over its topics and at most 6 brokers, in {@code mode} (validated again). */
    static Scenario scaledDown(Scenario s, Scenario.Mode mode) throws Exception {
        Scenario.Cluster c = s.cluster();
        Scenario.Cluster smaller = new Scenario.Cluster(c.mode(), Math.min(6, c.brokers()), c.racks(), c.controllers(), c.combined(), c.zookeeper(),
                c.config(), c.network(), c.brokerConfig(), c.warmStart(), c.version());
        List<Scenario.Topic> topics = new ArrayList<>();
        for (Scenario.Topic t : s.topics()) {
            topics.add(new Scenario.Topic(t.name(), 240 / s.topics().size(), t.replicationFactor(), t.config(), t.createAtNanos()));
        }
        // At most 5 minutes of virtual time: a run that never completes its failovers ends there instead of at the hour of the written size.
        Scenario.Adaptive adaptive = new Scenario.Adaptive(s.adaptive().marginNanos(), Math.min(s.adaptive().limitNanos(), 300 * dev.faultline.core.kernel.Time.SECOND));
        Scenario out = new Scenario(s.name(), s.description(), s.seed(), s.durationNanos(), smaller, topics, s.workload(), s.faults(),
                s.expectations(), s.bugs(), adaptive).withMode(mode);
        return ScenarioLoader.parse(s.name() + " in " + mode.yamlName(), ScenarioWriter.write(out));
    }
}
