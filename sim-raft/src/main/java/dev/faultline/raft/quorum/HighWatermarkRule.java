package dev.faultline.raft.quorum;

import java.util.Arrays;

/** The leader's high-watermark decision ({@code LeaderState.maybeUpdateHighWatermark}), as a pure function. */
public final class HighWatermarkRule {
    private HighWatermarkRule() {
    }

    /**
     * The new high watermark, or {@code currentHighWatermark} when it does not move.
     *
     * @param voterEndOffsets each voter's acknowledged end offset (the leader's flushed end
     *     included); sorted in place
     * @param epochStartOffset where this leader's epoch begins (its {@code LeaderChangeMessage})
     * @param currentHighWatermark the current HW, -1 if none in this epoch
     */
    public static long maybeAdvance(long[] voterEndOffsets, long epochStartOffset, long currentHighWatermark,
                                    PlantedBugs.CommitRule rule) {
        Arrays.sort(voterEndOffsets);
        // Descending index floor(n/2) is ascending index n - 1 - floor(n/2): the largest offset a majority has.
        long majorityOffset = voterEndOffsets[voterEndOffsets.length - 1 - voterEndOffsets.length / 2];
        boolean allowed;
        switch (rule) {
            case CURRENT_EPOCH: allowed = majorityOffset > epochStartOffset; break;
            case OFF_BY_ONE: allowed = majorityOffset >= epochStartOffset; break;
            default: allowed = true; break;
        }
        return allowed && majorityOffset > currentHighWatermark ? majorityOffset : currentHighWatermark;
    }
}
