package dev.faultline.raft.quorum;

import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.storage.DurableValue;
import dev.faultline.raft.quorum.RaftMessage.BeginQuorumEpochRequest;
import dev.faultline.raft.quorum.RaftMessage.BeginQuorumEpochResponse;
import dev.faultline.raft.quorum.RaftMessage.ClientAppend;
import dev.faultline.raft.quorum.RaftMessage.ClientAppendReply;
import dev.faultline.raft.quorum.RaftMessage.EndQuorumEpochRequest;
import dev.faultline.raft.quorum.RaftMessage.FetchRequest;
import dev.faultline.raft.quorum.RaftMessage.FetchResponse;
import dev.faultline.raft.quorum.RaftMessage.FetchSnapshotRequest;
import dev.faultline.raft.quorum.RaftMessage.FetchSnapshotResponse;
import dev.faultline.raft.quorum.RaftMessage.Heartbeat;
import dev.faultline.raft.quorum.RaftMessage.VoteRequest;
import dev.faultline.raft.quorum.RaftMessage.VoteResponse;

/**
 * A KRaft Raft replica (voter or observer) as one simulated process: it owns the timers and the
 * transitions' side effects, and hands each RPC to its handler ({@link VoteHandler},
 * {@link LeaderFetchHandler}, {@link ReplicaFetcher}, {@link LeaderDuties}); its log cleaning is
 * {@link MetadataLogCleaner}'s. Durable state lives in the node's storage: the {@code quorum-state}
 * file and the metadata log.
 */
public final class RaftNode implements Node {
    /** Name of the quorum-state file in the node's storage. */
    public static final String QUORUM_STATE_FILE = "quorum-state";
    /** Name of the metadata log in the node's storage. */
    public static final String LOG_FILE = "__cluster_metadata-0";

    final NodeContext ctx;
    final QuorumConfig config;
    final QuorumState quorum;
    final RaftLog log;
    final RaftProbe probe;
    final int selfId;
    final NodeId[] peers;
    final VoteHandler votes;
    final LeaderFetchHandler leaderFetch;
    final ReplicaFetcher fetcher;
    final LeaderDuties leader;
    /** The node's high watermark: monotone within one process lifetime, 0 after a restart. */
    long highWatermark;
    private RaftListener listener = RaftListener.NONE;
    private long appliedOffset;
    /** Whether the listener has been given anything by this process (a new listener first loads the latest snapshot). */
    private boolean listenerStarted;
    /** Set while a warm-start leader resumes its epoch (no LeaderChange record is written). */
    private boolean resumingLeadership;
    final MetadataLogCleaner cleaner;

    /**
     * @param voters node indices of the voters (observers are every other Raft node)
     * @param peers every node this node may send to, by node index (voters at least)
     */
    @SuppressWarnings("unchecked")
    public RaftNode(NodeContext ctx, QuorumConfig config, int[] voters, NodeId[] peers, RaftProbe probe) {
        this.ctx = ctx;
        this.config = config;
        this.probe = probe;
        this.peers = peers;
        this.selfId = ctx.self().index();
        DurableValue<ElectionState> store = ctx.storage().open(QUORUM_STATE_FILE, DurableValue.class,
                () -> new DurableValue<>(ElectionState.INITIAL));
        MetadataLogFile logFile = ctx.storage().open(LOG_FILE, MetadataLogFile.class, MetadataLogFile::new);
        this.log = new RaftLog(logFile);
        this.quorum = new QuorumState(ctx, store, selfId, voters);
        this.votes = new VoteHandler(this);
        this.leaderFetch = new LeaderFetchHandler(this);
        this.fetcher = new ReplicaFetcher(this);
        this.leader = new LeaderDuties(this);
        this.cleaner = new MetadataLogCleaner(ctx, log);
    }

    // ------------------------------------------------------------------ read-only views

    public EpochState state() {
        return quorum.state();
    }

    public int epoch() {
        return quorum.epoch();
    }

    public RaftLog log() {
        return log;
    }

    public boolean isVoter() {
        return quorum.isVoter();
    }

    /** The node's high watermark (for a leader: the last one it computed, in this epoch or before). */
    public long highWatermark() {
        return highWatermark;
    }

    /** The leader's HW in its epoch, -1 when not leader or not yet committed in its epoch. */
    public long leaderHighWatermark() {
        return quorum.state() instanceof LeaderState ? ((LeaderState) quorum.state()).highWatermark() : -1;
    }

    /** Local time at which the oldest client record not yet committed was accepted, or -1 (leaders only). */
    public long oldestUncommittedAppendNanos() {
        return quorum.isLeader() ? leader.oldestUncommittedAppendNanos() : -1;
    }

    /** Local time of the last classic heartbeat this leader sent, or -1. */
    public long lastHeartbeatNanos() {
        return leader.lastHeartbeatNanos();
    }

    /** Read-only, for checkers: the node index this replica's Fetch in flight went to, or -1 when none is. */
    public int fetchInFlightTarget() {
        return fetcher.inFlightTarget();
    }

    /** Whether a timer tag belongs to a Raft node (for processes that embed one, like a broker). */
    public static boolean ownsTimer(Object tag) {
        return tag instanceof RaftTimer || tag instanceof ParkedFetchTimer;
    }

    /** Whether a message is for a Raft node. */
    public static boolean ownsMessage(Message message) {
        return message instanceof RaftMessage || message instanceof ConnectionReset;
    }

    // ------------------------------------------------------------------ Node

    @Override
    public void onStart() {
        EpochState s = quorum.initialize(log.lastEpoch());
        ctx.trace("raft", "start in " + s + " logStart=" + log.startOffset() + " logEnd=" + log.endOffset()
                + (log.durable().latestSnapshot() == null ? "" : " snapshot=" + log.durable().latestSnapshot()));
        if (log.durable().latestSnapshot() != null) {
            cleaner.schedule();
        }
        armFor(s);
    }

    /**
     * Warm start: the state machine already holds {@code snapshot}'s image (the committed prefix the
     * run starts from); the listener continues after it, and the high watermark is known to be at
     * least its end. Before {@link #onStart} or {@link #startAsEstablishedLeader}.
     */
    public void assumeLoaded(RaftSnapshot snapshot) {
        probe.onLoadSnapshot(selfId, snapshot, false);
        appliedOffset = snapshot.endOffset();
        highWatermark = Math.max(highWatermark, snapshot.endOffset());
        listenerStarted = true;
    }

    /**
     * Warm start of the established leader: the process resumes leading the epoch its quorum-state
     * names (no election, no new LeaderChange record, whose offset {@code epochStartOffset} is in
     * the committed past); followers fetch from it at once. Instead of {@link #onStart}.
     */
    public void startAsEstablishedLeader(long epochStartOffset) {
        EpochState from = new UnattachedState(quorum.persisted().epoch(), ElectionState.NONE);
        quorum.initializeAsEstablishedLeader(epochStartOffset, log.endOffset(), ctx.now());
        if (log.durable().latestSnapshot() != null) {
            cleaner.schedule();
        }
        resumingLeadership = true;
        try {
            probe.onTransition(selfId, from, quorum.state());
            armFor(quorum.state());
        } finally {
            resumingLeadership = false;
        }
        listener.onStateChange(from, quorum.state());
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (message instanceof ConnectionReset) {
            fetcher.onConnectionReset(((ConnectionReset) message).peer().index());
            return;
        }
        RaftMessage m = (RaftMessage) message;
        int sender = from.index();
        if (!(m instanceof FetchRequest) && !(m instanceof FetchSnapshotRequest) && !(m instanceof ClientAppend)
                && m.epoch() > quorum.epoch()) {
            observeHigherEpoch(m.epoch(), leaderNamedBy(m, sender));
        }
        if (m instanceof FetchRequest) {
            leaderFetch.handle(sender, (FetchRequest) m);
        } else if (m instanceof FetchResponse) {
            fetcher.handleResponse(sender, (FetchResponse) m);
        } else if (m instanceof FetchSnapshotRequest) {
            leaderFetch.handleSnapshot(sender, (FetchSnapshotRequest) m);
        } else if (m instanceof FetchSnapshotResponse) {
            fetcher.handleSnapshotResponse(sender, (FetchSnapshotResponse) m);
        } else if (m instanceof VoteRequest) {
            votes.handleRequest(sender, (VoteRequest) m);
        } else if (m instanceof VoteResponse) {
            votes.handleResponse(sender, (VoteResponse) m);
        } else if (m instanceof BeginQuorumEpochRequest) {
            handleBeginQuorumEpoch(sender, (BeginQuorumEpochRequest) m);
        } else if (m instanceof Heartbeat) {
            handleHeartbeat(sender, (Heartbeat) m);
        } else if (m instanceof EndQuorumEpochRequest) {
            handleEndQuorumEpoch((EndQuorumEpochRequest) m);
        } else if (m instanceof ClientAppend) {
            leader.handleClientAppend(sender, (ClientAppend) m);
        } else if (m instanceof BeginQuorumEpochResponse || m instanceof ClientAppendReply) {
            return;
        } else {
            throw new IllegalArgumentException("unexpected message " + m);
        }
    }

    @Override
    public void onTimer(Object tag) {
        if (tag instanceof ParkedFetchTimer) {
            leaderFetch.expireParked(((ParkedFetchTimer) tag).replicaId());
            return;
        }
        switch ((RaftTimer) tag) {
            case ELECTION: votes.onElectionTimeout(); break;
            case BACKOFF: votes.startElection(); break;
            case FOLLOWER_TIMEOUT: onFollowerTimeout(); break;
            case FETCH_REQUEST: fetcher.onRequestTimeout(); break;
            case FETCH_RETRY: fetcher.sendFetch(); break;
            case CHECK_QUORUM: leader.onCheckQuorum(); break;
            case BEGIN_EPOCH_RESEND: leader.resendBeginQuorumEpoch(); break;
            case HEARTBEAT: leader.sendHeartbeats(); break;
            case LINGER: leader.appendAccumulated(); break;
            case LOG_CLEANER:
                cleaner.maybeClean();
                cleaner.schedule();
                break;
            default: throw new IllegalStateException("unknown timer " + tag);
        }
    }

    // ------------------------------------------------------------------ epoch messages

    /** The leader a message names for its epoch, or -1. */
    private static int leaderNamedBy(RaftMessage m, int sender) {
        if (m instanceof BeginQuorumEpochRequest || m instanceof Heartbeat) {
            return sender;
        }
        if (m instanceof FetchResponse) {
            return ((FetchResponse) m).leaderId();
        }
        if (m instanceof FetchSnapshotResponse) {
            return ((FetchSnapshotResponse) m).leaderId();
        }
        if (m instanceof VoteResponse) {
            return ((VoteResponse) m).leaderId();
        }
        if (m instanceof ClientAppendReply) {
            return ((ClientAppendReply) m).leaderId();
        }
        return -1;
    }

    /**
     * Any request or response with a higher epoch moves this node to it
     * (docs/model.md#raft-epoch-states).
     */
    void observeHigherEpoch(int epoch, int leaderId) {
        if (leaderId >= 0 && leaderId != selfId) {
            becomeFollower(epoch, leaderId);
        } else {
            becomeUnattached(epoch);
        }
    }

    private void handleBeginQuorumEpoch(int sender, BeginQuorumEpochRequest m) {
        acceptLeader(m.epoch(), sender);
        ctx.send(peers[sender], new BeginQuorumEpochResponse(quorum.epoch(), quorum.leaderId()));
    }

    private void handleHeartbeat(int sender, Heartbeat m) {
        acceptLeader(m.epoch(), sender);
    }

    /** A message from the leader of {@code epoch}: follow it if not already, note the contact. */
    private void acceptLeader(int epoch, int leaderId) {
        if (epoch != quorum.epoch()) {
            return;
        }
        EpochState s = quorum.state();
        if (s instanceof UnattachedState || s instanceof ProspectiveState || s instanceof CandidateState) {
            becomeFollower(epoch, leaderId);
        }
        if (quorum.state() instanceof FollowerState && quorum.leaderId() == leaderId) {
            onLeaderContact();
        }
    }

    /** Heard from the current leader: the classic policy resets its randomized timeout on any contact. */
    void onLeaderContact() {
        if (config.isClassic() && quorum.isVoter()) {
            ctx.setTimer(RaftTimer.FOLLOWER_TIMEOUT, config.timerPolicy().followerTimeoutNanos(ctx.random()));
        }
        probe.onLeaderContact(selfId, quorum.epoch(), quorum.leaderId());
    }

    /** EndQuorumEpoch: a follower of the resigning leader shortens its fetch timeout by its rank. */
    private void handleEndQuorumEpoch(EndQuorumEpochRequest m) {
        if (m.epoch() != quorum.epoch() || !quorum.isVoter() || !(quorum.state() instanceof FollowerState)
                || quorum.leaderId() != m.leaderId()) {
            return;
        }
        int position = m.preferredSuccessors().indexOf(selfId);
        long delay = ElectionBackoff.strictExponential(position, m.preferredSuccessors().size(),
                config.electionBackoffMaxNanos());
        ctx.setTimer(RaftTimer.FOLLOWER_TIMEOUT, delay);
    }

    private void onFollowerTimeout() {
        if (!(quorum.state() instanceof FollowerState)) {
            return;
        }
        if (quorum.isVoter()) {
            votes.startElection();
        } else {
            // Observer: keep the state, look for the leader through a random voter.
            fetcher.rediscover();
        }
    }

    // ------------------------------------------------------------------ transitions (side effects)

    void becomeUnattached(int epoch) {
        EpochState from = quorum.state();
        quorum.transitionToUnattached(epoch);
        afterTransition(from);
    }

    void becomeFollower(int epoch, int leaderId) {
        EpochState from = quorum.state();
        quorum.transitionToFollower(epoch, leaderId);
        afterTransition(from);
    }

    void becomeProspective() {
        EpochState from = quorum.state();
        quorum.transitionToProspective();
        afterTransition(from);
    }

    void becomeCandidate() {
        EpochState from = quorum.state();
        quorum.transitionToCandidate();
        afterTransition(from);
    }

    void becomeLeader() {
        EpochState from = quorum.state();
        quorum.transitionToLeader(log.endOffset(), highWatermark, ctx.now());
        afterTransition(from);
    }

    void resign() {
        EpochState from = quorum.state();
        quorum.transitionToResigned();
        afterTransition(from);
    }

    private void afterTransition(EpochState from) {
        if (from instanceof LeaderState) {
            leader.stop();
            leaderFetch.releaseParked();
        }
        probe.onTransition(selfId, from, quorum.state());
        armFor(quorum.state());
        listener.onStateChange(from, quorum.state());
    }

    /** Cancels the previous state's timers and starts the new state's work. */
    private void armFor(EpochState s) {
        ctx.cancelTimer(RaftTimer.ELECTION);
        ctx.cancelTimer(RaftTimer.BACKOFF);
        ctx.cancelTimer(RaftTimer.FOLLOWER_TIMEOUT);
        fetcher.reset();
        switch (s.kind()) {
            case UNATTACHED:
                if (quorum.isVoter()) {
                    armElectionTimer();
                } else {
                    fetcher.rediscover();
                }
                break;
            case FOLLOWER:
                ctx.setTimer(RaftTimer.FOLLOWER_TIMEOUT, quorum.isVoter()
                        ? config.timerPolicy().followerTimeoutNanos(ctx.random()) : config.fetchTimeoutNanos());
                fetcher.sendFetch();
                break;
            case PROSPECTIVE:
            case CANDIDATE:
                armElectionTimer();
                votes.requestVotes();
                break;
            case RESIGNED:
                armElectionTimer();
                break;
            case LEADER:
                leader.start((LeaderState) s, !resumingLeadership);
                break;
            default:
                throw new IllegalStateException("unknown state " + s);
        }
    }

    void armElectionTimer() {
        ctx.setTimer(RaftTimer.ELECTION, config.timerPolicy().electionTimeoutNanos(ctx.random()));
    }

    /** Raises the node's high watermark (never lowers it), reports it and hands new commits to the listener. */
    void advanceHighWatermark(long hw) {
        if (hw > highWatermark) {
            highWatermark = hw;
            probe.onHighWatermark(selfId, hw, log);
            if (listener != RaftListener.NONE) {
                deliver(hw);
            }
        }
    }

    /**
     * {@code KafkaRaftClient.updateListenersProgress}: a new listener (this process's first delivery)
     * or one behind the log start is given the latest snapshot first; then the committed records
     * after it, in order.
     */
    private void deliver(long hw) {
        RaftSnapshot latest = log.durable().latestSnapshot();
        if (latest != null && appliedOffset < hw && (!listenerStarted || appliedOffset < log.startOffset())) {
            ctx.trace("raft", "listener loads " + latest + " (applied " + appliedOffset + ", log start " + log.startOffset() + ")");
            probe.onLoadSnapshot(selfId, latest, isWritable());
            listener.onLoadSnapshot(latest);
            appliedOffset = latest.endOffset();
        }
        listenerStarted = true;
        if (appliedOffset < log.startOffset()) {
            // No snapshot covers the gap (KR-S10 SnapshotAtLogStart reports the log): skip it as Kafka cannot.
            ctx.trace("raft", "listener at " + appliedOffset + " is below the log start " + log.startOffset() + " without a snapshot");
            appliedOffset = log.startOffset();
        }
        // Test switch applyBeyondHighWatermark (KM-S2): uncommitted records too.
        long end = Math.min(config.bugs().applyBeyondHighWatermark() ? log.endOffset() : hw, log.endOffset());
        for (long o = appliedOffset; o < end; o++) {
            LogEntry e = log.get(o);
            probe.onApply(selfId, o, e);
            listener.onCommit(o, e);
        }
        appliedOffset = Math.max(appliedOffset, end);
        listener.onCommitsDone(appliedOffset);
    }

    /**
     * Whether this node's listener may write: it leads and has been given every record up to its
     * epoch start ({@code handleLeaderChange} naming itself has fired; the quorum controller claims).
     */
    boolean isWritable() {
        return quorum.state() instanceof LeaderState && appliedOffset > ((LeaderState) quorum.state()).epochStartOffset();
    }

    // ------------------------------------------------------------------ snapshots (KIP-630)

    /** The latest snapshot on this node's disk, or {@code null}. */
    public RaftSnapshot latestSnapshot() {
        return log.durable().latestSnapshot();
    }

    /**
     * The state machine froze a snapshot of its image at {@code snapshot.endOffset()}, a committed
     * offset this process has delivered (Kafka's {@code onSnapshotFrozen}); the log may now be cleaned
     * up to it.
     */
    public void addSnapshot(RaftSnapshot snapshot) {
        if (snapshot.endOffset() > highWatermark || snapshot.endOffset() > appliedOffset || snapshot.endOffset() < log.startOffset()) {
            throw new IllegalArgumentException("snapshot " + snapshot + " outside the delivered log [" + log.startOffset() + ", "
                    + Math.min(highWatermark, appliedOffset) + "] of " + ctx.self());
        }
        log.durable().addSnapshot(snapshot);
        ctx.trace("raft", "snapshot " + snapshot + " frozen (" + snapshot.sizeBytes() + " bytes)");
        cleaner.arm();
        cleaner.maybeClean();
    }

    /** {@code metadata.max.retention.bytes} and {@code metadata.max.retention.ms} (negative: no limit). */
    public void setLogRetention(long maxBytes, long maxNanos) {
        cleaner.setRetention(maxBytes, maxNanos);
    }

    /**
     * A fetched snapshot is complete (FetchSnapshot): keep it, and when it is past this log's end
     * ({@code truncateToLatestSnapshot}) empty the log to continue at its end; the high watermark
     * moves to it so the listener loads it.
     */
    void installFetchedSnapshot(RaftSnapshot snapshot) {
        log.durable().addSnapshot(snapshot);
        cleaner.arm();
        if (snapshot.epoch() > log.lastEpoch() || (snapshot.epoch() == log.lastEpoch() && snapshot.endOffset() > log.endOffset())) {
            ctx.trace("raft", "fetched " + snapshot + ": log truncated fully to start at " + snapshot.endOffset());
            log.advanceStartTo(snapshot);
            log.durable().removeSnapshotsBefore(snapshot.endOffset());
            advanceHighWatermark(snapshot.endOffset());
        } else {
            ctx.trace("raft", "fetched " + snapshot + " is not past the log end " + log.endOffset() + " (epoch " + log.lastEpoch() + ")");
        }
    }

    /** Sets who receives committed entries and state changes (a quorum controller or a broker's metadata loader). */
    public void setListener(RaftListener listener) {
        this.listener = listener;
    }

    /** Offsets below this were handed to the listener. */
    public long appliedOffset() {
        return appliedOffset;
    }

    /**
     * Leader only: accumulates one record for the next batch ({@code append.linger.ms}) and returns
     * the offset it will have, or -1 when this node is not leader.
     */
    public long appendAsLeader(long value, Object payload) {
        return appendAsLeader(value, payload, LogEntry.DEFAULT_RECORD_BYTES);
    }

    /** {@link #appendAsLeader(long, Object)} for a record of {@code sizeBytes} serialized bytes. */
    public long appendAsLeader(long value, Object payload, int sizeBytes) {
        return quorum.isLeader() ? leader.accumulate(value, payload, sizeBytes) : -1;
    }

    /** Leader only: the offset the next appended record will get (log end plus the records lingering); -1 otherwise. */
    public long nextAppendOffset() {
        return quorum.isLeader() ? leader.nextOffset() : -1;
    }

    /** The leader of the current epoch as this node knows it (node index), or -1. */
    public int knownLeader() {
        return quorum.leaderId();
    }

    /** The leader's epoch start offset, or -1 when not leader. */
    public long epochStartOffset() {
        return quorum.state() instanceof LeaderState ? ((LeaderState) quorum.state()).epochStartOffset() : -1;
    }

    /** Appends one new entry (a leader's) and reports it. */
    long append(int epoch, boolean control, long value, Object payload, int sizeBytes, boolean batchStart) {
        long offset = log.append(epoch, control, value, payload, sizeBytes, batchStart);
        probe.onAppend(selfId, offset, log.get(offset));
        return offset;
    }

    /** Appends one replicated entry and reports it. */
    long appendReplica(LogEntry entry) {
        long offset = log.appendReplica(entry);
        probe.onAppend(selfId, offset, log.get(offset));
        return offset;
    }

    @Override
    public String toString() {
        return "RaftNode(" + ctx.self() + ", " + quorum.state() + ", logEnd=" + log.endOffset() + ", hw=" + highWatermark + ")";
    }
}
