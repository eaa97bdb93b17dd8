package dev.faultline.scenarios.cli;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.catalog.CatalogMarkdown;
import dev.faultline.core.check.catalog.InvariantCatalog;
import org.junit.jupiter.api.Test;

/** {@code faultline invariants}: the catalogue as a list, one entry in full, or markdown. */
class InvariantsCommandTest {
    @Test
    void listsEveryCataloguedIdOnItsOwnLineWithASummary() {
        CliTest.Outcome o = CliTest.run("invariants");
        assertThat(o.code()).isZero();
        assertThat(o.err()).isEmpty();
        InvariantCatalog catalog = InvariantCatalog.standard();
        String[] lines = o.out().split("\n");
        assertThat(lines[0]).startsWith("ID ").contains("KIND", "MODULE", "PROVEN BY", "TITLE");
        for (int i = 0; i < catalog.ids().size(); i++) {
            assertThat(lines[i + 1]).startsWith(catalog.ids().get(i) + " ");
        }
        assertThat(o.out()).containsPattern("(?m)^DP-S1 +safety +sim-core +planted bug, library scenario +No acknowledged write is lost$");
        assertThat(o.out()).containsPattern("(?m)^KM-S7 +safety +sim-raft +planted bug +No false fencing$");
        assertThat(lines[catalog.ids().size() + 1]).startsWith(catalog.ids().size() + " invariants (").contains("with no test that makes them fire: KM-S6");
    }

    @Test
    void showsAnEntryInFull() {
        CliTest.Outcome o = CliTest.run("invariants", "DP-S1", "kr-l4");
        assertThat(o.code()).isZero();
        assertThat(o.out()).startsWith("DP-S1: No acknowledged write is lost\n  safety, checked in sim-core\n")
                .contains("  exemptions:\n    EXPECTED: the unclean election that made the new leader")
                .contains("    planted bug: PlantedBugScenariosTest#kip101Scenario1LosesACommittedRecordWhenFollowersTruncateToTheirHighWatermark (sim-core)")
                .contains("    library scenario: scenarios/library/pb-rep-1-kip101-scenario-1.yaml")
                .contains("\n\nKR-L4: Stable leadership (opt-in)\n  liveness, checked in sim-raft\n");
        assertThat(CliTest.run("invariants", "KM-S6").out()).endsWith("  proven by:\n    none yet\n");
    }

    @Test
    void anUnknownIdIsBadInputWithASuggestion() {
        CliTest.Outcome o = CliTest.run("invariants", "DP-S8");
        assertThat(o.code()).isEqualTo(2);
        assertThat(o.out()).isEmpty();
        assertThat(o.err()).isEqualTo("faultline invariants: unknown invariant 'DP-S8' (did you mean 'DP-S1'?); 'faultline invariants' lists them\n");
    }

    @Test
    void markdownIsTheGeneratedDocument() {
        CliTest.Outcome o = CliTest.run("invariants", "--markdown");
        assertThat(o.code()).isZero();
        assertThat(o.out()).isEqualTo(CatalogMarkdown.render(InvariantCatalog.standard())).startsWith("# Invariants\n");
        CliTest.Outcome both = CliTest.run("invariants", "--markdown", "DP-S1");
        assertThat(both.code()).isEqualTo(2);
        assertThat(both.err()).contains("give no ids with it");
    }

    @Test
    void theTopLevelHelpNamesTheCommand() {
        assertThat(CliTest.run("--help").out()).containsPattern("(?m)^\\s+invariants\\s+List the invariants");
    }
}
