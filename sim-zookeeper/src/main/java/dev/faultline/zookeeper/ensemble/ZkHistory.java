package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.check.ViolationReports;
import it.unimi.dsi.fastutil.longs.Long2IntOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2LongAVLTreeMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectAVLTreeMap;
import java.util.ArrayList;
import java.util.List;
import java.util.function.LongSupplier;

/**
 * The omniscient ground-truth record of one ensemble
 * (docs/architecture.md#ground-truth-and-checkers): established leaders, the global committed
 * sequence, truncations, session expiries and the touches that reached each leader. Servers write
 * to it; they never read it. The invariants in {@code dev.faultline.zookeeper.check} read it.
 */
public final class ZkHistory {
    /** A leader that received a quorum of NEWLEADER acks. */
    public record Established(long epoch, long sid, long timeNanos) {
    }

    /** A follower that processed UPTODATE (it serves clients from now on). */
    public record UpToDate(long epoch, long sid, long timeNanos) {
    }

    /** A commit by a leader, with the servers whose ACKs made the quorum. */
    public record CommitRecord(long leaderSid, TxnEntry entry, List<Long> ackers) {
    }

    private final Long2LongAVLTreeMap leaderOfEpoch = new Long2LongAVLTreeMap();
    private final List<Established> established = new ArrayList<>();
    private final List<UpToDate> upToDate = new ArrayList<>();
    private final ArrayList<TxnEntry> committed = new ArrayList<>();
    private final Long2IntOpenHashMap committedIndex = new Long2IntOpenHashMap();
    private final ArrayList<CommitRecord> commitsToCheck = new ArrayList<>();
    private final ViolationReports problems;
    private final Long2ObjectAVLTreeMap<LeaderSessions> leaderSessions = new Long2ObjectAVLTreeMap<>();
    private int quorumSize;

    /** Per-leader view of touches (leader-local clock), for ZK-S7. */
    private static final class LeaderSessions {
        long activationNanos;
        final Long2LongAVLTreeMap lastTouch = new Long2LongAVLTreeMap();
    }

    /** {@code clock}: the simulation's true virtual time, for the violation reports. */
    public ZkHistory(int ensembleSize, LongSupplier clock) {
        this.problems = new ViolationReports(clock);
        this.quorumSize = ensembleSize / 2 + 1;
        committedIndex.defaultReturnValue(-1);
    }

    public int quorumSize() {
        return quorumSize;
    }

    // ------------------------------------------------------------------ written by servers

    /** A leader of {@code epoch} is established; its whole log is now committed. */
    public void established(long epoch, long sid, long timeNanos, List<TxnEntry> leaderLog) {
        established.add(new Established(epoch, sid, timeNanos));
        if (leaderOfEpoch.containsKey(epoch) && leaderOfEpoch.get(epoch) != sid) {
            problems.report("ZK-S1", "epoch " + epoch + " has established leaders " + leaderOfEpoch.get(epoch) + " and " + sid);
        }
        leaderOfEpoch.put(epoch, sid);
        for (TxnEntry e : leaderLog) {
            commit(sid, e);
        }
    }

    public void upToDate(long epoch, long sid, long timeNanos) {
        upToDate.add(new UpToDate(epoch, sid, timeNanos));
    }

    /** The leader committed {@code entry} with these ACKs (itself included). */
    public void committed(long leaderSid, TxnEntry entry, List<Long> ackers) {
        commitsToCheck.add(new CommitRecord(leaderSid, entry, List.copyOf(ackers)));
        commit(leaderSid, entry);
    }

    private void commit(long leaderSid, TxnEntry entry) {
        int at = committedIndex.get(entry.zxid());
        if (at >= 0) {
            if (!committed.get(at).equals(entry)) {
                problems.report("ZK-S3", "leader " + leaderSid + " commits " + entry + " but " + committed.get(at) + " was committed at that zxid");
            }
            return;
        }
        long last = committed.isEmpty() ? 0 : committed.get(committed.size() - 1).zxid();
        if (entry.zxid() < last) {
            problems.report("ZK-S3", "leader " + leaderSid + " commits " + entry + " below the committed history's end " + Zxid.format(last)
                    + " (a committed history it never had)");
            return;
        }
        committedIndex.put(entry.zxid(), committed.size());
        committed.add(entry);
    }

    /** A leader decided to TRUNC a learner to {@code truncateToZxid}. */
    public record TruncDecision(long leaderSid, long learnerSid, long truncateToZxid, long timeNanos) {
    }

    private final ArrayList<TruncDecision> truncDecisions = new ArrayList<>();

    /** A leader tells a learner to truncate its log after {@code truncateToZxid} (ZK-S5 checks the learner's log now). */
    public void truncDecided(long leaderSid, long learnerSid, long truncateToZxid, long timeNanos) {
        truncDecisions.add(new TruncDecision(leaderSid, learnerSid, truncateToZxid, timeNanos));
    }

    /** TRUNC decisions not yet checked; the ZK-S5 checker drains them. */
    public List<TruncDecision> drainTruncDecisions() {
        if (truncDecisions.isEmpty()) {
            return List.of();
        }
        List<TruncDecision> out = new ArrayList<>(truncDecisions);
        truncDecisions.clear();
        return out;
    }

    public void leaderActivated(long sid, long localNanos) {
        LeaderSessions s = new LeaderSessions();
        s.activationNanos = localNanos;
        leaderSessions.put(sid, s);
    }

    public void leaderTouched(long sid, long sessionId, long localNanos) {
        LeaderSessions s = leaderSessions.get(sid);
        if (s != null) {
            s.lastTouch.put(sessionId, localNanos);
        }
    }

    /** The leader proposes closeSession for an expired session (ZK-S7 is checked here). */
    public void expiryProposed(long sid, long sessionId, long timeoutNanos, long localNanos) {
        LeaderSessions s = leaderSessions.get(sid);
        long since = s == null ? Long.MIN_VALUE : Math.max(s.activationNanos,
                s.lastTouch.containsKey(sessionId) ? s.lastTouch.get(sessionId) : Long.MIN_VALUE);
        if (s == null || localNanos - since < timeoutNanos) {
            problems.report("ZK-S7", "leader " + sid + " expires session 0x" + Long.toHexString(sessionId) + " at local "
                    + localNanos + " ns, only " + (localNanos - since) + " ns after its last touch or activation (timeout "
                    + timeoutNanos + " ns)");
        }
    }

    // ------------------------------------------------------------------ read by checkers and measurements

    public List<Established> establishedLeaders() {
        return java.util.Collections.unmodifiableList(established);
    }

    public List<UpToDate> upToDates() {
        return java.util.Collections.unmodifiableList(upToDate);
    }

    /** The global committed sequence, by zxid. */
    public List<TxnEntry> committed() {
        return java.util.Collections.unmodifiableList(committed);
    }

    /** Index of this zxid in the committed sequence, or -1. */
    public int committedIndexOf(long zxid) {
        return committedIndex.get(zxid);
    }

    /** Commits not yet checked by ZK-S4; the checker drains them. */
    public List<CommitRecord> drainCommitsToCheck() {
        if (commitsToCheck.isEmpty()) {
            return List.of();
        }
        List<CommitRecord> out = new ArrayList<>(commitsToCheck);
        commitsToCheck.clear();
        return out;
    }

    /** The violations found while recording (ZK-S1, ZK-S3, ZK-S7); the invariants with their ids report them. */
    public ViolationReports problems() {
        return problems;
    }
}
