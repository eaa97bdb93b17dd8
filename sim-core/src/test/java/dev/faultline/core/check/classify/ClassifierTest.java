package dev.faultline.core.check.classify;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.catalog.InvariantCatalog;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Each classification rule applies where its invariant, mode and evidence all match, and a twin that
 * lacks one of them is a BUG. The runs in which each rule fires are in the scenarios module
 * ({@code HazardClassificationTest}) and the library's hazard scenarios.
 */
class ClassifierTest {
    @Test
    void aViolationWithoutEvidenceIsABugInEveryMode() {
        for (String mode : List.of("zookeeper", "kraft", "oracle")) {
            assertThat(Classifier.classify("DP-S1", List.of(), mode)).isEqualTo(Classifier.NO_RULE);
            assertThat(Classifier.classify("KR-S1", List.of(), mode).violationClass()).isEqualTo(ViolationClass.BUG);
        }
    }

    @Test
    void anUncleanElectionIsExpectedForDpS1AndDpS3InEveryModeButExcusesNothingElse() {
        for (String mode : List.of("zookeeper", "kraft", "oracle")) {
            assertThat(rule("DP-S1", List.of(Evidence.UNCLEAN_ELECTION), mode)).isEqualTo("unclean-election");
            assertThat(rule("DP-S3", List.of(Evidence.UNCLEAN_ELECTION), mode)).isEqualTo("unclean-election");
            assertThat(Classifier.classify("DP-S2", List.of(Evidence.UNCLEAN_ELECTION), mode)).isEqualTo(Classifier.NO_RULE);
        }
        assertThat(Classifier.classify("DP-S1", List.of(Evidence.UNCLEAN_ELECTION), "kraft").violationClass()).isEqualTo(ViolationClass.EXPECTED);
    }

    @Test
    void theLastInSyncCopyLostOutsideTheProtocolIsExpected() {
        assertThat(Classifier.classify("DP-S1", List.of(Evidence.LAST_COPY_LOST_OUTSIDE_PROTOCOL), "kraft").violationClass())
                .isEqualTo(ViolationClass.EXPECTED);
        assertThat(rule("DP-S3", List.of(Evidence.LAST_COPY_LOST_OUTSIDE_PROTOCOL), "zookeeper")).isEqualTo("last-in-sync-copy-lost");
        // twin: the same evidence does not excuse a divergence below both high watermarks
        assertThat(Classifier.classify("DP-S2", List.of(Evidence.LAST_COPY_LOST_OUTSIDE_PROTOCOL), "kraft")).isEqualTo(Classifier.NO_RULE);
    }

    @Test
    void aLeaderThatLostDataBeforeTakingOverIsAZooKeeperHazardOnly() {
        List<Evidence> lost = List.of(Evidence.LEADER_LOST_DATA_BEFORE_TAKEOVER);
        Classification zk = Classifier.classify("DP-S1", lost, "zookeeper");
        assertThat(zk.violationClass()).isEqualTo(ViolationClass.HAZARD);
        assertThat(zk.rule()).isEqualTo("zk-unclean-shutdown-leader");
        assertThat(zk.reference()).isEqualTo("KIP-966");
        // twins: KRaft refuses a second registration while the old session is valid and fences, which
        // removes the broker from the ISR unless it is the last member; other ISR members held the data
        assertThat(Classifier.classify("DP-S1", lost, "kraft")).isEqualTo(Classifier.NO_RULE);
        assertThat(Classifier.classify("DP-S1", lost, "oracle")).isEqualTo(Classifier.NO_RULE);
        assertThat(Classifier.classify("DP-S3", lost, "kraft")).isEqualTo(Classifier.NO_RULE);
    }

    @Test
    void theSoleIsrMemberThatLostDataAndTookOverIsAKraftHazardForDpS3() {
        List<Evidence> sole = List.of(Evidence.LEADER_LOST_DATA_BEFORE_TAKEOVER, Evidence.SOLE_IN_SYNC_REPLICA);
        assertThat(rule("DP-S3", sole, "kraft")).isEqualTo("unclean-shutdown-last-isr-member");
        assertThat(Classifier.classify("DP-S3", sole, "kraft").violationClass()).isEqualTo(ViolationClass.HAZARD);
        // twins: SOLE_IN_SYNC_REPLICA alone is no loss, and DP-S1 with this evidence in KRaft stays a BUG
        assertThat(Classifier.classify("DP-S3", List.of(Evidence.SOLE_IN_SYNC_REPLICA), "kraft")).isEqualTo(Classifier.NO_RULE);
        assertThat(Classifier.classify("DP-S1", sole, "kraft")).isEqualTo(Classifier.NO_RULE);
        // in ZooKeeper mode the broader ZooKeeper rule covers it
        assertThat(rule("DP-S3", sole, "zookeeper")).isEqualTo("zk-unclean-shutdown-leader");
    }

    @Test
    void everyRuleIsNamedOnceCoversCataloguedIdsAndNamesItsReference() {
        Set<String> names = new HashSet<>();
        for (Classifier.Rule r : Classifier.rules()) {
            assertThat(names.add(r.name())).as(r.name()).isTrue();
            assertThat(r.name()).matches("[a-z0-9-]+");
            assertThat(r.violationClass()).isNotEqualTo(ViolationClass.BUG);
            assertThat(r.requires()).isNotEmpty();
            assertThat(r.invariants()).allSatisfy(id -> assertThat(InvariantCatalog.standard().contains(id)).as(id).isTrue());
            assertThat(r.modes()).isSubsetOf("zookeeper", "kraft", "oracle");
            if (r.violationClass() == ViolationClass.HAZARD) {
                assertThat(r.reference()).as(r.name()).containsPattern("\\b(KIP|KAFKA|ZOOKEEPER)-[0-9]+\\b");
            } else {
                assertThat(r.reference()).as(r.name()).isNotBlank();
            }
        }
    }

    @Test
    void failOnThresholds() {
        assertThat(ViolationClass.BUG.failsUnder(ViolationClass.BUG)).isTrue();
        assertThat(ViolationClass.HAZARD.failsUnder(ViolationClass.BUG)).isFalse();
        assertThat(ViolationClass.EXPECTED.failsUnder(ViolationClass.BUG)).isFalse();
        assertThat(ViolationClass.HAZARD.failsUnder(ViolationClass.HAZARD)).isTrue();
        assertThat(ViolationClass.EXPECTED.failsUnder(ViolationClass.HAZARD)).isFalse();
        assertThat(ViolationClass.BUG.failsUnder(ViolationClass.EXPECTED)).isTrue();
        assertThat(ViolationClass.EXPECTED.failsUnder(ViolationClass.EXPECTED)).isTrue();
        assertThat(ViolationClass.parse("Hazard")).isEqualTo(ViolationClass.HAZARD);
        assertThat(ViolationClass.parse("hazards")).isNull();
    }

    private static String rule(String invariant, List<Evidence> evidence, String mode) {
        return Classifier.classify(invariant, evidence, mode).rule();
    }
}
