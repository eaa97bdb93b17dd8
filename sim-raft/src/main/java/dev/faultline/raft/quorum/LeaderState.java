package dev.faultline.raft.quorum;

import java.util.Arrays;

/**
 * Leads this epoch: tracks each voter's acknowledged end offset and last fetch time, and computes
 * the high watermark with the current-epoch commit rule ({@link HighWatermarkRule}). Observers'
 * offsets never count.
 */
public final class LeaderState implements EpochState {
    private final int epoch;
    private final int selfId;
    private final int[] voters;
    private final long epochStartOffset;
    private final long[] ackedEndOffsets;
    private final long[] lastFetchNanos;
    private final long[] scratch;
    private final long floorHighWatermark;
    private long highWatermark = -1;

    /**
     * @param floorHighWatermark the HW this node already knew as a follower; a new HW must exceed
     *     it (always true under the correct rule, where a new HW exceeds {@code epochStartOffset})
     */
    LeaderState(int epoch, int selfId, int[] voters, long epochStartOffset, long floorHighWatermark, long nowNanos) {
        this.floorHighWatermark = floorHighWatermark;
        this.epoch = epoch;
        this.selfId = selfId;
        this.voters = voters;
        this.epochStartOffset = epochStartOffset;
        this.ackedEndOffsets = new long[voters.length];
        this.lastFetchNanos = new long[voters.length];
        this.scratch = new long[voters.length];
        Arrays.fill(lastFetchNanos, nowNanos);
    }

    @Override
    public int epoch() {
        return epoch;
    }

    @Override
    public ElectionState election() {
        return new ElectionState(epoch, selfId, selfId);
    }

    @Override
    public Kind kind() {
        return Kind.LEADER;
    }

    /** The leader's log end when elected: where its {@code LeaderChangeMessage} sits. */
    public long epochStartOffset() {
        return epochStartOffset;
    }

    /** The high watermark in this epoch, -1 until the first commit of the epoch. */
    public long highWatermark() {
        return highWatermark;
    }

    int voterPosition(int nodeId) {
        return Arrays.binarySearch(voters, nodeId);
    }

    /**
     * Records a voter's acknowledged end offset (a Fetch from it, or the leader's own flush) and
     * returns whether the high watermark advanced.
     */
    boolean updateEndOffset(int nodeId, long endOffset, long nowNanos, PlantedBugs.CommitRule rule) {
        int p = voterPosition(nodeId);
        if (p < 0) {
            return false;
        }
        ackedEndOffsets[p] = endOffset;
        lastFetchNanos[p] = nowNanos;
        System.arraycopy(ackedEndOffsets, 0, scratch, 0, scratch.length);
        long current = Math.max(highWatermark, floorHighWatermark);
        long hw = HighWatermarkRule.maybeAdvance(scratch, epochStartOffset, current, rule);
        if (hw != current) {
            highWatermark = hw;
            return true;
        }
        return false;
    }

    /** A voter's FetchSnapshot: counts as a fetch for check-quorum (its log end is unknown meanwhile). */
    void recordFetch(int nodeId, long nowNanos) {
        int p = voterPosition(nodeId);
        if (p >= 0) {
            lastFetchNanos[p] = nowNanos;
        }
    }

    /**
     * Check-quorum: the earliest time at which the majority's fetches are older than
     * {@code timeoutNanos}, i.e. the {@code (majority)}-th most recent fetch time plus the timeout.
     */
    long checkQuorumDeadline(long nowNanos, long timeoutNanos) {
        lastFetchNanos[voterPosition(selfId)] = nowNanos;
        System.arraycopy(lastFetchNanos, 0, scratch, 0, scratch.length);
        Arrays.sort(scratch);
        int majority = voters.length / 2 + 1;
        return scratch[scratch.length - majority] + timeoutNanos;
    }

    /** Voters other than the leader, most caught up first (EndQuorumEpoch's preferred successors). */
    int[] successorsByEndOffset() {
        Integer[] order = new Integer[voters.length];
        for (int i = 0; i < voters.length; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> ackedEndOffsets[a] != ackedEndOffsets[b]
                ? Long.compare(ackedEndOffsets[b], ackedEndOffsets[a]) : Integer.compare(voters[a], voters[b]));
        int[] out = new int[voters.length - 1];
        int k = 0;
        for (Integer i : order) {
            if (voters[i] != selfId) {
                out[k++] = voters[i];
            }
        }
        return out;
    }

    @Override
    public String toString() {
        return "Leader(epoch=" + epoch + ", epochStartOffset=" + epochStartOffset + ", highWatermark=" + highWatermark + ")";
    }
}
