package dev.faultline.core.control;

import static org.assertj.core.api.Assertions.assertThat;

import it.unimi.dsi.fastutil.ints.IntList;
import java.util.Set;
import java.util.function.IntPredicate;
import org.junit.jupiter.api.Test;

class LeaderElectionTest {
    private static IntPredicate live(Integer... ids) {
        Set<Integer> set = Set.of(ids);
        return set::contains;
    }

    @Test
    void cleanElectionPicksFirstLiveIsrMemberInAssignmentOrderNotIsrOrder() {
        var e = LeaderElection.offlinePartition(new int[] {1, 2, 3}, IntList.of(3, 2), live(2, 3), false);
        assertThat(e).isEqualTo(new LeaderElection.Election(2, false));
    }

    @Test
    void noLiveIsrMemberAndUncleanDisabledGivesNoLeader() {
        var e = LeaderElection.offlinePartition(new int[] {1, 2, 3}, IntList.of(1), live(2, 3), false);
        assertThat(e.elected()).isFalse();
    }

    @Test
    void uncleanFallbackPicksFirstLiveReplicaAndIsFlagged() {
        var e = LeaderElection.offlinePartition(new int[] {1, 2, 3}, IntList.of(1), live(3, 2), true);
        assertThat(e).isEqualTo(new LeaderElection.Election(2, true));
        assertThat(LeaderElection.isrAfterElection(e, IntList.of(1), live(2, 3)).toIntArray()).containsExactly(2);
    }

    @Test
    void uncleanEnabledStillPrefersIsr() {
        var e = LeaderElection.offlinePartition(new int[] {1, 2, 3}, IntList.of(1, 3), live(2, 3), true);
        assertThat(e).isEqualTo(new LeaderElection.Election(3, false));
        assertThat(LeaderElection.isrAfterElection(e, IntList.of(1, 3), live(2, 3)).toIntArray()).containsExactly(3);
    }

    @Test
    void lastIsrMemberIsNeverRemoved() {
        assertThat(LeaderElection.isrWithout(IntList.of(1, 2), 2).toIntArray()).containsExactly(1);
        assertThat(LeaderElection.isrWithout(IntList.of(1), 1).toIntArray()).containsExactly(1);
    }

    @Test
    void controlledShutdownSkipsTheBrokerShuttingDown() {
        var e = LeaderElection.controlledShutdown(new int[] {1, 2, 3}, IntList.of(1, 2, 3), live(1, 2, 3), b -> b == 1);
        assertThat(e.leader()).isEqualTo(2);
        assertThat(LeaderElection.preferredReplica(new int[] {1, 2, 3}, IntList.of(2, 3), live(1, 2, 3)).elected()).isFalse();
    }

    @Test
    void controlledShutdownDropsShuttingDownBrokersFromTheIsr() {
        var e = LeaderElection.controlledShutdown(new int[] {1, 2, 3}, IntList.of(1, 2, 3), live(1, 2, 3), b -> b == 1);
        assertThat(LeaderElection.isrAfterControlledShutdown(e, IntList.of(1, 2, 3), b -> b == 1).toIntArray()).containsExactly(2, 3);
    }

    @Test
    void controlledShutdownElectsNobodyWhenOnlyShuttingDownOrDeadBrokersAreInSync() {
        var e = LeaderElection.controlledShutdown(new int[] {1, 2, 3}, IntList.of(1, 3), live(1, 2), b -> b == 1);
        assertThat(e.elected()).isFalse();
        assertThat(LeaderElection.isrAfterControlledShutdown(e, IntList.of(1, 3), b -> b == 1).toIntArray()).containsExactly(1, 3);
    }
}
