package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.zookeeper.client.ClientMessage;
import dev.faultline.zookeeper.client.ClientMessage.Operation;
import dev.faultline.zookeeper.client.ClientPacket;
import dev.faultline.zookeeper.ensemble.WatchTrigger.EventType;
import it.unimi.dsi.fastutil.longs.Long2LongAVLTreeMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectAVLTreeMap;
import it.unimi.dsi.fastutil.longs.LongList;
import java.util.ArrayList;
import java.util.List;

/**
 * The client side of one server ({@code NIOServerCnxnFactory} plus the request pipeline's edges):
 * connections, session attach and creation, local reads with watch registration, writes routed to
 * the leader, replies once the write is applied here, watch events and SetWatches.
 */
final class ClientConnections {
    /** One client connection. */
    private static final class Connection {
        final long id;
        final NodeId client;
        final Channel channel;
        long sessionId;
        boolean attached;

        Connection(long id, NodeId client) {
            this.id = id;
            this.client = client;
            this.channel = new Channel(id);
        }
    }

    private final ZkServer server;
    private final NodeContext ctx;
    private final Long2ObjectAVLTreeMap<Connection> connections = new Long2ObjectAVLTreeMap<>();
    /** Sessions attached here: session id → connection id. */
    private final Long2LongAVLTreeMap connectionOfSession = new Long2LongAVLTreeMap();
    /** Pending session creations started here: session id → connection id. */
    private final Long2LongAVLTreeMap creating = new Long2LongAVLTreeMap();
    private final WatchManager watches = new WatchManager();
    /**
     * Writes submitted here and not yet applied: (session, xid) → the connection that sent them. The
     * reply goes back on that connection only; if the client has moved on, it already failed the
     * request with CONNECTIONLOSS and the reply is dropped. Looked up, never iterated.
     */
    private final java.util.HashMap<WriteKey, Long> pendingWrites = new java.util.HashMap<>();

    private record WriteKey(long sessionId, long xid) {
    }

    ClientConnections(ZkServer server) {
        this.server = server;
        this.ctx = server.ctx();
    }

    int size() {
        return connections.size();
    }

    void onTimer(Object tag) {
        throw new IllegalArgumentException("unexpected timer " + tag);
    }

    void onPacket(NodeId from, ClientPacket packet) {
        Connection c = connections.get(packet.connection());
        if (c == null) {
            if (!(packet.body() instanceof ClientMessage.ConnectRequest) || packet.seq() != 0) {
                return;
            }
            c = new Connection(packet.connection(), from);
            connections.put(c.id, c);
        }
        Channel.Verdict verdict = c.channel.accept(packet.connection(), packet.seq());
        if (verdict == Channel.Verdict.DUPLICATE) {
            return;
        }
        if (verdict == Channel.Verdict.BROKEN) {
            close(c, "gap on the connection");
            return;
        }
        ctx.work(server.config().costs().perRequestNanos());
        if (!server.isServing()) {
            // Not in a working quorum: no client sessions.
            close(c, "server not serving");
            return;
        }
        ClientMessage body = packet.body();
        if (body instanceof ClientMessage.ConnectRequest req) {
            onConnect(c, req);
            return;
        }
        if (!c.attached) {
            return;
        }
        server.touch(c.sessionId);
        if (body instanceof ClientMessage.Ping) {
            send(c, new ClientMessage.PingResponse());
        } else if (body instanceof ClientMessage.Request req) {
            onRequest(c, req);
        } else if (body instanceof ClientMessage.SetWatches sw) {
            onSetWatches(c, sw);
        } else if (body instanceof ClientMessage.CloseSession close) {
            server.submitWrite(c.sessionId, close.xid(), new Txn.CloseSession(c.sessionId));
        } else if (body instanceof ClientMessage.ConnectionClosed) {
            drop(c);
        } else {
            throw new IllegalArgumentException("unexpected client message " + body);
        }
    }

    void onConnectionReset(NodeId peer) {
        List<Connection> gone = new ArrayList<>();
        for (Connection c : connections.values()) {
            if (c.client.equals(peer)) {
                gone.add(c);
            }
        }
        for (Connection c : gone) {
            drop(c);
        }
    }

    private void onConnect(Connection c, ClientMessage.ConnectRequest req) {
        DataTree tree = server.tree();
        if (req.lastZxidSeen() > tree.lastProcessedZxid()) {
            // "Refusing session request for client as it has seen zxid ... our last zxid is ..."
            close(c, "client has seen zxid " + Zxid.format(req.lastZxidSeen()) + ", ours is "
                    + Zxid.format(tree.lastProcessedZxid()));
            return;
        }
        if (req.sessionId() == 0) {
            long sessionId = (server.sid() << 56) | (ctx.random().nextLong() & 0x00ff_ffff_ffff_ffffL);
            long timeout = server.config().negotiateSessionTimeout(req.timeoutNanos());
            c.sessionId = sessionId;
            creating.put(sessionId, c.id);
            server.submitWrite(sessionId, 0, new Txn.CreateSession(sessionId, timeout));
        } else {
            c.sessionId = req.sessionId();
            server.revalidate(req.sessionId(), c.id);
        }
    }

    /** The leader answered whether a re-attaching session is alive. */
    void onRevalidated(long sessionId, long connectionId, boolean valid) {
        Connection c = connections.get(connectionId);
        if (c == null || c.sessionId != sessionId) {
            return;
        }
        DataTree tree = server.tree();
        if (!valid || !tree.sessions().containsKey(sessionId)) {
            send(c, new ClientMessage.ConnectResponse(sessionId, 0));
            drop(c);
            return;
        }
        attach(c, sessionId, tree.sessions().get(sessionId));
    }

    private void attach(Connection c, long sessionId, long timeoutNanos) {
        // A session lives on one connection of this server at a time.
        if (connectionOfSession.containsKey(sessionId)) {
            Connection old = connections.get(connectionOfSession.get(sessionId));
            if (old != null && old != c) {
                drop(old);
            }
        }
        c.attached = true;
        connectionOfSession.put(sessionId, c.id);
        send(c, new ClientMessage.ConnectResponse(sessionId, timeoutNanos));
    }

    private void onRequest(Connection c, ClientMessage.Request req) {
        Operation op = req.operation();
        DataTree tree = server.tree();
        long zxid = tree.lastProcessedZxid();
        long znodeCost = server.config().costs().perZnodeNanos();
        if (op instanceof Operation.GetData get) {
            Stat stat = tree.stat(get.path());
            if (get.watch() && stat != null) {
                watches.addDataWatch(get.path(), c.id);
            }
            ctx.work(znodeCost);
            send(c, new ClientMessage.Response(req.xid(), zxid, stat == null ? Code.NONODE : Code.OK,
                    tree.data(get.path()), stat, null, null));
        } else if (op instanceof Operation.Exists exists) {
            Stat stat = tree.stat(exists.path());
            if (exists.watch()) {
                watches.addDataWatch(exists.path(), c.id);
            }
            ctx.work(znodeCost);
            send(c, new ClientMessage.Response(req.xid(), zxid, stat == null ? Code.NONODE : Code.OK, null, stat, null, null));
        } else if (op instanceof Operation.GetChildren get) {
            List<String> children = tree.children(get.path());
            if (get.watch() && children != null) {
                watches.addChildWatch(get.path(), c.id);
            }
            ctx.work(znodeCost * (1 + (children == null ? 0 : children.size())));
            send(c, new ClientMessage.Response(req.xid(), zxid, children == null ? Code.NONODE : Code.OK, null,
                    tree.stat(get.path()), children, null));
        } else if (op instanceof Operation.Write write) {
            pendingWrites.put(new WriteKey(c.sessionId, req.xid()), c.id);
            server.submitWrite(c.sessionId, req.xid(), new Txn.Ops(write.ops(), write.multi()));
        } else {
            throw new IllegalArgumentException("unknown operation " + op);
        }
    }

    /** SetWatches: fire at once what changed after the client's zxid, register the rest. */
    private void onSetWatches(Connection c, ClientMessage.SetWatches sw) {
        DataTree tree = server.tree();
        long rel = sw.relativeZxid();
        long now = tree.lastProcessedZxid();
        for (String path : sw.dataWatches()) {
            Stat stat = tree.stat(path);
            if (stat == null) {
                send(c, new ClientMessage.WatchEvent(path, EventType.NodeDeleted, now));
            } else if (stat.mzxid() > rel) {
                send(c, new ClientMessage.WatchEvent(path, EventType.NodeDataChanged, now));
            } else {
                watches.addDataWatch(path, c.id);
            }
        }
        for (String path : sw.existWatches()) {
            Stat stat = tree.stat(path);
            if (stat != null) {
                send(c, new ClientMessage.WatchEvent(path, EventType.NodeCreated, now));
            } else {
                watches.addDataWatch(path, c.id);
            }
        }
        for (String path : sw.childWatches()) {
            Stat stat = tree.stat(path);
            if (stat == null) {
                send(c, new ClientMessage.WatchEvent(path, EventType.NodeDeleted, now));
            } else if (stat.pzxid() > rel) {
                send(c, new ClientMessage.WatchEvent(path, EventType.NodeChildrenChanged, now));
            } else {
                watches.addChildWatch(path, c.id);
            }
        }
    }

    /** A transaction was applied here: fire watches first, then answer the client that issued it. */
    void onApplied(DataTree.Applied applied) {
        for (WatchTrigger t : applied.triggers()) {
            LongList targets = watches.trigger(t);
            for (int i = 0; i < targets.size(); i++) {
                Connection c = connections.get(targets.getLong(i));
                if (c != null) {
                    send(c, new ClientMessage.WatchEvent(t.path(), t.type(), t.zxid()));
                }
            }
        }
        TxnEntry entry = applied.entry();
        Txn txn = entry.txn();
        if (txn instanceof Txn.CreateSession cs) {
            if (entry.originSid() == server.sid() && creating.containsKey(cs.sessionId())) {
                Connection c = connections.get(creating.remove(cs.sessionId()));
                if (c != null) {
                    attach(c, cs.sessionId(), cs.timeoutNanos());
                }
            }
            return;
        }
        if (txn instanceof Txn.CloseSession close) {
            if (connectionOfSession.containsKey(close.sessionId())) {
                Connection c = connections.get(connectionOfSession.get(close.sessionId()));
                if (c != null) {
                    if (entry.originSid() == server.sid() && entry.cxid() != 0) {
                        send(c, new ClientMessage.Response(entry.cxid(), entry.zxid(), Code.OK, null, null, null, null));
                    }
                    close(c, "session closed");
                }
            }
            return;
        }
        if (entry.originSid() != server.sid()) {
            return;
        }
        Long connectionId = pendingWrites.remove(new WriteKey(entry.sessionId(), entry.cxid()));
        Connection c = connectionId == null ? null : connections.get(connectionId.longValue());
        if (c == null) {
            return;
        }
        List<DataTree.OpResult> results = applied.results();
        DataTree.OpResult first = results.isEmpty() ? null : results.get(0);
        send(c, new ClientMessage.Response(entry.cxid(), entry.zxid(), applied.code(), null,
                first == null ? null : first.stat(), first == null || first.path() == null ? null : List.of(first.path()), results));
    }

    /** The server left the quorum: every connection is closed. */
    void closeAll(String reason) {
        for (Connection c : new ArrayList<>(connections.values())) {
            close(c, reason);
        }
        creating.clear();
        pendingWrites.clear();
    }

    private void close(Connection c, String reason) {
        send(c, new ClientMessage.ConnectionClosed(reason));
        drop(c);
    }

    private void drop(Connection c) {
        connections.remove(c.id);
        if (c.attached && connectionOfSession.containsKey(c.sessionId) && connectionOfSession.get(c.sessionId) == c.id) {
            connectionOfSession.remove(c.sessionId);
        }
        watches.removeConnection(c.id);
    }

    private void send(Connection c, ClientMessage body) {
        ctx.send(c.client, new ClientPacket(c.id, c.channel.nextSend(), body));
    }
}
