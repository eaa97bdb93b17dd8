package dev.faultline.scenarios.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.classify.Classifier;
import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.scenarios.fuzz.FuzzFailure;
import dev.faultline.scenarios.spec.Expectation;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Each classification rule in a real run (docs/invariants.md#classification): the run records the
 * case with its class and goes on, and a twin where the rule must not apply, the same faults with a
 * planted bug or in another mode, stays a BUG or has nothing to classify.
 */
class HazardClassificationTest {
    private static final Path ZK_LOST_DISK = Path.of("library/known-hazard-zookeeper-lost-disk-controller-crash.yaml");
    private static final Path KRAFT_LOST_DISK = Path.of("library/known-hazard-kraft-lost-disk-seed-462.yaml");

    @Test
    void aZooKeeperBrokerElectedWithTheLogItLostIsAHazardAndTheRunGoesOn() throws Exception {
        ScenarioResult r = ScenarioRunner.run(ScenarioLoader.load(ZK_LOST_DISK));
        assertThat(r.violation()).as(r.summary()).isNull();
        assertThat(r.excused()).extracting(c -> c.violation().invariant() + " " + c.classification().label())
                .containsExactly("DP-S1 HAZARD (zk-unclean-shutdown-leader, KIP-966)", "DP-S3 HAZARD (zk-unclean-shutdown-leader, KIP-966)");
        assertThat(r.losses()).isNotEmpty().allSatisfy(l -> assertThat(l.classification()).isEqualTo(ViolationClass.HAZARD));
        assertThat(FuzzFailure.signatureOf(r)).isNull();
        assertThat(FuzzFailure.excusedSignatures(r)).containsExactly("hazard-zk-unclean-shutdown-leader-DP-S1",
                "hazard-zk-unclean-shutdown-leader-DP-S3");
        assertThat(r.passed()).isTrue();
    }

    @Test
    void theSameLostDiskRunWithAPlantedReplicationBugStopsOnABug() throws Exception {
        Scenario s = ScenarioLoader.load(ZK_LOST_DISK);
        ScenarioResult r = ScenarioRunner.run(s.withBugs(List.of("replication.truncateToHighWatermark")));
        assertThat(r.violation()).as(r.summary()).isNotNull();
        assertThat(r.violation().invariant()).isEqualTo("DP-S2");
        assertThat(r.classification()).isEqualTo(Classifier.NO_RULE);
        assertThat(FuzzFailure.signatureOf(r)).isEqualTo("DP-S2");
        assertThat(r.passed()).isFalse();
    }

    @Test
    void theSameFaultsInKraftAndOracleModeLoseNothing() throws Exception {
        Scenario s = ScenarioLoader.load(ZK_LOST_DISK).withExpectations(List.of(new Expectation.NoViolations()));
        for (Scenario.Mode m : List.of(Scenario.Mode.KRAFT, Scenario.Mode.ORACLE)) {
            ScenarioResult r = ScenarioRunner.run(s.withMode(m));
            assertThat(r.violation()).as(r.summary()).isNull();
            assertThat(r.excused()).as(r.summary()).isEmpty();
            assertThat(r.losses()).isEmpty();
        }
    }

    @Test
    void aKraftSoleIsrMemberElectedWithTheLogItLostIsAHazard() throws Exception {
        ScenarioResult r = ScenarioRunner.run(ScenarioLoader.load(KRAFT_LOST_DISK));
        assertThat(r.violation()).as(r.summary()).isNull();
        assertThat(r.excused()).extracting(c -> c.violation().invariant() + " " + c.classification().label())
                .containsExactly("DP-S3 HAZARD (unclean-shutdown-last-isr-member, KIP-966)");
        assertThat(r.passed()).isTrue();
    }

    @Test
    void theSameKraftLostDiskRunWithAControllerThatElectsFencedLeadersStopsOnABug() throws Exception {
        ScenarioResult r = ScenarioRunner.run(ScenarioLoader.load(KRAFT_LOST_DISK).withBugs(List.of("kraftController.electFencedLeader")));
        assertThat(r.violation()).as(r.summary()).isNotNull();
        assertThat(r.violation().invariant()).isEqualTo("KM-S4");
        assertThat(r.classification().violationClass()).isEqualTo(ViolationClass.BUG);
        assertThat(r.passed()).isFalse();
    }

    @Test
    void lossesTheConfigurationPermitsAreExpectedAndAPlantedLossStaysABug() throws Exception {
        ScenarioResult unclean = ScenarioRunner.run(ScenarioLoader.load(Path.of("library/unclean-election-loss.yaml")));
        assertThat(unclean.excused()).extracting(c -> c.classification().rule()).contains("unclean-election");
        assertThat(unclean.classes()).containsOnly(ViolationClass.EXPECTED);
        ScenarioResult power = ScenarioRunner.run(ScenarioLoader.load(Path.of("library/power-loss-all-replicas.yaml")));
        assertThat(power.excused()).extracting(c -> c.classification().rule()).contains("last-in-sync-copy-lost");
        assertThat(power.classes()).containsOnly(ViolationClass.EXPECTED);
        ScenarioResult planted = ScenarioRunner.run(ScenarioLoader.load(Path.of("library/pb-rep-1-kip101-scenario-1.yaml")));
        assertThat(planted.violation().invariant()).isEqualTo("DP-S1");
        assertThat(planted.classification()).isEqualTo(Classifier.NO_RULE);
        assertThat(planted.excused()).isEmpty();
    }
}
