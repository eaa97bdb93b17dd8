package dev.faultline.raft.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.LogEntry;
import dev.faultline.raft.quorum.RaftLog;
import dev.faultline.raft.quorum.RaftProbe;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.List;

/**
 * The omniscient ground-truth history of one quorum (model-spec §0.5), fed by the nodes'
 * {@link RaftProbe} calls and never visible to them: every entry ever appended by
 * {@code (offset, epoch)}, and the committed prefix (the first value seen below any node's high
 * watermark). It checks the event-driven invariants as the events happen, in O(1) per entry
 * (chain hashes make "identical up to offset o" one comparison), and holds any violation until the
 * matching invariant (see {@link RaftInvariants}) reports it after the event.
 */
public final class RaftHistory implements RaftProbe {
    private final RaftView view;
    /**
     * (offset, epoch) -> chain hash of every entry appended anywhere that is not the committed
     * entry at its offset (an entry that matches the committed one is compared with
     * {@link #committedChains} instead, and dropped from here when its offset commits, so the map
     * holds the uncommitted tail and divergent entries only).
     */
    private final Long2LongOpenHashMap appended = new Long2LongOpenHashMap();
    private final LongArrayList committedChains = new LongArrayList();
    private final IntArrayList committedEpochs = new IntArrayList();
    private final List<Pending> pending = new ArrayList<>();
    private final List<RaftProbe> listeners = new ArrayList<>();

    public RaftHistory(RaftView view) {
        this.view = view;
        appended.defaultReturnValue(0);
    }

    /** Another observer of the same events (e.g. an experiment's clock). */
    public void addListener(RaftProbe listener) {
        listeners.add(listener);
    }

    /** Length of the committed prefix: every offset below it has been below some node's HW. */
    public long committedLength() {
        return committedChains.size();
    }

    /** Chain hash (content and history up to it) of the committed entry at {@code offset}. */
    public long committedChain(long offset) {
        return committedChains.getLong((int) offset);
    }

    /** Epoch of the committed entry at {@code offset}. */
    public int committedEpoch(long offset) {
        return committedEpochs.getInt((int) offset);
    }

    private static long key(long offset, int epoch) {
        if (epoch >= (1 << 20) || epoch < 0) {
            throw new IllegalStateException("epoch out of range for the history key: " + epoch);
        }
        return (offset << 20) | epoch;
    }

    @Override
    public void onAppend(int nodeId, long offset, LogEntry entry) {
        long chain = entry.chainHash();
        if (chain == 0) {
            chain = 1; // 0 is the map's "absent"; a zero chain hash is astronomically rare
        }
        long seen;
        if (offset < committedChains.size() && committedEpochs.getInt((int) offset) == entry.epoch()) {
            long committed = committedChains.getLong((int) offset);
            seen = committed == 0 ? 1 : committed;
        } else {
            seen = appended.putIfAbsent(key(offset, entry.epoch()), chain);
        }
        if (seen != 0 && seen != chain) {
            report(RaftInvariants.LOG_MATCHING, "node " + name(nodeId) + " appended an entry at offset " + offset
                    + " epoch " + entry.epoch() + " whose log differs from another log's entry with the same offset and epoch",
                    nodeId);
        }
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).onAppend(nodeId, offset, entry);
        }
    }

    @Override
    public void onTruncate(int nodeId, long newEndOffset, long highWatermark) {
        if (newEndOffset < highWatermark) {
            report(RaftInvariants.NO_TRUNCATION_BELOW_HW, "node " + name(nodeId) + " truncated its log to " + newEndOffset
                    + " below its high watermark " + highWatermark, nodeId);
        }
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).onTruncate(nodeId, newEndOffset, highWatermark);
        }
    }

    @Override
    public void onHighWatermark(int nodeId, long highWatermark, RaftLog log) {
        long known = committedChains.size();
        long check = Math.min(known, highWatermark);
        if (check > 0 && chain(log, check - 1) != committedChains.getLong((int) (check - 1))) {
            report(RaftInvariants.CONSISTENT_COMMITTED_DATA, "node " + name(nodeId) + " has high watermark " + highWatermark
                    + " but its log differs from the committed records at or before offset " + (check - 1)
                    + " (committed epoch " + committedEpochs.getInt((int) (check - 1)) + ", its epoch "
                    + log.get(check - 1).epoch() + ")", nodeId);
        }
        for (long o = known; o < highWatermark; o++) {
            LogEntry e = log.get(o);
            committedChains.add(e.chainHash());
            committedEpochs.add(e.epoch());
            // From now on entries at (o, epoch) are compared with the committed one.
            appended.remove(key(o, e.epoch()));
        }
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).onHighWatermark(nodeId, highWatermark, log);
        }
    }

    @Override
    public void onTransition(int nodeId, EpochState from, EpochState to) {
        if (to instanceof LeaderState) {
            checkLeaderCompleteness(nodeId, to.epoch());
        }
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).onTransition(nodeId, from, to);
        }
    }

    @Override
    public void onLeaderContact(int nodeId, int epoch, int leaderId) {
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).onLeaderContact(nodeId, epoch, leaderId);
        }
    }

    /** KR-S7: a new leader's log holds every record committed so far. */
    private void checkLeaderCompleteness(int nodeId, int epoch) {
        long committed = committedChains.size();
        if (committed == 0) {
            return;
        }
        RaftLog log = view.process(nodeId).log();
        if (log.endOffset() < committed || chain(log, committed - 1) != committedChains.getLong((int) (committed - 1))) {
            report(RaftInvariants.LEADER_COMPLETENESS, "node " + name(nodeId) + " became leader of epoch " + epoch
                    + " without the committed records up to offset " + (committed - 1) + " (its log end "
                    + log.endOffset() + ")", nodeId);
        }
    }

    private static long chain(RaftLog log, long offset) {
        return log.get(offset).chainHash();
    }

    private String name(int nodeId) {
        return view.nodeId(nodeId).name();
    }

    private void report(String invariant, String message, int nodeId) {
        pending.add(new Pending(invariant, message, view.nodeId(nodeId)));
    }

    /** Reports the first held violation of {@code invariant}, if any. */
    void flush(String invariant, CheckContext context) {
        if (pending.isEmpty()) {
            return;
        }
        for (int i = 0; i < pending.size(); i++) {
            Pending p = pending.get(i);
            if (p.invariant.equals(invariant)) {
                pending.remove(i);
                context.fail(p.invariant, p.message, p.node);
                return;
            }
        }
    }

    private record Pending(String invariant, String message, NodeId node) {
    }
}
