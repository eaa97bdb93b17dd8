package dev.faultline.raft.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import org.junit.jupiter.api.Test;

class ElectionExperimentTest {
    private static final long MS = Time.MILLISECOND;

    private static ElectionExperiment.Config paperSetup(long minMs, long maxMs, int seeds) {
        return new ElectionExperiment.Config(5, minMs * MS, maxMs * MS, 75 * MS,
                new LatencyModel.Normal(7_500 * Time.MICROSECOND, 750 * Time.MICROSECOND), 12 * MS, seeds, 1000);
    }

    @Test
    void everyTrialRecoversAndNoSurvivorHearsTheNewLeaderBeforeATimeoutCouldHaveExpired() {
        ElectionExperiment.Result r = ElectionExperiment.run(paperSetup(150, 300, 60));
        assertThat(r.failures()).isZero();
        assertThat(r.recovery().sortedNanos()).hasSize(60);
        // A follower's last heartbeat arrived at most one interval before the crash, so no election
        // can start earlier than (min timeout - heartbeat) after it.
        assertThat(r.recovery().min()).isGreaterThanOrEqualTo(150 * MS - 75 * MS);
        assertThat(r.recovery().median()).isBetween(r.recovery().min(), r.recovery().max());
        assertThat(r.recovery().percentile(90)).isLessThanOrEqualTo(r.recovery().percentile(99));
        assertThat(r.summary()).contains("median").contains("split votes");
    }

    @Test
    void aNarrowTimeoutRangeSplitsMoreVotesThanAWideOne() {
        ElectionExperiment.Result narrow = ElectionExperiment.run(paperSetup(150, 155, 60));
        ElectionExperiment.Result wide = ElectionExperiment.run(paperSetup(150, 300, 60));
        assertThat(narrow.failures()).isZero();
        assertThat(narrow.splitVotes()).isGreaterThan(wide.splitVotes());
    }

    @Test
    void theSameSeedsGiveTheSameDistribution() {
        ElectionExperiment.Result a = ElectionExperiment.run(paperSetup(150, 300, 10));
        ElectionExperiment.Result b = ElectionExperiment.run(paperSetup(150, 300, 10));
        assertThat(a.recovery().sortedNanos()).containsExactly(b.recovery().sortedNanos());
        assertThat(a.splitVotes()).isEqualTo(b.splitVotes());
    }
}
