package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import it.unimi.dsi.fastutil.longs.Long2ObjectAVLTreeMap;
import it.unimi.dsi.fastutil.longs.LongAVLTreeSet;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import it.unimi.dsi.fastutil.longs.LongList;
import java.util.AbstractList;
import java.util.ArrayList;
import java.util.List;

/**
 * The LEADING role (docs/model.md#discovery-synchronization-and-broadcast, {@code Leader.lead} and
 * {@code LearnerHandler}). Phases: DISCOVERY (waiting for a quorum of FOLLOWERINFO to pick the
 * epoch), EPOCH_ACK (waiting for a quorum of ACKEPOCH), NEWLEADER_ACK (learners synced, waiting for
 * a quorum of NEWLEADER acks) and BROADCAST (established). Each wait is bounded by
 * {@code initLimit*tickTime}; on expiry the server goes back to LOOKING. Once established, a
 * {@code tickTime/2} loop pings learners and, every full tick, checks that a quorum is still
 * synced.
 */
final class LeaderRole {
    enum Phase {
        DISCOVERY, EPOCH_ACK, NEWLEADER_ACK, BROADCAST
    }

    /** An outstanding proposal and the servers that logged it. */
    private static final class Proposal {
        final TxnEntry entry;
        final LongAVLTreeSet acks = new LongAVLTreeSet();

        Proposal(TxnEntry entry) {
            this.entry = entry;
        }
    }

    private final ZkServer server;
    private final NodeContext ctx;
    private final ZkConfig config;
    private final long generation;
    private final Long2ObjectAVLTreeMap<LearnerHandler> handlers = new Long2ObjectAVLTreeMap<>();
    private final Long2ObjectAVLTreeMap<Proposal> outstanding = new Long2ObjectAVLTreeMap<>();
    private final SessionTracker sessions;
    private Phase phase = Phase.DISCOVERY;
    private long newEpoch = -1;
    private long maxAcceptedEpoch;
    private long counter;
    private long tick;
    private boolean halfTick;
    /** Proposals logged but not yet fsynced (group commit, {@code SyncRequestProcessor}). */
    private final List<Proposal> unflushed = new ArrayList<>();

    LeaderRole(ZkServer server, long generation) {
        this.server = server;
        this.ctx = server.ctx();
        this.config = server.config();
        this.generation = generation;
        this.sessions = new SessionTracker(config.tickTimeNanos(), config.bugs().sessionExpiryRoundsDown());
    }

    void start() {
        maxAcceptedEpoch = server.disk().acceptedEpoch();
        ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.LEADER_PHASE_TIMEOUT), config.initLimitNanos());
        maybeDecideEpoch();
    }

    boolean isEstablished() {
        return phase == Phase.BROADCAST;
    }

    long newEpoch() {
        return newEpoch;
    }

    /** Leaves LEADING; as for a follower, the proposals it logged are fsynced (SyncRequestProcessor's group commit completes). */
    void shutdown() {
        if (!unflushed.isEmpty()) {
            ctx.fsync(server.disk().log());
            unflushed.clear();
        }
        for (LearnerHandler h : handlers.values()) {
            server.send(h.node, h.channel, new ZabMessage.Close());
        }
        handlers.clear();
    }

    // ------------------------------------------------------------------ packets

    void onPacket(NodeId from, ZabPacket packet) {
        if (packet.body() instanceof ZabMessage.FollowerInfo info) {
            onFollowerInfo(from, packet, info);
            return;
        }
        LearnerHandler h = handlerFor(from);
        if (h == null || packet.connection() != h.channel.connectionId()) {
            return;
        }
        Channel.Verdict verdict = h.channel.accept(packet.connection(), packet.seq());
        if (verdict != Channel.Verdict.IN_ORDER) {
            if (verdict == Channel.Verdict.BROKEN) {
                dropHandler(h, "gap on the connection");
            }
            return;
        }
        h.tickOfNextAckDeadline = tick + config.syncLimit();
        ctx.work(config.costs().perRequestNanos());
        ZabMessage body = packet.body();
        if (body instanceof ZabMessage.AckEpoch ack) {
            onAckEpoch(h, ack);
        } else if (body instanceof ZabMessage.Ack ack) {
            onAck(h, ack.zxid());
        } else if (body instanceof ZabMessage.PingReply reply) {
            for (Long session : reply.touchedSessions()) {
                touch(session);
            }
        } else if (body instanceof ZabMessage.Request request) {
            if (phase == Phase.BROADCAST) {
                propose(h.sid, request.sessionId(), request.cxid(), request.txn());
            }
        } else if (body instanceof ZabMessage.Revalidate rv) {
            boolean valid = phase == Phase.BROADCAST && touch(rv.sessionId());
            server.send(h.node, h.channel, new ZabMessage.RevalidateReply(rv.sessionId(), rv.clientConnection(), valid));
        } else if (body instanceof ZabMessage.Close) {
            dropHandler(h, "learner closed the connection");
        } else {
            throw new IllegalStateException("leader " + server.sid() + ": unexpected packet " + body);
        }
    }

    private LearnerHandler handlerFor(NodeId from) {
        long peerSid = server.sidOf(from);
        return peerSid < 0 ? null : handlers.get(peerSid);
    }

    void onConnectionReset(NodeId peer) {
        LearnerHandler h = handlerFor(peer);
        if (h != null) {
            dropHandler(h, "connection reset");
        }
    }

    private void dropHandler(LearnerHandler h, String reason) {
        handlers.remove(h.sid);
        // Closing the socket: the learner sees the FIN unless the link is cut.
        server.send(h.node, h.channel, new ZabMessage.Close());
        ctx.trace("zk", "leader drops learner " + h.sid + ": " + reason);
    }

    // ------------------------------------------------------------------ discovery

    private void onFollowerInfo(NodeId from, ZabPacket packet, ZabMessage.FollowerInfo info) {
        LearnerHandler h = new LearnerHandler(info.sid(), from, packet.connection(), info.acceptedEpoch(),
                tick + config.initLimit() + config.syncLimit());
        h.channel.accept(packet.connection(), packet.seq());
        handlers.put(info.sid(), h);
        ctx.work(config.costs().perRequestNanos());
        if (newEpoch < 0) {
            maxAcceptedEpoch = Math.max(maxAcceptedEpoch, info.acceptedEpoch());
            maybeDecideEpoch();
        } else {
            server.send(h.node, h.channel, new ZabMessage.LeaderInfo(newEpoch));
        }
    }

    /** {@code getEpochToPropose}: once a quorum (me included) connected, newEpoch = max(acceptedEpoch) + 1. */
    private void maybeDecideEpoch() {
        if (handlers.size() + 1 < server.quorum()) {
            return;
        }
        // Test switch zab.reuseAcceptedEpoch (ZabBugs, ZK-S1): the highest accepted epoch itself.
        newEpoch = config.bugs().reuseAcceptedEpoch() ? maxAcceptedEpoch : maxAcceptedEpoch + 1;
        server.disk().acceptedEpochFile().set(newEpoch);
        if (!config.bugs().acceptedEpochWithoutFsync()) { // test switch zab.acceptedEpochWithoutFsync (ZabBugs, ZK-S2)
            ctx.fsync(server.disk().acceptedEpochFile());
        }
        ctx.trace("zk", "leader proposes epoch " + newEpoch);
        phase = Phase.EPOCH_ACK;
        ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.LEADER_PHASE_TIMEOUT), config.initLimitNanos());
        for (LearnerHandler h : handlers.values()) {
            server.send(h.node, h.channel, new ZabMessage.LeaderInfo(newEpoch));
        }
    }

    private void onAckEpoch(LearnerHandler h, ZabMessage.AckEpoch ack) {
        h.epochAcked = true;
        h.peerCurrentEpoch = ack.currentEpoch();
        h.peerLastZxid = ack.lastLoggedZxid();
        if (phase != Phase.EPOCH_ACK) {
            if (phase != Phase.DISCOVERY) {
                syncLearner(h);
            }
            return;
        }
        long myEpoch = server.disk().currentEpoch();
        long myZxid = server.disk().lastLoggedZxid();
        if (ack.currentEpoch() > myEpoch || (ack.currentEpoch() == myEpoch && ack.lastLoggedZxid() > myZxid)) {
            server.goLooking("follower " + h.sid + " is ahead of the leader");
            return;
        }
        int acked = 1;
        for (LearnerHandler other : handlers.values()) {
            if (other.epochAcked) {
                acked++;
            }
        }
        if (acked < server.quorum()) {
            return;
        }
        server.disk().currentEpochFile().set(newEpoch);
        ctx.fsync(server.disk().currentEpochFile());
        phase = Phase.NEWLEADER_ACK;
        counter = 0;
        ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.LEADER_PHASE_TIMEOUT), config.initLimitNanos());
        for (LearnerHandler other : handlers.values()) {
            if (other.epochAcked) {
                syncLearner(other);
            }
        }
    }

    // ------------------------------------------------------------------ synchronization

    private void syncLearner(LearnerHandler h) {
        List<TxnEntry> committed = server.tree().applied();
        List<Long> zxids = new AbstractList<>() {
            @Override
            public Long get(int index) {
                return committed.get(index).zxid();
            }

            @Override
            public int size() {
                return committed.size();
            }
        };
        SyncPlan plan = SyncPlan.plan(h.peerLastZxid, zxids, config.committedLogWindow(), config.bugs());
        List<TxnEntry> entries = new ArrayList<>(committed.subList(plan.fromIndex(), committed.size()));
        int snapshotZnodes = 0;
        if (plan.kind() == SyncPlan.Kind.SNAP) {
            snapshotZnodes = server.tree().znodeCount();
            ctx.work(config.costs().perZnodeNanos() * snapshotZnodes);
        }
        ctx.work(config.costs().perTxnSyncNanos() * entries.size());
        if (plan.kind() == SyncPlan.Kind.TRUNC) {
            server.history().truncDecided(server.sid(), h.sid, plan.truncateToZxid(), ctx.now());
        }
        ctx.trace("zk", "sync learner " + h.sid + " peerLastZxid=" + Zxid.format(h.peerLastZxid) + " -> " + plan.kind()
                + (plan.kind() == SyncPlan.Kind.TRUNC ? " to " + Zxid.format(plan.truncateToZxid()) : "")
                + " +" + entries.size() + " txns");
        server.send(h.node, h.channel, new ZabMessage.Sync(plan.kind(), plan.truncateToZxid(), entries, snapshotZnodes));
        // Proposals not yet committed follow the committed ones (startForwarding).
        for (Proposal p : outstanding.values()) {
            server.send(h.node, h.channel, new ZabMessage.Proposal(p.entry));
        }
        server.send(h.node, h.channel, new ZabMessage.NewLeader(newEpoch));
        h.forwarding = true;
    }

    private void onAck(LearnerHandler h, long zxid) {
        if (zxid == Zxid.make(newEpoch, 0)) {
            h.newLeaderAcked = true;
            if (phase == Phase.BROADCAST) {
                server.send(h.node, h.channel, new ZabMessage.UpToDate());
            } else if (phase == Phase.NEWLEADER_ACK) {
                maybeEstablish();
            }
            return;
        }
        Proposal p = outstanding.get(zxid);
        if (p != null) {
            p.acks.add(h.sid);
            tryToCommit();
        }
    }

    private void maybeEstablish() {
        int acked = 1;
        for (LearnerHandler h : handlers.values()) {
            if (h.newLeaderAcked) {
                acked++;
            }
        }
        if (acked < server.quorum()) {
            return;
        }
        phase = Phase.BROADCAST;
        ctx.cancelTimer(new RoleTimer(generation, RoleTimer.Kind.LEADER_PHASE_TIMEOUT));
        ctx.trace("zk", "leader established epoch " + newEpoch + " with " + acked + " servers");
        server.history().established(newEpoch, server.sid(), ctx.now(), server.disk().log().entries());
        // The new leader's tracker re-arms every known session with a full timeout from now.
        long now = ctx.now();
        server.history().leaderActivated(server.sid(), now);
        for (var e : server.tree().sessions().long2LongEntrySet()) {
            sessions.track(e.getLongKey(), e.getLongValue(), now);
        }
        for (LearnerHandler h : handlers.values()) {
            if (h.newLeaderAcked) {
                server.send(h.node, h.channel, new ZabMessage.UpToDate());
            }
        }
        tick = 0;
        halfTick = false;
        for (LearnerHandler h : handlers.values()) {
            h.tickOfNextAckDeadline = tick + config.initLimit() + config.syncLimit();
        }
        ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.LEADER_HALF_TICK), config.tickTimeNanos() / 2);
        scheduleExpiry();
    }

    // ------------------------------------------------------------------ broadcast

    /** Assigns the next zxid, logs it durably (my own ACK) and sends the PROPOSAL to synced learners. */
    void propose(long originSid, long sessionId, long cxid, Txn txn) {
        if (phase != Phase.BROADCAST) {
            return;
        }
        if (txn instanceof Txn.CreateSession cs) {
            sessions.track(cs.sessionId(), cs.timeoutNanos(), ctx.now());
        }
        TxnEntry entry = new TxnEntry(Zxid.make(newEpoch, ++counter), originSid, sessionId, cxid, txn);
        server.disk().log().append(entry);
        ctx.work(config.costs().perRequestNanos());
        Proposal p = new Proposal(entry);
        outstanding.put(entry.zxid(), p);
        for (LearnerHandler h : handlers.values()) {
            if (h.forwarding) {
                server.send(h.node, h.channel, new ZabMessage.Proposal(entry));
            }
        }
        // The leader's own ACK counts once its log is fsynced; proposals that arrive meanwhile share
        // the fsync (a zero-delay timer runs after what is already queued: group commit).
        if (unflushed.isEmpty()) {
            ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.FLUSH), 0);
        }
        unflushed.add(p);
    }

    private void flush() {
        if (unflushed.isEmpty()) {
            return;
        }
        ctx.fsync(server.disk().log());
        for (Proposal p : unflushed) {
            p.acks.add(server.sid());
        }
        unflushed.clear();
        tryToCommit();
    }

    /** Commits proposals in zxid order while the lowest one has a quorum of ACKs. */
    private void tryToCommit() {
        // Test switch zab.commitWithoutQuorum (ZabBugs, ZK-S4): one ACK is enough.
        int needed = config.bugs().commitWithoutQuorum() ? 1 : server.quorum();
        while (!outstanding.isEmpty()) {
            Proposal p = outstanding.get(outstanding.firstLongKey());
            if (p.acks.size() < needed) {
                return;
            }
            outstanding.remove(p.entry.zxid());
            LongList ackers = new LongArrayList(p.acks);
            server.history().committed(server.sid(), p.entry, ackers);
            for (LearnerHandler h : handlers.values()) {
                if (h.forwarding) {
                    server.send(h.node, h.channel, new ZabMessage.Commit(p.entry.zxid()));
                }
            }
            if (p.entry.txn() instanceof Txn.CloseSession close) {
                sessions.remove(close.sessionId());
            }
            server.applyCommitted(p.entry);
        }
    }

    /** A touch reached the leader; false when the session is unknown or closing. */
    boolean touch(long sessionId) {
        if (phase != Phase.BROADCAST) {
            return false;
        }
        boolean alive = sessions.touch(sessionId, ctx.now());
        if (alive) {
            server.history().leaderTouched(server.sid(), sessionId, ctx.now());
        }
        return alive;
    }

    // ------------------------------------------------------------------ timers

    void onTimer(RoleTimer.Kind kind) {
        switch (kind) {
            case LEADER_PHASE_TIMEOUT:
                if (phase != Phase.BROADCAST) {
                    server.goLooking("timed out in " + phase + " after initLimit*tickTime");
                }
                break;
            case LEADER_HALF_TICK:
                onHalfTick();
                break;
            case SESSION_EXPIRY:
                expireSessions();
                break;
            case FLUSH:
                flush();
                break;
            default:
                throw new IllegalStateException("leader got timer " + kind);
        }
    }

    private void onHalfTick() {
        ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.LEADER_HALF_TICK), config.tickTimeNanos() / 2);
        if (halfTick) {
            tick++;
            int synced = 1;
            for (LearnerHandler h : handlers.values()) {
                if (h.synced(tick)) {
                    synced++;
                }
            }
            if (synced < server.quorum()) {
                server.goLooking("not sufficient followers synced, only " + synced + " of " + server.peers().size());
                return;
            }
        }
        halfTick = !halfTick;
        for (LearnerHandler h : handlers.values()) {
            server.send(h.node, h.channel, new ZabMessage.Ping());
        }
    }

    private void scheduleExpiry() {
        long now = ctx.now();
        long next = sessions.roundToNextInterval(now);
        ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.SESSION_EXPIRY), next - now);
    }

    private void expireSessions() {
        scheduleExpiry();
        long now = ctx.now();
        LongList expired = sessions.expire(now);
        for (int i = 0; i < expired.size(); i++) {
            long id = expired.getLong(i);
            ctx.trace("zk", "leader expires session 0x" + Long.toHexString(id));
            server.history().expiryProposed(server.sid(), id, sessions.timeoutOf(id), now);
            propose(server.sid(), id, 0, new Txn.CloseSession(id));
        }
    }
}
