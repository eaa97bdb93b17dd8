package dev.faultline.scenarios.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.spec.FaultSpec;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import dev.faultline.scenarios.spec.ScenarioWriter;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScheduleGeneratorTest {
    @Test
    void generatedScenariosAreValidDeterministicAndEndInAHealAndQuiescePhase() throws Exception {
        for (Scenario.Mode mode : Scenario.Mode.values()) {
            for (long seed = 0; seed < 100; seed++) {
                Scenario s = ScheduleGenerator.generate(seed, ScheduleGenerator.Options.of(mode, List.of()));
                assertThat(ScheduleGenerator.generate(seed, ScheduleGenerator.Options.of(mode, List.of()))).isEqualTo(s);
                Scenario again = ScenarioLoader.parse("generated-" + seed + ".yaml", ScenarioWriter.write(s));
                assertThat(again).isEqualTo(s);
                Scenario.FaultEntry last = s.faults().get(s.faults().size() - 1);
                assertThat(last.fault()).isEqualTo(new FaultSpec.NodeFault(FaultSpec.NodeAction.RECOVER, List.of("all")));
                assertThat(s.durationNanos() - last.atNanos()).isGreaterThanOrEqualTo(30_000_000_000L);
                long lastEnd = 0;
                for (Scenario.FaultEntry f : s.faults()) {
                    lastEnd = Math.max(lastEnd, f.atNanos() + f.forNanos());
                }
                assertThat(s.durationNanos()).isGreaterThan(lastEnd);
            }
        }
    }

    @Test
    void shrinkerKeepsOnlyWhatTheFailureNeeds() {
        Scenario s = ScheduleGenerator.generate(7, ScheduleGenerator.Options.of(Scenario.Mode.KRAFT, List.of()));
        assertThat(s.faults().size()).isGreaterThan(4);
        Scenario.FaultEntry culprit = s.faults().get(2);
        // A stand-in failure: the run "fails" while the culprit fault is present.
        List<Scenario> tried = new ArrayList<>();
        Shrinker shrinker = new Shrinker(c -> {
            tried.add(c);
            return c.faults().stream().anyMatch(f -> f.fault().equals(culprit.fault()) && f.atNanos() == culprit.atNanos());
        }, 500);
        Scenario small = shrinker.shrink(s);
        assertThat(small.faults()).hasSize(1);
        assertThat(small.faults().get(0).fault()).isEqualTo(culprit.fault());
        assertThat(small.durationNanos()).isLessThanOrEqualTo(s.durationNanos());
        assertThat(small.cluster().brokers()).isLessThanOrEqualTo(s.cluster().brokers());
        assertThat(shrinker.runs()).isEqualTo(tried.size()).isLessThan(500);
    }
}
