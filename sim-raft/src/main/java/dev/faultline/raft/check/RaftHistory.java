package dev.faultline.raft.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.ViolationReport;
import dev.faultline.core.check.ViolationReports;
import dev.faultline.raft.quorum.EpochState;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.LogEntry;
import dev.faultline.raft.quorum.RaftLog;
import dev.faultline.raft.quorum.RaftProbe;
import dev.faultline.raft.quorum.RaftSnapshot;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2LongOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.List;

/**
 * The omniscient ground-truth history of one quorum
 * (docs/architecture.md#ground-truth-and-checkers), fed by the nodes' {@link RaftProbe} calls and
 * never visible to them: every entry ever appended by {@code (offset, epoch)}, and the committed
 * prefix (the first value seen below any node's high watermark). It checks the event-driven
 * invariants as the events happen, in O(1) per entry (chain hashes make "identical up to offset o"
 * one comparison), and holds any violation until the matching invariant (see
 * {@link RaftInvariants}) reports it after the event.
 *
 * <p>The committed prefix may start at a base offset (a warm start's snapshot: everything below it
 * is known only through the snapshot's chain hash). Offsets a node no longer holds in its log (below
 * its log start, covered by a snapshot) are compared where the node still can be: at the record
 * just before its log start, through the snapshot's chain hash.
 */
public final class RaftHistory implements RaftProbe {
    /** A chain hash that is not known (below a snapshot); never compared. */
    public static final long UNKNOWN = 0;

    private final RaftView view;
    /**
     * (offset, epoch) -> chain hash of every entry appended anywhere that is not the committed
     * entry at its offset (an entry that matches the committed one is compared with
     * {@link #committedChains} instead, and dropped from here when its offset commits, so the map
     * holds the uncommitted tail and divergent entries only).
     */
    private final Long2LongOpenHashMap appended = new Long2LongOpenHashMap();
    /** The committed prefix from {@link #base} on: chain hash and epoch by offset. */
    private long base;
    private long baseChain;
    private int baseEpoch;
    private final LongArrayList committedChains = new LongArrayList();
    private final IntArrayList committedEpochs = new IntArrayList();
    private final ViolationReports pending;
    private final List<RaftProbe> listeners = new ArrayList<>();

    public RaftHistory(RaftView view) {
        this.view = view;
        this.pending = new ViolationReports(() -> view.sim().now());
        appended.defaultReturnValue(0);
    }

    /**
     * The committed prefix starts at {@code offset} (a warm start: every record below it is in a
     * snapshot that ends there, whose last record has this epoch and chain hash). Before anything is committed.
     */
    public void startCommittedAt(long offset, int epoch, long chain) {
        if (!committedChains.isEmpty() || base != 0) {
            throw new IllegalStateException("the committed prefix has already begun");
        }
        base = offset;
        baseEpoch = epoch;
        baseChain = chain;
    }

    /** Another observer of the same events (e.g. an experiment's clock). */
    public void addListener(RaftProbe listener) {
        listeners.add(listener);
    }

    /** Length of the committed prefix: every offset below it has been below some node's HW. */
    public long committedLength() {
        return base + committedChains.size();
    }

    /** Chain hash (content and history up to it) of the committed entry at {@code offset}; {@link #UNKNOWN} below the base. */
    public long committedChain(long offset) {
        if (offset >= base) {
            return committedChains.getLong((int) (offset - base));
        }
        return offset == base - 1 ? baseChain : UNKNOWN;
    }

    /** Epoch of the committed entry at {@code offset} (-1 when not known). */
    public int committedEpoch(long offset) {
        if (offset >= base) {
            return committedEpochs.getInt((int) (offset - base));
        }
        return offset == base - 1 ? baseEpoch : -1;
    }

    private static long key(long offset, int epoch) {
        if (epoch >= (1 << 20) || epoch < 0) {
            throw new IllegalStateException("epoch out of range for the history key: " + epoch);
        }
        return (offset << 20) | epoch;
    }

    /** The chain hash a log holds at {@code offset}: its entry's, the snapshot's just below its start, else unknown. */
    static long chainAt(RaftLog log, long offset) {
        if (offset >= log.startOffset() && offset < log.endOffset()) {
            return log.get(offset).chainHash();
        }
        return offset == log.startOffset() - 1 ? log.durable().startChain() : UNKNOWN;
    }

    private static int epochAt(RaftLog log, long offset) {
        if (offset >= log.startOffset() && offset < log.endOffset()) {
            return log.get(offset).epoch();
        }
        return offset == log.startOffset() - 1 ? log.durable().startEpoch() : -1;
    }

    @Override
    public void onAppend(int nodeId, long offset, LogEntry entry) {
        long chain = entry.chainHash();
        if (chain == 0) {
            chain = 1; // 0 is the map's "absent"; a zero chain hash is astronomically rare
        }
        long seen;
        if (offset < committedLength() && committedEpoch(offset) == entry.epoch() && committedChain(offset) != UNKNOWN) {
            long committed = committedChain(offset);
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
        long known = committedLength();
        long check = Math.min(known, highWatermark);
        if (check > 0) {
            long mine = chainAt(log, check - 1);
            long committed = committedChain(check - 1);
            if (mine != UNKNOWN && committed != UNKNOWN && mine != committed) {
                report(RaftInvariants.CONSISTENT_COMMITTED_DATA, "node " + name(nodeId) + " has high watermark " + highWatermark
                        + " but its log differs from the committed records at or before offset " + (check - 1)
                        + " (committed epoch " + committedEpoch(check - 1) + ", its epoch " + epochAt(log, check - 1) + ")", nodeId);
            }
        }
        for (long o = known; o < highWatermark; o++) {
            long chain = chainAt(log, o);
            int epoch = epochAt(log, o);
            committedChains.add(chain);
            committedEpochs.add(epoch);
            if (epoch >= 0) {
                // From now on entries at (o, epoch) are compared with the committed one.
                appended.remove(key(o, epoch));
            }
        }
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).onHighWatermark(nodeId, highWatermark, log);
        }
    }

    /**
     * KR-S10 {@code LeaderNeverLoadSnapshot}: a leader whose state machine may already write (its
     * listener had everything up to its epoch start) is never asked to load a snapshot.
     */
    @Override
    public void onLoadSnapshot(int nodeId, RaftSnapshot snapshot, boolean writable) {
        if (writable) {
            report(RaftInvariants.SNAPSHOT_INVARIANTS, "node " + name(nodeId) + " is the writable leader but was asked to load "
                    + snapshot + " (LeaderNeverLoadSnapshot)", nodeId);
        }
        for (int i = 0; i < listeners.size(); i++) {
            listeners.get(i).onLoadSnapshot(nodeId, snapshot, writable);
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
        long committed = committedLength();
        if (committed == 0) {
            return;
        }
        RaftLog log = view.process(nodeId).log();
        long mine = chainAt(log, committed - 1);
        long expected = committedChain(committed - 1);
        if (log.endOffset() < committed || (mine != UNKNOWN && expected != UNKNOWN && mine != expected)) {
            report(RaftInvariants.LEADER_COMPLETENESS, "node " + name(nodeId) + " became leader of epoch " + epoch
                    + " without the committed records up to offset " + (committed - 1) + " (its log end "
                    + log.endOffset() + ")", nodeId);
        }
    }

    private String name(int nodeId) {
        return view.nodeId(nodeId).name();
    }

    private void report(String invariant, String message, int nodeId) {
        pending.report(invariant, message, view.nodeId(nodeId));
    }

    /** Reports the first held violation of {@code invariant}, if any. */
    void flush(String invariant, CheckContext context) {
        ViolationReport r = pending.takeFirst(invariant);
        if (r != null) {
            r.failOn(context);
        }
    }
}
