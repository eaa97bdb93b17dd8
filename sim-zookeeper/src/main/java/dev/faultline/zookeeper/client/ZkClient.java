package dev.faultline.zookeeper.client;

import dev.faultline.core.check.ViolationReport;
import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.zookeeper.client.ClientMessage.Operation;
import dev.faultline.zookeeper.ensemble.Channel;
import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.CreateMode;
import dev.faultline.zookeeper.ensemble.Op;
import dev.faultline.zookeeper.ensemble.WatchTrigger.EventType;
import dev.faultline.zookeeper.ensemble.Zxid;
import it.unimi.dsi.fastutil.longs.Long2ObjectAVLTreeMap;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;

/**
 * The ZooKeeper client a broker embeds ({@code ZooKeeper} + {@code ClientCnxn},
 * docs/model.md#sessions, #client-and-watches). It is not a node: it lives inside its host node,
 * acts through the host's {@link NodeContext}, and the host hands it the messages
 * ({@link #handles}) and timers ({@link Timer}) addressed to it.
 *
 * <ul>
 *   <li>Connects to one server at a time; the connect attempt times out after
 *       {@code sessionTimeout / numberOfHosts}; a reset or a refusal moves to the next host after a
 *       random pause below 1 s (as {@code ClientCnxn} sleeps before reconnecting).</li>
 *   <li>{@code readTimeout = 2/3 * negotiatedTimeout}: nothing heard for that long means the
 *       connection is lost: {@code Disconnected}, every outstanding request fails with
 *       {@code CONNECTIONLOSS}, next host. A ping goes out when nothing was sent for
 *       {@code readTimeout/2} (at most every 10 s).</li>
 *   <li>Reconnects carry the session id and {@code lastZxidSeen} (updated from replies only);
 *       the result is {@code SyncConnected} with the same session, or {@code Expired} (terminal).
 *       The client never decides expiry itself.</li>
 *   <li>Watches are one-shot; after a reconnect the remaining ones are re-sent with SetWatches.</li>
 * </ul>
 */
public final class ZkClient {
    /** The default watcher and the watch callbacks. */
    public interface Watcher {
        void onStateChange(KeeperState state);

        void onWatchEvent(ClientMessage.WatchEvent event);
    }

    /** Timers of this client; the host passes every {@code ZkClient.Timer} to {@link #onTimer}. */
    public record Timer(String client, long connection, Kind kind) {
        public enum Kind {
            CONNECT_TIMEOUT, RECONNECT_PAUSE, PING, READ_TIMEOUT
        }
    }

    private record Pending(long xid, Operation operation, Consumer<Result> callback) {
    }

    private static final long MAX_SEND_PING_INTERVAL_NANOS = 10 * Time.SECOND;
    private static final long MAX_RECONNECT_PAUSE_NANOS = 1000 * Time.MILLISECOND;

    private final NodeContext ctx;
    private final String name;
    private final List<NodeId> servers;
    private final long requestedTimeoutNanos;
    private final Watcher watcher;
    private ClientState state = ClientState.NOT_STARTED;
    private int serverIndex;
    private NodeId server;
    private Channel channel;
    /** False once the client gave up the current connection: nothing more is read from it. */
    private boolean connectionOpen;
    private long sessionId;
    private long negotiatedTimeoutNanos;
    private long lastZxidSeen;
    private long maxObservedZxid;
    private long maxResponseZxidOnConnection;
    private long nextXid = 1;
    private final Long2ObjectAVLTreeMap<Pending> outstanding = new Long2ObjectAVLTreeMap<>();
    private final ArrayDeque<Pending> queued = new ArrayDeque<>();
    private final TreeSet<String> dataWatches = new TreeSet<>();
    private final TreeSet<String> existWatches = new TreeSet<>();
    private final TreeSet<String> childWatches = new TreeSet<>();
    /** ZK-S8 / ZK-S9 observations (see {@link #violations}). */
    private final List<ViolationReport> violations = new ArrayList<>();
    private int expiredEvents;
    /** A warm start's first connection: its first ping comes at a random phase of the ping interval. */
    private boolean randomFirstPing;

    /**
     * @param name unique among the clients of the host (timer tags carry it)
     * @param servers the connect string, in order; the client starts at a random one
     * @param sessionTimeoutNanos the requested session timeout (Kafka's {@code zookeeper.session.timeout.ms})
     */
    public ZkClient(NodeContext ctx, String name, List<NodeId> servers, long sessionTimeoutNanos, Watcher watcher) {
        this.ctx = ctx;
        this.name = name;
        this.servers = List.copyOf(servers);
        this.requestedTimeoutNanos = sessionTimeoutNanos;
        this.watcher = watcher;
    }

    // ------------------------------------------------------------------ lifecycle

    public void start() {
        serverIndex = ctx.random().nextInt(servers.size());
        connect();
    }

    /**
     * Warm start: this handle holds a session established before the run (its id, negotiated
     * timeout, the last zxid its client saw, and the watches it had set), so {@link #start} re-attaches
     * to it as after a reconnect (SetWatches re-registers the watches); its first ping comes at a
     * phase drawn from the node's stream. Call before {@link #start}.
     */
    public void resumeSession(long id, long negotiatedTimeout, long lastZxid, java.util.Collection<String> data,
                              java.util.Collection<String> children) {
        if (state != ClientState.NOT_STARTED) {
            throw new IllegalStateException(name + ": resumeSession before start only");
        }
        sessionId = id;
        negotiatedTimeoutNanos = negotiatedTimeout;
        lastZxidSeen = lastZxid;
        maxObservedZxid = lastZxid;
        dataWatches.addAll(data);
        childWatches.addAll(children);
        randomFirstPing = true;
    }

    /** Closes the session (a closeSession request) and the handle. */
    public void close() {
        if (state == ClientState.CONNECTED) {
            send(new ClientMessage.CloseSession(nextXid++));
        }
        failAll(Code.CONNECTIONLOSS);
        connectionOpen = false;
        state = ClientState.transition(name, state, ClientState.CLOSED);
        watcher.onStateChange(KeeperState.Closed);
    }

    private void connect() {
        state = ClientState.transition(name, state, ClientState.CONNECTING);
        server = servers.get(serverIndex % servers.size());
        channel = new Channel(ctx.random().nextLong());
        connectionOpen = true;
        maxResponseZxidOnConnection = 0;
        long timeout = sessionId == 0 ? requestedTimeoutNanos : negotiatedTimeoutNanos;
        send(new ClientMessage.ConnectRequest(sessionId, lastZxidSeen, timeout));
        ctx.setTimer(timer(Timer.Kind.CONNECT_TIMEOUT), Math.max(1, timeout / servers.size()));
    }

    private Timer timer(Timer.Kind kind) {
        return new Timer(name, channel.connectionId(), kind);
    }

    /** The connection is gone: tell the watcher, fail what was in flight, try the next host after a pause. */
    private void connectionLost(String reason) {
        boolean wasConnected = state == ClientState.CONNECTED;
        cancelConnectionTimers();
        if (connectionOpen) {
            // Closing the socket: the server sees the FIN unless the link is cut (or the server is gone).
            ctx.send(server, new ClientPacket(channel.connectionId(), channel.nextSend(), new ClientMessage.ConnectionClosed("client closed")));
        }
        connectionOpen = false;
        ctx.trace("zk-client", name + " connection to " + server + " lost: " + reason);
        Channel old = channel;
        if (state == ClientState.CONNECTED) {
            state = ClientState.transition(name, state, ClientState.CONNECTING);
        }
        if (wasConnected) {
            watcher.onStateChange(KeeperState.Disconnected);
            failAll(Code.CONNECTIONLOSS);
        }
        serverIndex++;
        ctx.setTimer(new Timer(name, old.connectionId(), Timer.Kind.RECONNECT_PAUSE),
                ctx.random().nextLong(MAX_RECONNECT_PAUSE_NANOS));
    }

    private void cancelConnectionTimers() {
        for (Timer.Kind k : Timer.Kind.values()) {
            ctx.cancelTimer(timer(k));
        }
    }

    // ------------------------------------------------------------------ inputs from the host

    /** Whether this message is addressed to this client. */
    public boolean handles(NodeId from, Message message) {
        if (message instanceof ClientPacket p) {
            return connectionOpen && p.connection() == channel.connectionId();
        }
        return connectionOpen && message instanceof ConnectionReset r && r.peer().equals(server)
                && (state == ClientState.CONNECTING || state == ClientState.CONNECTED);
    }

    public void onMessage(NodeId from, Message message) {
        if (!state.isAlive()) {
            return;
        }
        if (message instanceof ConnectionReset) {
            connectionLost("connection reset");
            return;
        }
        ClientPacket p = (ClientPacket) message;
        Channel.Verdict verdict = channel.accept(p.connection(), p.seq());
        if (verdict == Channel.Verdict.DUPLICATE) {
            return;
        }
        if (verdict == Channel.Verdict.BROKEN) {
            connectionLost("gap on the connection");
            return;
        }
        ClientMessage body = p.body();
        if (state == ClientState.CONNECTED) {
            ctx.setTimer(timer(Timer.Kind.READ_TIMEOUT), readTimeoutNanos());
        }
        if (body instanceof ClientMessage.ConnectResponse resp) {
            onConnectResponse(resp);
        } else if (body instanceof ClientMessage.ConnectionClosed closed) {
            connectionLost("server closed the connection: " + closed.reason());
        } else if (body instanceof ClientMessage.Response resp) {
            onResponse(resp);
        } else if (body instanceof ClientMessage.WatchEvent event) {
            onWatchEvent(event);
        } else if (body instanceof ClientMessage.PingResponse) {
            return;
        } else {
            throw new IllegalArgumentException("client " + name + ": unexpected " + body);
        }
    }

    /** A timer fired; returns false when the tag is not this client's. */
    public boolean onTimer(Object tag) {
        if (!(tag instanceof Timer t) || !t.client().equals(name)) {
            return false;
        }
        if (!state.isAlive()) {
            return true;
        }
        switch (t.kind()) {
            case RECONNECT_PAUSE:
                connect();
                break;
            case CONNECT_TIMEOUT:
                if (state == ClientState.CONNECTING && t.connection() == channel.connectionId()) {
                    connectionLost("connect timeout");
                }
                break;
            case READ_TIMEOUT:
                if (state == ClientState.CONNECTED && t.connection() == channel.connectionId()) {
                    connectionLost("read timeout of " + Time.format(readTimeoutNanos()));
                }
                break;
            case PING:
                if (state == ClientState.CONNECTED && t.connection() == channel.connectionId()) {
                    send(new ClientMessage.Ping());
                }
                break;
            default:
                throw new IllegalStateException("unknown timer " + t);
        }
        return true;
    }

    private void onConnectResponse(ClientMessage.ConnectResponse resp) {
        if (state != ClientState.CONNECTING) {
            return;
        }
        ctx.cancelTimer(timer(Timer.Kind.CONNECT_TIMEOUT));
        if (resp.timeoutNanos() <= 0) {
            state = ClientState.transition(name, state, ClientState.EXPIRED);
            connectionOpen = false;
            expiredEvents++;
            ctx.trace("zk-client", name + " session 0x" + Long.toHexString(sessionId) + " expired");
            dataWatches.clear();
            existWatches.clear();
            childWatches.clear();
            failAll(Code.SESSIONEXPIRED);
            watcher.onStateChange(KeeperState.Expired);
            return;
        }
        sessionId = resp.sessionId();
        negotiatedTimeoutNanos = resp.timeoutNanos();
        state = ClientState.transition(name, state, ClientState.CONNECTED);
        ctx.trace("zk-client", name + " connected to " + server + " session 0x" + Long.toHexString(sessionId));
        ctx.setTimer(timer(Timer.Kind.READ_TIMEOUT), readTimeoutNanos());
        long pingInterval = Math.min(readTimeoutNanos() / 2, MAX_SEND_PING_INTERVAL_NANOS);
        ctx.setTimer(timer(Timer.Kind.PING), pingInterval);
        if (!dataWatches.isEmpty() || !existWatches.isEmpty() || !childWatches.isEmpty()) {
            send(new ClientMessage.SetWatches(lastZxidSeen, new ArrayList<>(dataWatches), new ArrayList<>(existWatches),
                    new ArrayList<>(childWatches)));
        }
        while (!queued.isEmpty()) {
            Pending p = queued.pollFirst();
            outstanding.put(p.xid(), p);
            send(new ClientMessage.Request(p.xid(), p.operation()));
        }
        if (randomFirstPing) {
            // An established client is somewhere in its ping interval (after the sends above, which re-arm it).
            randomFirstPing = false;
            ctx.setTimer(timer(Timer.Kind.PING), 1 + ctx.random().fork("warm-start-ping").nextLong(Math.max(1, pingInterval)));
        }
        watcher.onStateChange(KeeperState.SyncConnected);
    }

    private void onResponse(ClientMessage.Response resp) {
        observe(resp.zxid(), "response to xid " + resp.xid());
        if (resp.zxid() > 0) {
            lastZxidSeen = Math.max(lastZxidSeen, resp.zxid());
        }
        maxResponseZxidOnConnection = Math.max(maxResponseZxidOnConnection, resp.zxid());
        Pending p = outstanding.remove(resp.xid());
        if (p == null) {
            return;
        }
        Operation op = p.operation();
        if (op instanceof Operation.GetData g && g.watch() && resp.code() == Code.OK) {
            dataWatches.add(g.path());
        } else if (op instanceof Operation.Exists e && e.watch()) {
            (resp.code() == Code.OK ? dataWatches : existWatches).add(e.path());
        } else if (op instanceof Operation.GetChildren g && g.watch() && resp.code() == Code.OK) {
            childWatches.add(g.path());
        }
        p.callback().accept(new Result(resp.code(), resp.zxid(), resp.data(), resp.stat(), resp.children(), resp.results()));
    }

    private void onWatchEvent(ClientMessage.WatchEvent event) {
        observe(event.zxid(), "watch event " + event);
        if (event.zxid() <= maxResponseZxidOnConnection) {
            violations.add(report("ZK-S9", name + ": " + event + " arrived after a response with zxid "
                    + Zxid.format(maxResponseZxidOnConnection)));
        }
        boolean registered;
        String path = event.path();
        if (event.type() == EventType.NodeChildrenChanged) {
            registered = childWatches.remove(path);
        } else if (event.type() == EventType.NodeDeleted) {
            registered = dataWatches.remove(path) | existWatches.remove(path) | childWatches.remove(path);
        } else {
            registered = dataWatches.remove(path) | existWatches.remove(path);
        }
        if (!registered) {
            violations.add(report("ZK-S9", name + ": " + event + " for a watch that is not (or no longer) set"));
        }
        watcher.onWatchEvent(event);
    }

    private ViolationReport report(String invariant, String message) {
        return new ViolationReport(invariant, message, ctx.self(), ctx.now());
    }

    private void observe(long zxid, String what) {
        if (zxid < maxObservedZxid) {
            violations.add(report("ZK-S8", name + ": " + what + " carries zxid " + Zxid.format(zxid) + " after "
                    + Zxid.format(maxObservedZxid) + " was observed"));
        }
        maxObservedZxid = Math.max(maxObservedZxid, zxid);
    }

    // ------------------------------------------------------------------ operations

    public void getData(String path, boolean watch, Consumer<Result> callback) {
        submit(new Operation.GetData(path, watch), callback);
    }

    public void exists(String path, boolean watch, Consumer<Result> callback) {
        submit(new Operation.Exists(path, watch), callback);
    }

    public void getChildren(String path, boolean watch, Consumer<Result> callback) {
        submit(new Operation.GetChildren(path, watch), callback);
    }

    public void create(String path, String data, CreateMode mode, Consumer<Result> callback) {
        submit(new Operation.Write(List.of(new Op.Create(path, data, mode)), false), callback);
    }

    public void setData(String path, String data, int version, Consumer<Result> callback) {
        submit(new Operation.Write(List.of(new Op.SetData(path, data, version)), false), callback);
    }

    public void delete(String path, int version, Consumer<Result> callback) {
        submit(new Operation.Write(List.of(new Op.Delete(path, version)), false), callback);
    }

    /** An atomic multi (with {@link Op.Check} ops for conditions). */
    public void multi(List<Op> ops, Consumer<Result> callback) {
        submit(new Operation.Write(ops, true), callback);
    }

    private void submit(Operation op, Consumer<Result> callback) {
        if (!state.isAlive()) {
            callback.accept(Result.failure(state == ClientState.EXPIRED ? Code.SESSIONEXPIRED : Code.CONNECTIONLOSS));
            return;
        }
        Pending p = new Pending(nextXid++, op, callback);
        if (state == ClientState.CONNECTED) {
            outstanding.put(p.xid(), p);
            send(new ClientMessage.Request(p.xid(), op));
        } else {
            queued.addLast(p);
        }
    }

    private void failAll(Code code) {
        List<Pending> failed = new ArrayList<>(outstanding.values());
        failed.addAll(queued);
        outstanding.clear();
        queued.clear();
        for (Pending p : failed) {
            p.callback().accept(Result.failure(code));
        }
    }

    private void send(ClientMessage body) {
        ctx.send(server, new ClientPacket(channel.connectionId(), channel.nextSend(), body));
        if (state == ClientState.CONNECTED) {
            ctx.setTimer(timer(Timer.Kind.PING), Math.min(readTimeoutNanos() / 2, MAX_SEND_PING_INTERVAL_NANOS));
        }
    }

    private long readTimeoutNanos() {
        return negotiatedTimeoutNanos * 2 / 3;
    }

    // ------------------------------------------------------------------ read-only views

    public ClientState state() {
        return state;
    }

    public long sessionId() {
        return sessionId;
    }

    public long negotiatedTimeoutNanos() {
        return negotiatedTimeoutNanos;
    }

    public long lastZxidSeen() {
        return lastZxidSeen;
    }

    public NodeId currentServer() {
        return server;
    }

    public String name() {
        return name;
    }

    /** How many times this handle saw {@code Expired}. */
    public int expiredEvents() {
        return expiredEvents;
    }

    /**
     * ZK-S8 / ZK-S9 observations, typed, in the order they were made, each about this client's host
     * node and stamped with its clock (ClientObservations reports the first, after the event).
     */
    public List<ViolationReport> violations() {
        return java.util.Collections.unmodifiableList(violations);
    }
}
