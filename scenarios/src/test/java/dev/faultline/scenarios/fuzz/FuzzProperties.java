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
        holds(ScheduleGenerator.Options.of(mode, List.of()), seed);
    }

    private static void holds(ScheduleGenerator.Options options, long seed) {
        Scenario s = ScheduleGenerator.generate(seed, options);
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

    @Property(tries = 10, seed = "20261125")
    void zookeeperModeKeepsEveryInvariantWithoutPowerFailures(@ForAll @LongRange(min = 0, max = 1L << 40) long seed) {
        // Power losses are left out here: ZooKeeper-mode Kafka cannot tell a broker that restarted
        // after losing its unflushed log from one that kept it, so a controller may keep it as leader
        // and committed records are lost (DP-S1). That is Kafka's own hazard (KIP-966 fixed it for
        // KRaft only); `faultline fuzz --mode zookeeper` finds it.
        holds(ScheduleGenerator.Options.of(Scenario.Mode.ZOOKEEPER, List.of()).withoutPowerFailures(), seed);
    }
}
