package dev.faultline.scenarios.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Planted-bug rediscovery: with one switch on, the schedule generator (not the known sequence) must
 * produce a run that violates one of the invariants that docs/model.md#planted-bugs names for that
 * bug, within a fixed budget of runs from a fixed first seed — and the same scenario with the
 * switch off must pass, so the finding is the bug's and nothing else's. Prints how many runs it
 * took.
 */
class RediscoveryTest {

    @ParameterizedTest(name = "{0} is rediscovered as one of [{2}] within {3} runs")
    @CsvSource(delimiter = ';', value = {
        "replication.truncateToHighWatermark; ; DP-S1 DP-S2 DP-L3; 40",
        "zab.syncDiffWithoutTrunc; zookeeper; ZK-S3; 40",
        "zkController.allowEmptyIsr; zookeeper; KZ-S4 KZ-L2; 40",
        "raft.commitPriorEpochByCount; kraft; KR-S8 KR-S7 KR-S9 KR-S11 KR-S4; 40",
        "raft.noCheckQuorum; kraft; KR-L2; 40",
        "raft.noPreVote; kraft; KR-L4; 40",
        "zkController.noEpochZkVersionCheck; zookeeper; KZ-S2 KZ-S7 KZ-S3; 80",
        "replication.singleRoundEpochLookup; oracle; DP-S2 DP-L3; 40",
        "kraftController.isrIgnoresBrokerEpoch; kraft; KM-S5 DP-S1; 90",
        // The off-by-one variant and the test switches that revert no historical fix.
        "raft.commitPriorEpochByCount.offByOne; kraft; KR-S8 KR-S7 KR-S9 KR-S11 KR-S4; 40",
        "kraftController.electFencedLeader; kraft; KM-S4; 40",
        // 80: found at seed 63 since the controller reads partition states before each election and
        // OfflineReplica batch, as Kafka does (the timing of controller writes moved).
        "zkBroker.ignoreControllerEpoch; zookeeper; KZ-S6; 80",
        "zkBroker.ignoreControllerDeletion; zookeeper; KZ-L1; 80",
    })
    void theGeneratorFindsThePlantedBug(String bug, String mode, String expected, int budget) {
        Set<String> wanted = Set.of(expected.split(" "));
        Scenario.Mode m = mode == null ? null : Scenario.Mode.parse(mode);
        List<String> seen = new ArrayList<>();
        for (long seed = 1; seed <= budget; seed++) {
            Scenario s = ScheduleGenerator.generate(seed, ScheduleGenerator.Options.of(m, List.of(bug)));
            ScenarioResult r = ScenarioRunner.run(s);
            String signature = FuzzFailure.signatureOf(r);
            if (signature != null && wanted.contains(signature)) {
                // The twin: the same schedule with the switch off must pass, not merely fail
                // differently; a twin that fails at all is a failure of this test (a bug-free run
                // broke an invariant or an expectation, which needs looking at either way).
                Scenario fixed = s.withBugs(List.of());
                ScenarioResult twin = ScenarioRunner.run(fixed);
                assertThat(twin.passed() && twin.violation() == null)
                        .as("%s found as %s with seed %d, but the same schedule with the switch off does not pass: %s", bug, signature,
                                seed, twin.violation() != null ? twin.violation().headline() : String.valueOf(FuzzFailure.signatureOf(twin)))
                        .isTrue();
                System.out.printf("%s rediscovered as %s after %d runs (seed %d); with the switch off: passes%n", bug, signature, seed, seed);
                return;
            }
            if (signature != null) {
                seen.add(signature + "@" + seed);
            }
        }
        assertThat(seen).as("%s not rediscovered as any of %s within %d runs; other failures seen", bug, wanted, budget).isEmpty();
        throw new AssertionError(bug + " was not rediscovered within " + budget + " runs");
    }
}
