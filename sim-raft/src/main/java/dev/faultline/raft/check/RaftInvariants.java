package dev.faultline.raft.check;

import dev.faultline.core.check.Invariant;
import dev.faultline.core.net.DelayBacklog;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * The Raft-layer invariants of docs/invariants.md, by id, selectable per scenario. KR-S10 holds
 * both snapshot invariants of Kafka's {@code RaftEventSimulationTest}: {@code SnapshotAtLogStart}
 * and {@code LeaderNeverLoadSnapshot}.
 */
public final class RaftInvariants {
    public static final String SINGLE_LEADER = "KR-S1";
    public static final String MONOTONIC_EPOCH = "KR-S2";
    public static final String ONE_VOTE_PER_EPOCH = "KR-S3";
    public static final String MONOTONIC_HIGH_WATERMARK = "KR-S4";
    public static final String MAJORITY_REACHED_HIGH_WATERMARK = "KR-S5";
    public static final String LOG_MATCHING = "KR-S6";
    public static final String LEADER_COMPLETENESS = "KR-S7";
    public static final String CONSISTENT_COMMITTED_DATA = "KR-S8";
    public static final String NO_TRUNCATION_BELOW_HW = "KR-S9";
    public static final String SNAPSHOT_INVARIANTS = "KR-S10";
    public static final String HIGH_WATERMARK_PAST_EPOCH_START = "KR-S11";
    public static final String LEADER_ELECTED = "KR-L1";
    public static final String CHECK_QUORUM = "KR-L2";
    public static final String COMMIT_LATENCY = "KR-L3";
    public static final String STABLE_LEADERSHIP = "KR-L4";

    /** Every safety invariant this module implements. */
    public static final Set<String> SAFETY = Set.of(SINGLE_LEADER, MONOTONIC_EPOCH, ONE_VOTE_PER_EPOCH,
            MONOTONIC_HIGH_WATERMARK, MAJORITY_REACHED_HIGH_WATERMARK, LOG_MATCHING, LEADER_COMPLETENESS,
            CONSISTENT_COMMITTED_DATA, NO_TRUNCATION_BELOW_HW, SNAPSHOT_INVARIANTS, HIGH_WATERMARK_PAST_EPOCH_START);

    /** The liveness checks on by default (KR-L4 is opt-in). */
    public static final Set<String> LIVENESS = Set.of(LEADER_ELECTED, CHECK_QUORUM, COMMIT_LATENCY);

    private static final List<String> ORDER = List.of(SINGLE_LEADER, MONOTONIC_EPOCH, ONE_VOTE_PER_EPOCH,
            MONOTONIC_HIGH_WATERMARK, MAJORITY_REACHED_HIGH_WATERMARK, LOG_MATCHING, LEADER_COMPLETENESS,
            CONSISTENT_COMMITTED_DATA, NO_TRUNCATION_BELOW_HW, SNAPSHOT_INVARIANTS, HIGH_WATERMARK_PAST_EPOCH_START, LEADER_ELECTED,
            CHECK_QUORUM, COMMIT_LATENCY, STABLE_LEADERSHIP);

    private RaftInvariants() {
    }

    /** Builds the selected invariants, in id order. */
    public static List<Invariant> create(Set<String> ids, RaftView view, RaftHistory history) {
        for (String id : ids) {
            if (!ORDER.contains(id)) {
                throw new IllegalArgumentException("unknown Raft invariant " + id + "; known: " + ORDER);
            }
        }
        List<Invariant> out = new ArrayList<>();
        DelayBacklog backlog = view.delayBacklog(view.voterIds());
        for (String id : ORDER) {
            if (ids.contains(id)) {
                out.add(create(id, view, history, backlog));
            }
        }
        return out;
    }

    private static Invariant create(String id, RaftView view, RaftHistory history, DelayBacklog backlog) {
        switch (id) {
            case SINGLE_LEADER: return new PersistedStateInvariants.SingleLeader(view);
            case MONOTONIC_EPOCH: return new PersistedStateInvariants.MonotonicEpoch(view);
            case ONE_VOTE_PER_EPOCH: return new PersistedStateInvariants.OneVotePerEpoch(view);
            case MONOTONIC_HIGH_WATERMARK: return new LeaderInvariants.MonotonicHighWatermark(view);
            case MAJORITY_REACHED_HIGH_WATERMARK: return new LeaderInvariants.MajorityReachedHighWatermark(view);
            case HIGH_WATERMARK_PAST_EPOCH_START: return new LeaderInvariants.HighWatermarkPastEpochStart(view);
            case LEADER_ELECTED: return new LivenessInvariants.LeaderElected(view, backlog);
            case CHECK_QUORUM: return new LivenessInvariants.CheckQuorum(view, backlog);
            case COMMIT_LATENCY: return new LivenessInvariants.CommitLatency(view, backlog);
            case STABLE_LEADERSHIP: return new LivenessInvariants.StableLeadership(view, backlog);
            case SNAPSHOT_INVARIANTS: return new SnapshotInvariants(view, history);
            default: return Invariant.of(id, context -> history.flush(id, context));
        }
    }
}
