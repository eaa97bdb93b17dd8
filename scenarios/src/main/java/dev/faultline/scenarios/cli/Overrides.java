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
        Scenario out = s;
        if (seed != null) {
            out = out.withSeed(seed);
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
                    out = ScenarioLoader.parse(file + " (as --mode " + mode + ")", ScenarioWriter.write(out));
                } catch (ScenarioException e) {
                    throw e;
                }
            }
        }
        return out;
    }
}
