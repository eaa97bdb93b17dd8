package dev.faultline.raft.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.quorum.PlantedBugs.CommitRule;
import org.junit.jupiter.api.Test;

class PureRulesTest {
    private static final long MS = Time.MILLISECOND;

    @Test
    void highWatermarkIsTheLargestOffsetAMajorityHasAndOnlyPastTheEpochStart() {
        // Five voters at 4, 4, 3, 0, 0: a majority has 3.
        assertThat(HighWatermarkRule.maybeAdvance(new long[] {4, 0, 3, 4, 0}, 2, -1, CommitRule.CURRENT_EPOCH)).isEqualTo(3);
        // Figure 8: the majority offset equals epochStartOffset, so nothing commits...
        assertThat(HighWatermarkRule.maybeAdvance(new long[] {4, 4, 3, 0, 0}, 3, -1, CommitRule.CURRENT_EPOCH)).isEqualTo(-1);
        // ...unless the rule is the off-by-one (KAFKA-12619) or counts prior-epoch entries.
        assertThat(HighWatermarkRule.maybeAdvance(new long[] {4, 4, 3, 0, 0}, 3, -1, CommitRule.OFF_BY_ONE)).isEqualTo(3);
        assertThat(HighWatermarkRule.maybeAdvance(new long[] {4, 4, 2, 0, 0}, 3, -1, CommitRule.PRIOR_EPOCH_BY_COUNT)).isEqualTo(2);
        assertThat(HighWatermarkRule.maybeAdvance(new long[] {4, 4, 2, 0, 0}, 3, -1, CommitRule.OFF_BY_ONE)).isEqualTo(-1);
        // Never backwards.
        assertThat(HighWatermarkRule.maybeAdvance(new long[] {5, 5, 5}, 1, 7, CommitRule.CURRENT_EPOCH)).isEqualTo(7);
    }

    @Test
    void binaryExponentialBackoffStaysWithinItsSlotsAndTheCap() {
        SimRandom random = new SimRandom(3);
        for (int i = 0; i < 200; i++) {
            long first = ElectionBackoff.binaryExponential(1, 100 * MS, 1000 * MS, random);
            assertThat(first).isIn(0L, 100 * MS);
            long later = ElectionBackoff.binaryExponential(5, 100 * MS, 1000 * MS, random);
            assertThat(later).isBetween(0L, 1000 * MS);
            assertThat(later % (100 * MS)).isZero();
        }
        assertThatThrownBy(() -> ElectionBackoff.binaryExponential(0, 1, 1, random)).isInstanceOf(IllegalArgumentException.class);
    }

    @Test
    void strictExponentialBackoffRanksPreferredSuccessors() {
        long max = 1000 * MS;
        assertThat(ElectionBackoff.strictExponential(0, 4, max)).isZero();
        assertThat(ElectionBackoff.strictExponential(1, 4, max)).isEqualTo(max >> 3);
        assertThat(ElectionBackoff.strictExponential(2, 4, max)).isEqualTo((max >> 3) << 1);
        assertThat(ElectionBackoff.strictExponential(3, 4, max)).isEqualTo((max >> 3) << 2);
        assertThat(ElectionBackoff.strictExponential(-1, 4, max)).isEqualTo(max);
    }

    @Test
    void theEpochCacheAnswersEndOffsetForEpochAndFollowsTruncation() {
        RaftLog log = new RaftLog(new MetadataLogFile());
        log.append(1, true, 0, null, 19, true);   // 0
        log.append(1, false, 10, null, 19, true); // 1
        log.append(3, true, 0, null, 19, true);   // 2
        log.append(3, false, 11, null, 19, true); // 3
        log.append(4, true, 0, null, 19, true);   // 4
        assertThat(log.endOffsetForEpoch(1)).isEqualTo(new RaftLog.OffsetAndEpoch(2, 1));
        assertThat(log.endOffsetForEpoch(2)).isEqualTo(new RaftLog.OffsetAndEpoch(2, 1));
        assertThat(log.endOffsetForEpoch(3)).isEqualTo(new RaftLog.OffsetAndEpoch(4, 3));
        assertThat(log.endOffsetForEpoch(9)).isEqualTo(new RaftLog.OffsetAndEpoch(5, 4));
        assertThat(log.endOffsetForEpoch(0)).isEqualTo(new RaftLog.OffsetAndEpoch(0, 0));
        log.truncateTo(3);
        assertThat(log.lastEpoch()).isEqualTo(3);
        assertThat(log.endOffsetForEpoch(9)).isEqualTo(new RaftLog.OffsetAndEpoch(3, 3));
        assertThatThrownBy(() -> log.append(2, false, 1, null, 19, true)).isInstanceOf(IllegalStateException.class);
        // Rebuilt from the durable entries, the cache is the same.
        RaftLog reopened = new RaftLog(log.durable());
        assertThat(reopened.endOffsetForEpoch(2)).isEqualTo(log.endOffsetForEpoch(2));
        assertThat(reopened.chainBefore(3)).isEqualTo(log.chainBefore(3));
    }

    @Test
    void chainHashesDifferWhenAnyEarlierEntryDiffers() {
        RaftLog a = new RaftLog(new MetadataLogFile());
        RaftLog b = new RaftLog(new MetadataLogFile());
        a.append(1, false, 5, null, 19, true);
        b.append(1, false, 6, null, 19, true);
        a.append(2, false, 7, null, 19, true);
        b.append(2, false, 7, null, 19, true);
        assertThat(a.get(1).chainHash()).isNotEqualTo(b.get(1).chainHash());
    }
}
