package dev.faultline.zookeeper.client;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.CreateMode;
import java.util.ArrayList;
import java.util.List;

/**
 * A process that only runs one ZooKeeper client, with an optional workload: every
 * {@code workloadIntervalNanos} it writes (alternately an ephemeral sequential znode under its own
 * path and a data update) and reads its path with a watch. Used by the ensemble tests and the
 * measurements; brokers embed {@link ZkClient} the same way.
 */
public final class ZkClientNode implements Node, ZkClientHolder, ZkClient.Watcher {
    /** The workload timer. */
    private record WorkloadTick() {
    }

    private final NodeContext ctx;
    private final List<NodeId> servers;
    private final long sessionTimeoutNanos;
    private ZkClient client;
    private int generation;
    private final List<ZkClient> handles = new ArrayList<>();
    private final long workloadIntervalNanos;
    private final String path;
    private final List<KeeperState> states = new ArrayList<>();
    private final List<ClientMessage.WatchEvent> events = new ArrayList<>();
    private final List<Result> results = new ArrayList<>();
    private long step;

    /**
     * @param workloadIntervalNanos 0 for no workload (tests drive {@link #client()} themselves)
     */
    public ZkClientNode(NodeContext ctx, List<NodeId> servers, long sessionTimeoutNanos, long workloadIntervalNanos) {
        this.ctx = ctx;
        this.servers = List.copyOf(servers);
        this.sessionTimeoutNanos = sessionTimeoutNanos;
        this.client = new ZkClient(ctx, ctx.self().name(), servers, sessionTimeoutNanos, this);
        handles.add(client);
        this.workloadIntervalNanos = workloadIntervalNanos;
        this.path = "/" + ctx.self().name();
    }

    @Override
    public void onStart() {
        client.start();
        if (workloadIntervalNanos > 0) {
            ctx.setTimer(new WorkloadTick(), workloadIntervalNanos);
        }
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (client.handles(from, message)) {
            client.onMessage(from, message);
        }
    }

    @Override
    public void onTimer(Object tag) {
        if (tag instanceof WorkloadTick) {
            runWorkloadStep();
            ctx.setTimer(tag, workloadIntervalNanos);
            return;
        }
        client.onTimer(tag);
    }

    private void runWorkloadStep() {
        if (client.state() != ClientState.CONNECTED) {
            return;
        }
        long s = step++;
        if (s == 0) {
            client.create(path, "v0", CreateMode.PERSISTENT, results::add);
        } else if (s % 2 == 1) {
            client.create(path + "/e-", "s" + s, CreateMode.EPHEMERAL_SEQUENTIAL, results::add);
        } else {
            client.setData(path, "v" + s, -1, results::add);
        }
        client.getData(path, true, results::add);
    }

    @Override
    public void onStateChange(KeeperState state) {
        states.add(state);
        if (state == KeeperState.Expired) {
            // As Kafka does: a dead handle is replaced by a new session (and a fresh workload).
            generation++;
            step = 0;
            client = new ZkClient(ctx, ctx.self().name() + "#" + generation, servers, sessionTimeoutNanos, this);
            handles.add(client);
            client.start();
        }
    }

    @Override
    public void onWatchEvent(ClientMessage.WatchEvent event) {
        events.add(event);
    }

    public ZkClient client() {
        return client;
    }

    @Override
    public List<ZkClient> zkClients() {
        return java.util.Collections.unmodifiableList(handles);
    }

    /** State changes seen by the default watcher, in order. */
    public List<KeeperState> states() {
        return java.util.Collections.unmodifiableList(states);
    }

    public List<ClientMessage.WatchEvent> events() {
        return java.util.Collections.unmodifiableList(events);
    }

    /** Results of the workload's operations. */
    public List<Result> results() {
        return java.util.Collections.unmodifiableList(results);
    }

    public long successfulWrites() {
        long n = 0;
        for (Result r : results) {
            if (r.code() == Code.OK && r.results() != null) {
                n++;
            }
        }
        return n;
    }
}
