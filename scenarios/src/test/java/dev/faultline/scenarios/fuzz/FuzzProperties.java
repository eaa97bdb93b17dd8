package dev.faultline.scenarios.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioWriter;
import java.util.List;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.LongRange;

/**
 * With every planted bug off, generated fault schedules never break a safety invariant, and after
 * the heal-and-quiesce phase the liveness checks hold. jqwik supplies the seeds (printed on
 * failure); the generator is the same one {@code faultline fuzz} uses. A failure message carries the
 * scenario as YAML, ready for {@code faultline run}.
 */
class FuzzProperties {

    private static void holds(Scenario.Mode mode, long seed) {
        Scenario s = ScheduleGenerator.generate(seed, ScheduleGenerator.Options.of(mode, List.of()));
        ScenarioResult r = ScenarioRunner.run(s);
        assertThat(r.passed()).as("seed %d failed:%n%s%n--- scenario ---%n%s", seed, r.summary(), ScenarioWriter.write(s)).isTrue();
    }

    @Property(tries = 12, seed = "20261125")
    void oracleModeKeepsEveryInvariant(@ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        holds(Scenario.Mode.ORACLE, seed);
    }

    @Property(tries = 12, seed = "20261125")
    void kraftModeKeepsEveryInvariant(@ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        holds(Scenario.Mode.KRAFT, seed);
    }
}
