package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.storage.DurableLog;
import it.unimi.dsi.fastutil.longs.LongAVLTreeSet;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * The FOLLOWING role ({@code Follower}, {@code Learner.syncWithLeader}): connect and send
 * FOLLOWERINFO, accept the epoch, apply the leader's sync, persist {@code currentEpoch} on
 * NEWLEADER, serve clients after UPTODATE; then log and ACK proposals (fsync first) and apply
 * COMMITs in order. The socket read timeout is {@code initLimit*tickTime} until UPTODATE and
 * {@code syncLimit*tickTime} afterwards; a timeout, a reset, a close or a gap sends the server back
 * to LOOKING.
 */
final class FollowerRole {
    private static final int MAX_CONNECT_ATTEMPTS = 5;
    /** {@code zookeeper.leaderConnectDelayDuringRetryMs} (100 ms since ZooKeeper 3.6; older learners slept 1 s). */
    private static final long CONNECT_RETRY_NANOS = 100 * dev.faultline.core.kernel.Time.MILLISECOND;

    enum Phase {
        CONNECTING, EPOCH_ACKED, SYNCED, UP_TO_DATE
    }

    private final ZkServer server;
    private final NodeContext ctx;
    private final ZkConfig config;
    private final long generation;
    private final long leaderSid;
    private final NodeId leaderNode;
    private Channel channel;
    private int connectAttempts;
    private final ArrayDeque<TxnEntry> pending = new ArrayDeque<>();
    /** Proposals received during sync: acknowledged only after NEWLEADER ({@code packetsNotCommitted}). */
    private final List<TxnEntry> unackedBeforeNewLeader = new ArrayList<>();
    /** Proposals logged but not yet fsynced (group commit). */
    private final List<TxnEntry> unflushed = new ArrayList<>();
    private final LongAVLTreeSet touched = new LongAVLTreeSet();
    private Phase phase = Phase.CONNECTING;
    private long newEpoch = -1;

    FollowerRole(ZkServer server, long generation, long leaderSid, NodeId leaderNode) {
        this.server = server;
        this.ctx = server.ctx();
        this.config = server.config();
        this.generation = generation;
        this.leaderSid = leaderSid;
        this.leaderNode = leaderNode;
    }

    /** Connects to the leader and sends FOLLOWERINFO ({@code Learner.connectToLeader}). */
    void start() {
        connectAttempts++;
        channel = new Channel(ctx.random().nextLong());
        server.send(leaderNode, channel, new ZabMessage.FollowerInfo(server.sid(), server.disk().acceptedEpoch()));
        armReadTimeout();
        armProbe();
    }

    /**
     * Simplification: the kernel tells only a sender that its peer's process died (a reset in
     * answer to a message). A real follower learns it at once from the FIN the dying process's OS
     * sends; to keep leader-crash detection close to immediate, the follower sends a tiny
     * {@link ConnectionProbe} to the leader every {@code connectionProbeInterval}; the leader ignores it.
     */
    private void armProbe() {
        ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.FOLLOWER_CONNECTION_PROBE), config.connectionProbeIntervalNanos());
    }

    boolean isUpToDate() {
        return phase == Phase.UP_TO_DATE;
    }

    long newEpoch() {
        return newEpoch;
    }

    /**
     * Leaves FOLLOWING. ZooKeeper's SyncRequestProcessor runs on its own thread and finishes the group
     * commit of what it has logged (it flushes as soon as its queue is empty, and its shutdown flushes
     * too), whatever the follower's state: a proposal this follower logged is fsynced even when the
     * leader's connection drops right after it, before this server votes with it. The model's
     * zero-delay FLUSH timer belongs to the role, so it is done here (no ACK: there is no leader).
     * Without it a follower paused with a PROPOSAL and the leader's reset queued voted with, and led
     * with, a zxid held only in its page cache, and a power loss then lost a committed txn
     * (EnsembleFaultPropertiesTest seed 1530346495, ZK-S5).
     */
    void shutdown() {
        if (!unflushed.isEmpty()) {
            ctx.fsync(server.disk().log());
            unflushed.clear();
        }
        server.send(leaderNode, channel, new ZabMessage.Close());
    }

    private void armReadTimeout() {
        long timeout = phase == Phase.UP_TO_DATE ? config.syncLimitNanos() : config.initLimitNanos();
        ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.FOLLOWER_READ_TIMEOUT), timeout);
    }

    void onTimer(RoleTimer.Kind kind) {
        switch (kind) {
            case FOLLOWER_READ_TIMEOUT:
                server.goLooking("read timeout from leader " + leaderSid + " in " + phase);
                break;
            case FOLLOWER_CONNECTION_PROBE:
                ctx.send(leaderNode, new ConnectionProbe());
                armProbe();
                break;
            case FOLLOWER_RECONNECT:
                start();
                break;
            case FLUSH:
                flush();
                break;
            default:
                throw new IllegalStateException("follower got timer " + kind);
        }
    }

    void onConnectionReset(NodeId peer) {
        if (peer.equals(leaderNode)) {
            server.goLooking("connection to leader " + leaderSid + " reset");
        }
    }

    void onPacket(NodeId from, ZabPacket packet) {
        if (!from.equals(leaderNode) || packet.connection() != channel.connectionId()) {
            return;
        }
        Channel.Verdict verdict = channel.accept(packet.connection(), packet.seq());
        if (verdict == Channel.Verdict.DUPLICATE) {
            return;
        }
        if (verdict == Channel.Verdict.BROKEN) {
            server.goLooking("gap on the connection to leader " + leaderSid);
            return;
        }
        armReadTimeout();
        ctx.work(config.costs().perRequestNanos());
        ZabMessage body = packet.body();
        if (body instanceof ZabMessage.LeaderInfo info) {
            onLeaderInfo(info.newEpoch());
        } else if (body instanceof ZabMessage.Sync sync) {
            onSync(sync);
        } else if (body instanceof ZabMessage.Proposal proposal) {
            onProposal(proposal.entry());
        } else if (body instanceof ZabMessage.NewLeader nl) {
            onNewLeader(nl.newEpoch());
        } else if (body instanceof ZabMessage.UpToDate) {
            phase = Phase.UP_TO_DATE;
            armReadTimeout();
            ctx.trace("zk", "follower up to date with leader " + leaderSid + " epoch " + newEpoch);
            server.history().upToDate(newEpoch, server.sid(), ctx.now());
        } else if (body instanceof ZabMessage.Commit commit) {
            onCommit(commit.zxid());
        } else if (body instanceof ZabMessage.Ping) {
            List<Long> sessions = new ArrayList<>(touched);
            touched.clear();
            server.send(leaderNode, channel, new ZabMessage.PingReply(sessions));
        } else if (body instanceof ZabMessage.RevalidateReply reply) {
            server.clients().onRevalidated(reply.sessionId(), reply.clientConnection(), reply.valid());
        } else if (body instanceof ZabMessage.Close) {
            if (phase == Phase.CONNECTING && connectAttempts < MAX_CONNECT_ATTEMPTS) {
                // Refused (the leader is not listening yet): try again after leaderConnectDelayDuringRetryMs, up to 5 times.
                ctx.cancelTimer(new RoleTimer(generation, RoleTimer.Kind.FOLLOWER_CONNECTION_PROBE));
                ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.FOLLOWER_RECONNECT), CONNECT_RETRY_NANOS);
                ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.FOLLOWER_READ_TIMEOUT), CONNECT_RETRY_NANOS + config.initLimitNanos());
                return;
            }
            server.goLooking("leader " + leaderSid + " closed the connection");
        } else {
            throw new IllegalStateException("follower " + server.sid() + ": unexpected packet " + body);
        }
    }

    private void onLeaderInfo(long epoch) {
        long accepted = server.disk().acceptedEpoch();
        if (epoch < accepted) {
            server.goLooking("leader " + leaderSid + " proposes epoch " + epoch + " below my acceptedEpoch " + accepted);
            return;
        }
        if (epoch > accepted) {
            server.disk().acceptedEpochFile().set(epoch);
            if (!config.bugs().acceptedEpochWithoutFsync()) { // test switch zab.acceptedEpochWithoutFsync (ZabBugs, ZK-S2)
                ctx.fsync(server.disk().acceptedEpochFile());
            }
        }
        newEpoch = epoch;
        phase = Phase.EPOCH_ACKED;
        server.send(leaderNode, channel, new ZabMessage.AckEpoch(server.disk().currentEpoch(), server.disk().lastLoggedZxid()));
    }

    private void onSync(ZabMessage.Sync sync) {
        DurableLog<TxnEntry> log = server.disk().log();
        switch (sync.kind()) {
            case SNAP:
                truncate(0);
                ctx.work(config.costs().perZnodeNanos() * sync.snapshotZnodes());
                break;
            case TRUNC:
                truncate(server.disk().lengthUpTo(sync.truncateToZxid()));
                break;
            default:
                break;
        }
        for (TxnEntry e : sync.entries()) {
            log.append(e);
            server.applyCommitted(e);
        }
        ctx.work(config.costs().perTxnSyncNanos() * sync.entries().size());
        ctx.trace("zk", "follower synced " + sync.kind() + " +" + sync.entries().size() + " txns, lastZxid "
                + Zxid.format(server.disk().lastLoggedZxid()));
    }

    private void truncate(int length) {
        DurableLog<TxnEntry> log = server.disk().log();
        if (length == log.size()) {
            return;
        }
        log.truncate(length);
        server.rebuildTree();
    }

    private void onProposal(TxnEntry entry) {
        server.disk().log().append(entry);
        pending.addLast(entry);
        if (config.bugs().ackWithoutFsync()) {
            // Test switch zab.ackWithoutFsync (ZabBugs, ZK-S4): ACK at once, the log left unsynced.
            if (phase == Phase.SYNCED || phase == Phase.UP_TO_DATE) {
                server.send(leaderNode, channel, new ZabMessage.Ack(entry.zxid()));
            } else {
                unackedBeforeNewLeader.add(entry);
            }
            return;
        }
        // forceSync: the ACK leaves only after the fsync; proposals queued meanwhile share it.
        if (unflushed.isEmpty()) {
            ctx.setTimer(new RoleTimer(generation, RoleTimer.Kind.FLUSH), 0);
        }
        unflushed.add(entry);
    }

    private void flush() {
        if (unflushed.isEmpty()) {
            return;
        }
        ctx.fsync(server.disk().log());
        for (TxnEntry entry : unflushed) {
            if (phase == Phase.SYNCED || phase == Phase.UP_TO_DATE) {
                server.send(leaderNode, channel, new ZabMessage.Ack(entry.zxid()));
            } else {
                // An ACK before NEWLEADER would count toward a commit while this server's currentEpoch
                // still names the old epoch, and FLE could then prefer a server without the txn.
                unackedBeforeNewLeader.add(entry);
            }
        }
        unflushed.clear();
    }

    private void onNewLeader(long epoch) {
        server.disk().currentEpochFile().set(epoch);
        ctx.fsync(server.disk().log(), server.disk().currentEpochFile());
        phase = Phase.SYNCED;
        server.send(leaderNode, channel, new ZabMessage.Ack(Zxid.make(epoch, 0)));
        unackedBeforeNewLeader.addAll(unflushed);
        unflushed.clear();
        for (TxnEntry e : unackedBeforeNewLeader) {
            server.send(leaderNode, channel, new ZabMessage.Ack(e.zxid()));
        }
        unackedBeforeNewLeader.clear();
    }

    private void onCommit(long zxid) {
        TxnEntry next = pending.peekFirst();
        if (next == null || next.zxid() != zxid) {
            server.goLooking("commit of " + Zxid.format(zxid) + " but next pending is "
                    + (next == null ? "none" : Zxid.format(next.zxid())));
            return;
        }
        pending.removeFirst();
        server.applyCommitted(next);
    }

    void forward(long sessionId, long cxid, Txn txn) {
        server.send(leaderNode, channel, new ZabMessage.Request(sessionId, cxid, txn));
    }

    void touch(long sessionId) {
        touched.add(sessionId);
    }

    void revalidate(long sessionId, long clientConnection) {
        server.send(leaderNode, channel, new ZabMessage.Revalidate(sessionId, clientConnection));
    }
}
