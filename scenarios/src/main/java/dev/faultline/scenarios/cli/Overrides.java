package dev.faultline.scenarios.cli;

import dev.faultline.scenarios.spec.Problem;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioException;
import dev.faultline.scenarios.spec.ScenarioLoader;
import dev.faultline.scenarios.spec.ScenarioWriter;
import java.util.List;

/** Applies {@code --seed} and {@code --mode} to a loaded scenario, and validates it again in the new mode. */
final class Overrides {
    private Overrides() {
    }

    static Scenario apply(Scenario s, String file, Long seed, String mode) throws ScenarioException {
        return apply(s, file, seed, mode, null);
    }

    /** With {@code version} ({@code null}: the scenario's own), checked again with the mode (ZooKeeper mode runs 3.9 only). */
    static Scenario apply(Scenario s, String file, Long seed, String mode, dev.faultline.core.mode.KafkaVersion version) throws ScenarioException {
        Scenario out = s;
        if (seed != null) {
            out = out.withSeed(seed);
        }
        if (version != null && version != s.cluster().version()) {
            out = out.withVersion(version);
            if (mode == null || Scenario.Mode.parse(mode) == s.cluster().mode()) {
                out = ScenarioLoader.parse(file + " (as version " + version.text() + ")", ScenarioWriter.write(out));
            }
        }
        if (mode != null) {
            Scenario.Mode m = Scenario.Mode.parse(mode);
            if (m == null) {
                throw new ScenarioException(List.of(new Problem(file, 1, 1, "--mode '" + mode + "' is not a mode; valid: kraft, zookeeper, oracle")));
            }
            if (m != s.cluster().mode()) {
                out = out.withMode(m);
                try {
                    // Targets and settings valid in one mode may not be in another: check again.
                    out = ScenarioLoader.parse(file + " (as --mode " + mode + (version != null ? " version " + version.text() : "") + ")",
                            ScenarioWriter.write(out));
                } catch (ScenarioException e) {
                    throw e;
                }
            }
        }
        return out;
    }
}
