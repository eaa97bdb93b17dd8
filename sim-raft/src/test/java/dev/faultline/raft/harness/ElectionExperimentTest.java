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
        // Upper bounds from the timer definitions, not from the implementation's output. A survivor's
        // election timer was last reset by a heartbeat that arrived before the crash, so the first of
        // the 4 survivors times out at most maxTimeout after the crash; the election then needs at
        // most a pre-vote and a vote round trip and one BeginQuorumEpoch, 5 one-way delays of at most
        // oneWayBound (12 ms) each. A trial without a split vote cannot take longer.
        long noSplitBound = 300 * MS + 5 * 12 * MS;
        long beyond = r.recovery().sortedNanos().length - java.util.Arrays.stream(r.recovery().sortedNanos()).filter(n -> n <= noSplitBound).count();
        assertThat(beyond).as("trials slower than maxTimeout + 5 one-way bounds").isLessThanOrEqualTo(r.trialsWithSplitVotes());
        // The first of 4 timers drawn uniformly from [150, 300] ms fires before
        // 150 + 150 * (1 - 0.25^(1/4)) = 194 ms with probability 3/4, so the median of 60 trials lies
        // below 194 ms + 5 one-way bounds unless fewer than half of 60 draws with p = 3/4 succeed
        // (probability about 1e-5): an independent bound on the median.
        double q75 = 150 + 150 * (1 - Math.pow(0.25, 0.25));
        assertThat(r.recovery().median()).isLessThanOrEqualTo((long) (q75 * MS) + 5 * 12 * MS);
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
