package dev.faultline.raft.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.storage.Storage;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.MetadataLogFile;
import dev.faultline.raft.quorum.RaftNode;
import java.util.Arrays;

/**
 * Invariants on leaders' high watermarks, read from the running leaders after every event in
 * O(voters): KR-S4 {@code MonotonicHighWatermark}, KR-S5 {@code MajorityReachedHighWatermark},
 * KR-S11 (a leader's HW in its epoch is past its {@code epochStartOffset}).
 */
final class LeaderInvariants {
    private LeaderInvariants() {
    }

    /** The running leader with the highest epoch, or {@code null}. */
    static RaftNode topLeader(RaftView view) {
        RaftNode top = null;
        for (int id : view.voterIds()) {
            RaftNode n = view.process(id);
            if (n != null && n.state() instanceof LeaderState && (top == null || n.epoch() > top.epoch())) {
                top = n;
            }
        }
        return top;
    }

    /**
     * KR-S4: leader high watermarks never go backwards across leaders. The high watermark of the
     * current leader (the one in the highest epoch any leader has held so far) is never below the
     * largest HW any leader reached before, and every leader's HW is monotone within its epoch.
     *
     * <p>A leader of an older epoch that has not yet learnt it was deposed (paused, partitioned,
     * or simply slow to hear of the new epoch) is not the current leader: its own, older HW is
     * still checked for monotonicity within its epoch and still raises the maximum, but it is not
     * compared against the HW a newer epoch reached (fuzz finding kraft-KR-S4-seed-10, a paused
     * epoch-1 leader left as the only Leader-state process after the epoch-3 leader resigned).
     */
    static final class MonotonicHighWatermark implements Invariant {
        private final RaftView view;
        private final int[] lastEpoch;
        private final long[] lastHw;
        private long maxSeen = -1;
        private int currentEpoch = -1;

        MonotonicHighWatermark(RaftView view) {
            this.view = view;
            int n = view.sim().nodes().size();
            lastEpoch = new int[n];
            lastHw = new long[n];
            Arrays.fill(lastEpoch, -1);
        }

        @Override
        public String name() {
            return RaftInvariants.MONOTONIC_HIGH_WATERMARK;
        }

        @Override
        public void check(CheckContext context) {
            for (int id : view.voterIds()) {
                RaftNode n = view.process(id);
                if (n != null && n.state() instanceof LeaderState) {
                    currentEpoch = Math.max(currentEpoch, n.epoch());
                }
            }
            long newMax = maxSeen;
            for (int id : view.voterIds()) {
                RaftNode n = view.process(id);
                if (n == null || !(n.state() instanceof LeaderState)) {
                    continue;
                }
                long hw = n.leaderHighWatermark();
                if (hw < 0) {
                    continue;
                }
                int epoch = n.epoch();
                if (lastEpoch[id] == epoch && hw < lastHw[id]) {
                    context.fail(name(), "leader " + n + " of epoch " + epoch + " lowered its high watermark from "
                            + lastHw[id] + " to " + hw, view.nodeId(id));
                    return;
                }
                if (epoch == currentEpoch && hw < maxSeen) {
                    context.fail(name(), "leader " + n + " of epoch " + epoch + " has high watermark " + hw
                            + " below the " + maxSeen + " an earlier leader reached", view.nodeId(id));
                    return;
                }
                lastEpoch[id] = epoch;
                lastHw[id] = hw;
                newMax = Math.max(newMax, hw);
            }
            maxSeen = newMax;
        }
    }

    /** KR-S5: when a leader has HW h, a majority of voters have a synced log end offset of at least h. */
    static final class MajorityReachedHighWatermark implements Invariant {
        private final RaftView view;
        private final MetadataLogFile[] logs;
        private final long[] wipes;
        private final Storage[] storages;

        MajorityReachedHighWatermark(RaftView view) {
            this.view = view;
            int n = view.sim().nodes().size();
            logs = new MetadataLogFile[n];
            wipes = new long[n];
            storages = new Storage[n];
            for (int id : view.voterIds()) {
                storages[id] = view.sim().storage(view.nodeId(id));
            }
        }

        @Override
        public String name() {
            return RaftInvariants.MAJORITY_REACHED_HIGH_WATERMARK;
        }

        @Override
        public void check(CheckContext context) {
            RaftNode leader = topLeader(view);
            if (leader == null || leader.leaderHighWatermark() < 0) {
                return;
            }
            long hw = leader.leaderHighWatermark();
            int reached = 0;
            for (int id : view.voterIds()) {
                MetadataLogFile log = log(id);
                // Synced entries only: an entry a voter acknowledged before its fsync is lost to a power loss.
                if (log != null && log.syncedEndOffset() >= hw) {
                    reached++;
                }
            }
            int majority = view.voterIds().length / 2 + 1;
            if (reached < majority) {
                context.fail(name(), "leader " + leader + " has high watermark " + hw + " but only " + reached
                        + " voters have that many records on disk (synced)", view.nodeId(leaderId(leader)));
            }
        }

        private MetadataLogFile log(int id) {
            Storage storage = storages[id];
            if (logs[id] == null || wipes[id] != storage.wipes()) {
                wipes[id] = storage.wipes();
                logs[id] = storage.find(RaftNode.LOG_FILE, MetadataLogFile.class);
            }
            return logs[id];
        }
    }

    /** KR-S11: a leader's HW in its epoch, once set, is greater than its {@code epochStartOffset}. */
    static final class HighWatermarkPastEpochStart implements Invariant {
        private final RaftView view;

        HighWatermarkPastEpochStart(RaftView view) {
            this.view = view;
        }

        @Override
        public String name() {
            return RaftInvariants.HIGH_WATERMARK_PAST_EPOCH_START;
        }

        @Override
        public void check(CheckContext context) {
            for (int id : view.voterIds()) {
                RaftNode n = view.process(id);
                if (n == null || !(n.state() instanceof LeaderState)) {
                    continue;
                }
                LeaderState s = (LeaderState) n.state();
                if (s.highWatermark() >= 0 && s.highWatermark() <= s.epochStartOffset()) {
                    context.fail(name(), "leader " + view.nodeId(id) + " of epoch " + s.epoch() + " set high watermark "
                            + s.highWatermark() + " not past its epoch start offset " + s.epochStartOffset(), view.nodeId(id));
                    return;
                }
            }
        }
    }

    static int leaderId(RaftNode leader) {
        return leader.state().election().leaderId();
    }
}
