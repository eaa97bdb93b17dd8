package dev.faultline.raft.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.storage.DurableValue;
import dev.faultline.core.storage.Storage;
import dev.faultline.raft.quorum.ElectionState;
import dev.faultline.raft.quorum.RaftNode;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;

/**
 * KR-S1 {@code SingleLeader}, KR-S2 {@code MonotonicEpoch} and KR-S3 one vote per epoch, read from
 * every node's persisted {@code quorum-state} after every event. Only a changed file is examined
 * (the persisted value is an immutable record, compared by identity first). A wiped disk restarts
 * that node's baseline for KR-S2 and KR-S3 (Kafka's simulation test disables these when it deletes
 * a node's state).
 */
final class PersistedStateInvariants {
    private PersistedStateInvariants() {
    }

    /** Walks every node's persisted election state and hands over the ones that changed. */
    abstract static class Base implements Invariant {
        final RaftView view;
        private final ElectionState[] lastSeen;
        private final long[] wipes;
        private final DurableValue<?>[] files;
        private final Storage[] storages;

        Base(RaftView view) {
            this.view = view;
            int n = view.sim().nodes().size();
            lastSeen = new ElectionState[n];
            wipes = new long[n];
            files = new DurableValue<?>[n];
            storages = new Storage[n];
            for (int id : view.raftIds()) {
                storages[id] = view.sim().storage(view.nodeId(id));
            }
        }

        @Override
        public final void check(CheckContext context) {
            for (int id : view.raftIds()) {
                Storage storage = storages[id];
                if (storage.wipes() != wipes[id] || files[id] == null) {
                    if (storage.wipes() != wipes[id]) {
                        wipes[id] = storage.wipes();
                        lastSeen[id] = null;
                    }
                    files[id] = storage.find(RaftNode.QUORUM_STATE_FILE, DurableValue.class);
                    if (files[id] == null) {
                        continue;
                    }
                }
                ElectionState now = (ElectionState) files[id].synced();
                ElectionState before = lastSeen[id];
                if (now != before) {
                    lastSeen[id] = now;
                    if (!changed(context, id, before, now)) {
                        return;
                    }
                }
                if (!always(context, id, now)) {
                    return;
                }
            }
        }

        /** A node's persisted state changed; returns false after reporting a violation. */
        abstract boolean changed(CheckContext context, int id, ElectionState before, ElectionState now);

        /** Checked for every node after every event; returns false after reporting a violation. */
        boolean always(CheckContext context, int id, ElectionState now) {
            return true;
        }
    }

    /** KR-S1: no two nodes record different leaders for the same epoch. */
    static final class SingleLeader extends Base {
        private final Int2IntOpenHashMap leaderOfEpoch = new Int2IntOpenHashMap();

        SingleLeader(RaftView view) {
            super(view);
            leaderOfEpoch.defaultReturnValue(ElectionState.NONE);
        }

        @Override
        public String name() {
            return RaftInvariants.SINGLE_LEADER;
        }

        @Override
        boolean changed(CheckContext context, int id, ElectionState before, ElectionState now) {
            if (!now.hasLeader()) {
                return true;
            }
            int known = leaderOfEpoch.putIfAbsent(now.epoch(), now.leaderId());
            if (known != ElectionState.NONE && known != now.leaderId()) {
                context.fail(name(), "epoch " + now.epoch() + " has leaders " + view.nodeId(known) + " and "
                        + view.nodeId(now.leaderId()) + " (recorded by " + view.nodeId(id) + ")", view.nodeId(id));
                return false;
            }
            return true;
        }
    }

    /** KR-S2: the persisted epoch never decreases; a running node's epoch equals its persisted one. */
    static final class MonotonicEpoch extends Base {
        MonotonicEpoch(RaftView view) {
            super(view);
        }

        @Override
        public String name() {
            return RaftInvariants.MONOTONIC_EPOCH;
        }

        @Override
        boolean changed(CheckContext context, int id, ElectionState before, ElectionState now) {
            if (before != null && now.epoch() < before.epoch()) {
                context.fail(name(), "persisted epoch of " + view.nodeId(id) + " went from " + before.epoch() + " to "
                        + now.epoch(), view.nodeId(id));
                return false;
            }
            return true;
        }

        @Override
        boolean always(CheckContext context, int id, ElectionState now) {
            RaftNode node = view.process(id);
            if (node != null && node.epoch() != now.epoch()) {
                context.fail(name(), view.nodeId(id) + " runs in epoch " + node.epoch() + " but its persisted epoch is "
                        + now.epoch(), view.nodeId(id));
                return false;
            }
            return true;
        }
    }

    /** KR-S3: a voter's persisted vote never changes within an epoch. */
    static final class OneVotePerEpoch extends Base {
        OneVotePerEpoch(RaftView view) {
            super(view);
        }

        @Override
        public String name() {
            return RaftInvariants.ONE_VOTE_PER_EPOCH;
        }

        @Override
        boolean changed(CheckContext context, int id, ElectionState before, ElectionState now) {
            if (before != null && before.epoch() == now.epoch() && before.hasVoted() && before.votedId() != now.votedId()) {
                context.fail(name(), view.nodeId(id) + " changed its vote in epoch " + now.epoch() + " from "
                        + view.nodeId(before.votedId()) + " to " + now.votedId(), view.nodeId(id));
                return false;
            }
            return true;
        }
    }
}
