package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.zookeeper.client.ClientPacket;
import it.unimi.dsi.fastutil.longs.Long2ObjectAVLTreeMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectSortedMap;
import java.util.List;

/**
 * A ZooKeeper server (a {@code QuorumPeer}). The {@link RoleOwner} holds its role; while LOOKING
 * it runs {@link FastLeaderElection}, while LEADING a {@link LeaderRole}, while FOLLOWING a
 * {@link FollowerRole}. Clients are served by {@link ClientConnections} only once this server is
 * part of a working quorum (leader established, or follower after UPTODATE).
 *
 * <p>Volatile state is rebuilt from {@link ZkDisk} at start: the data tree is the replay of the
 * whole transaction log, as real ZooKeeper loads snapshot plus log.
 */
public final class ZkServer implements Node, FastLeaderElection.Host {
    private final NodeContext ctx;
    private final long sid;
    private final ZkConfig config;
    private final ZkHistory history;
    private final PartitionZnodeLayout layout;
    /** A warm start's first process: it has been running since long ago, so loading its state costs nothing. */
    private boolean warmFirstLoad;
    private final Long2ObjectAVLTreeMap<NodeId> peers;
    private final ZkDisk disk;
    private final RoleOwner roles;
    private final FastLeaderElection election;
    private final ClientConnections clients;
    private DataTree tree;
    private LeaderRole leader;
    private FollowerRole follower;
    private Vote currentVote;
    private long generation;

    /**
     * @param peers every voting server of the ensemble by sid, this one included
     */
    public ZkServer(NodeContext ctx, long sid, Long2ObjectSortedMap<NodeId> peers, ZkConfig config, ZkHistory history) {
        this(ctx, sid, peers, config, history, null);
    }

    /**
     * @param layout the znodes the data tree keeps in columns ({@link PartitionZnodeLayout}), or null
     */
    public ZkServer(NodeContext ctx, long sid, Long2ObjectSortedMap<NodeId> peers, ZkConfig config, ZkHistory history,
                    PartitionZnodeLayout layout) {
        this(ctx, sid, peers, config, history, layout, false);
    }

    /**
     * @param warmFirstLoad the first process of a warm start (the ensemble was established before the
     *        run): loading its log at start charges no CPU
     */
    public ZkServer(NodeContext ctx, long sid, Long2ObjectSortedMap<NodeId> peers, ZkConfig config, ZkHistory history,
                    PartitionZnodeLayout layout, boolean warmFirstLoad) {
        this.layout = layout;
        this.warmFirstLoad = warmFirstLoad;
        this.ctx = ctx;
        this.sid = sid;
        this.config = config;
        this.history = history;
        this.peers = new Long2ObjectAVLTreeMap<>(peers);
        this.disk = new ZkDisk(ctx.storage());
        this.roles = new RoleOwner(sid);
        this.election = new FastLeaderElection(this, config);
        this.clients = new ClientConnections(this);
    }

    @Override
    public void onStart() {
        rebuildTree();
        ctx.trace("zk", "start sid=" + sid + " acceptedEpoch=" + disk.acceptedEpoch() + " currentEpoch="
                + disk.currentEpoch() + " lastZxid=" + Zxid.format(disk.lastLoggedZxid()));
        startLooking();
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (message instanceof Notification n) {
            onNotification(n);
        } else if (message instanceof ZabPacket p) {
            if (leader != null) {
                leader.onPacket(from, p);
            } else if (follower != null) {
                follower.onPacket(from, p);
            } else if (p.body() instanceof ZabMessage.FollowerInfo && p.seq() == 0) {
                // Not leading: the learner's connection is refused.
                ctx.send(from, new ZabPacket(p.connection(), 0, new ZabMessage.Close()));
            }
        } else if (message instanceof ConnectionProbe) {
            return;
        } else if (message instanceof ClientPacket p) {
            clients.onPacket(from, p);
        } else if (message instanceof ConnectionReset reset) {
            if (leader != null) {
                leader.onConnectionReset(reset.peer());
            } else if (follower != null) {
                follower.onConnectionReset(reset.peer());
            }
            clients.onConnectionReset(reset.peer());
        } else {
            throw new IllegalArgumentException("unexpected message " + message);
        }
    }

    @Override
    public void onTimer(Object tag) {
        if (tag instanceof FastLeaderElection.Timer t) {
            if (roles.role() == ServerRole.LOOKING) {
                Vote decided = election.onTimer(t);
                if (decided != null) {
                    decide(decided);
                }
            }
        } else if (tag instanceof RoleTimer t) {
            if (t.generation() != generation) {
                return;
            }
            if (leader != null) {
                leader.onTimer(t.kind());
            } else if (follower != null) {
                follower.onTimer(t.kind());
            }
        } else {
            clients.onTimer(tag);
        }
    }

    // ------------------------------------------------------------------ election

    private void onNotification(Notification n) {
        if (roles.role() == ServerRole.LOOKING) {
            Vote decided = election.onNotification(n);
            if (decided != null) {
                decide(decided);
            }
        } else if (n.state() == ServerRole.LOOKING) {
            // Not looking: answer a looking peer with the leader we are with.
            sendTo(n.sid(), new Notification(currentVote, election.logicalclock(), roles.role(), sid));
        }
    }

    private void decide(Vote vote) {
        election.stop();
        currentVote = vote;
        generation++;
        if (vote.leader() == sid) {
            roles.transitionToLeading();
            ctx.trace("zk", "LEADING logicalclock=" + election.logicalclock() + " vote=" + vote);
            leader = new LeaderRole(this, generation);
            leader.start();
        } else {
            roles.transitionToFollowing(vote.leader());
            ctx.trace("zk", "FOLLOWING " + vote.leader() + " logicalclock=" + election.logicalclock());
            follower = new FollowerRole(this, generation, vote.leader(), peers.get(vote.leader()));
            follower.start();
        }
    }

    private void startLooking() {
        currentVote = null;
        election.start();
        ctx.trace("zk", "LOOKING logicalclock=" + election.logicalclock() + " vote=" + election.proposal());
    }

    /** Leaves the current role (quorum lost, leader lost, sync failed) and starts an election. */
    void goLooking(String reason) {
        ctx.trace("zk", roles.role() + " -> LOOKING: " + reason);
        if (leader != null) {
            leader.shutdown();
        }
        if (follower != null) {
            follower.shutdown();
        }
        leader = null;
        follower = null;
        generation++;
        roles.transitionToLooking();
        clients.closeAll("server left the quorum");
        // The data tree goes back to what the log says (uncommitted proposals included, as at a load).
        rebuildTree();
        startLooking();
    }

    // ------------------------------------------------------------------ Host for FLE

    @Override
    public long sid() {
        return sid;
    }

    @Override
    public int ensembleSize() {
        return peers.size();
    }

    @Override
    public Vote selfVote() {
        return new Vote(sid, disk.lastLoggedZxid(), disk.currentEpoch());
    }

    @Override
    public void broadcast(Notification n) {
        for (var e : peers.long2ObjectEntrySet()) {
            if (e.getLongKey() != sid) {
                ctx.send(e.getValue(), n);
            }
        }
    }

    @Override
    public void sendTo(long peerSid, Notification n) {
        NodeId to = peers.get(peerSid);
        if (to != null && peerSid != sid) {
            ctx.send(to, n);
        }
    }

    @Override
    public void setTimer(Object tag, long delayNanos) {
        ctx.setTimer(tag, delayNanos);
    }

    @Override
    public void cancelTimer(Object tag) {
        ctx.cancelTimer(tag);
    }

    // ------------------------------------------------------------------ shared by the roles

    NodeContext ctx() {
        return ctx;
    }

    ZkConfig config() {
        return config;
    }

    ZkHistory history() {
        return history;
    }

    ZkDisk disk() {
        return disk;
    }

    DataTree tree() {
        return tree;
    }

    ClientConnections clients() {
        return clients;
    }

    int quorum() {
        return peers.size() / 2 + 1;
    }

    Long2ObjectAVLTreeMap<NodeId> peers() {
        return peers;
    }

    long sidOf(NodeId node) {
        for (var e : peers.long2ObjectEntrySet()) {
            if (e.getValue().equals(node)) {
                return e.getLongKey();
            }
        }
        return -1;
    }

    void send(NodeId to, Channel channel, ZabMessage body) {
        ctx.send(to, new ZabPacket(channel.connectionId(), channel.nextSend(), body));
    }

    /**
     * Replays the whole log into a fresh data tree, charging one znode's cost per transaction and
     * per znode a bulk {@link Op.CreatePartitions} created (what loading a snapshot of them costs).
     */
    void rebuildTree() {
        DataTree t = new DataTree(layout, config.bugs().closeSessionKeepsEphemerals());
        List<TxnEntry> entries = disk.log().entries();
        long bulk = 0;
        for (TxnEntry e : entries) {
            t.apply(e);
            bulk += e.txn().bulkZnodes();
        }
        if (!warmFirstLoad) {
            ctx.work(config.costs().perZnodeNanos() * ((long) entries.size() + bulk));
        }
        warmFirstLoad = false;
        tree = t;
    }

    /** Applies a committed transaction and lets the client connections react (watches, replies). */
    DataTree.Applied applyCommitted(TxnEntry entry) {
        DataTree.Applied applied = tree.apply(entry);
        ctx.work(config.costs().perZnodeNanos() * Math.max(1, applied.triggers().size()));
        clients.onApplied(applied);
        return applied;
    }

    /** Routes a client write to the leader (proposing it here when leading). */
    void submitWrite(long sessionId, long cxid, Txn txn) {
        if (leader != null) {
            leader.propose(sid, sessionId, cxid, txn);
        } else if (follower != null) {
            follower.forward(sessionId, cxid, txn);
        }
    }

    /** A client of this server did something: the session is touched (at the leader, eventually). */
    void touch(long sessionId) {
        if (leader != null) {
            leader.touch(sessionId);
        } else if (follower != null) {
            follower.touch(sessionId);
        }
    }

    /** Asks the leader whether a session a client re-attaches to is still alive. */
    void revalidate(long sessionId, long clientConnection) {
        if (leader != null) {
            clients.onRevalidated(sessionId, clientConnection, leader.touch(sessionId));
        } else if (follower != null) {
            follower.revalidate(sessionId, clientConnection);
        }
    }

    // ------------------------------------------------------------------ read-only views

    public ServerRole role() {
        return roles.role();
    }

    /** Whether this server serves clients: an established leader, or a follower after UPTODATE. */
    public boolean isServing() {
        return (leader != null && leader.isEstablished()) || (follower != null && follower.isUpToDate());
    }

    /** The epoch this server leads or follows in, or -1. */
    public long epoch() {
        if (leader != null) {
            return leader.newEpoch();
        }
        return follower != null ? follower.newEpoch() : -1;
    }

    public long acceptedEpoch() {
        return disk.acceptedEpoch();
    }

    public long currentEpoch() {
        return disk.currentEpoch();
    }

    public long lastLoggedZxid() {
        return disk.lastLoggedZxid();
    }

    /** The current FLE re-send interval (it backs off while no notification arrives). */
    public long notificationTimeoutNanos() {
        return election.notificationTimeoutNanos();
    }

    public long logicalclock() {
        return election.logicalclock();
    }

    /** The applied state (read only for checkers and tests). */
    public DataTree dataTree() {
        return tree;
    }

    public int clientConnectionCount() {
        return clients.size();
    }

    @Override
    public String toString() {
        return "ZkServer(sid " + sid + ", " + roles.role() + ", epoch " + epoch() + ", lastZxid "
                + Zxid.format(disk.lastLoggedZxid()) + ")";
    }
}
