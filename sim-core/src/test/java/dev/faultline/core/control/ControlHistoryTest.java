package dev.faultline.core.control;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The unclean-election queries DP-S1 classifies losses with. */
class ControlHistoryTest {

    private static final long SECOND = 1_000_000_000L;

    @Test
    void anAckFromALeaderAnUncleanElectionHadReplacedIsAfterThatElectionInTheLineage() {
        ControlHistory history = new ControlHistory(null);
        history.leaderElected(10 * SECOND, PartitionState.of(1, 2, 1, new int[] {2}, 2), false, "broker-3 fenced");
        history.leaderElected(20 * SECOND, PartitionState.of(1, 3, 2, new int[] {3}, 3), true, "unclean");

        // A stale epoch-0 or epoch-1 leader acknowledging at 21 s was already replaced by the epoch-2 election.
        assertThat(history.uncleanElectionSince(1, 21 * SECOND)).isFalse();
        assertThat(history.uncleanElectionAfterEpoch(1, 0)).isTrue();
        assertThat(history.uncleanElectionAfterEpoch(1, 1)).isTrue();
        // The unclean leader's own epoch and later ones are not covered, nor are other partitions or unknown epochs.
        assertThat(history.uncleanElectionAfterEpoch(1, 2)).isFalse();
        assertThat(history.uncleanElectionAfterEpoch(1, 3)).isFalse();
        assertThat(history.uncleanElectionAfterEpoch(0, 0)).isFalse();
        assertThat(history.uncleanElectionAfterEpoch(1, -1)).isFalse();
    }

    @Test
    void cleanElectionsNeverExemptAnEpoch() {
        ControlHistory history = new ControlHistory(null);
        history.leaderElected(10 * SECOND, PartitionState.of(1, 2, 5, new int[] {2}, 2), false, "broker-3 fenced");

        assertThat(history.uncleanElectionAfterEpoch(1, 0)).isFalse();
        assertThat(history.everUnclean(1)).isFalse();
    }
}
