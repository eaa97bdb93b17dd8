package dev.faultline.scenarios.fuzz;

import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.spec.Scenario;

/**
 * A failure found by fuzzing.
 *
 * @param seed the generator seed that produced the failing scenario
 * @param signature what failed: the invariant id, or the expectation
 * @param original the generated scenario
 * @param result its run
 */
public record FuzzFailure(long seed, String signature, Scenario original, ScenarioResult result) {

    /** What a run's failure is: the violated invariant, else the first failed expectation; {@code null} when it passed. */
    public static String signatureOf(ScenarioResult r) {
        if (r.violation() != null) {
            return r.violation().invariant();
        }
        for (ScenarioResult.Verdict v : r.expectations()) {
            if (!v.held()) {
                return v.expectation().replaceAll("[^A-Za-z0-9.-]+", "-");
            }
        }
        return null;
    }
}
