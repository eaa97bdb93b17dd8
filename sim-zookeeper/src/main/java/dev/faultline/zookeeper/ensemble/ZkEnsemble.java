package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import it.unimi.dsi.fastutil.longs.Long2ObjectAVLTreeMap;
import java.util.ArrayList;
import java.util.List;

/**
 * An ensemble of ZooKeeper servers in a simulation: nodes {@code zk-1..zk-n} (sid = the number),
 * one {@link ZkHistory}, and read-only queries over the servers' state.
 */
public final class ZkEnsemble {
    private final Simulation sim;
    private final List<NodeId> servers;
    private final ZkHistory history;
    private final ZkConfig config;

    private ZkEnsemble(Simulation sim, List<NodeId> servers, ZkHistory history, ZkConfig config) {
        this.sim = sim;
        this.servers = List.copyOf(servers);
        this.history = history;
        this.config = config;
    }

    /** Adds {@code size} servers named {@code zk-1..zk-size} to the simulation (not started). */
    public static ZkEnsemble create(Simulation sim, int size, ZkConfig config) {
        return create(sim, size, config, null);
    }

    /** As {@link #create(Simulation, int, ZkConfig)}, the servers keeping {@code layout}'s znodes in columns. */
    public static ZkEnsemble create(Simulation sim, int size, ZkConfig config, PartitionZnodeLayout layout) {
        return create(sim, size, config, layout, false);
    }

    /**
     * As {@link #create(Simulation, int, ZkConfig, PartitionZnodeLayout)}; with {@code warm} the
     * servers' first processes load their logs at no CPU cost (an ensemble established before the run).
     */
    public static ZkEnsemble create(Simulation sim, int size, ZkConfig config, PartitionZnodeLayout layout, boolean warm) {
        ZkHistory history = new ZkHistory(size, sim::now);
        Long2ObjectAVLTreeMap<NodeId> peers = new Long2ObjectAVLTreeMap<>();
        List<NodeId> ids = new ArrayList<>();
        for (int i = 1; i <= size; i++) {
            final long sid = i;
            NodeId id = sim.addNode("zk-" + i, ctx -> new ZkServer(ctx, sid, peers, config, history, layout,
                    warm && sim.incarnation(ctx.self()) == 1));
            peers.put(sid, id);
            ids.add(id);
        }
        return new ZkEnsemble(sim, ids, history, config);
    }

    public List<NodeId> servers() {
        return servers;
    }

    public NodeId server(long sid) {
        return servers.get((int) sid - 1);
    }

    public ZkHistory history() {
        return history;
    }

    public ZkConfig config() {
        return config;
    }

    public int quorum() {
        return servers.size() / 2 + 1;
    }

    public void startAll() {
        for (NodeId id : servers) {
            if (!sim.isUp(id)) {
                sim.start(id);
            }
        }
    }

    /** The running server process, or {@code null}. */
    public ZkServer process(NodeId id) {
        return sim.process(id, ZkServer.class);
    }

    /**
     * The established leader with a quorum of servers serving in its epoch (leader established,
     * followers past UPTODATE), or {@code null}. A paused leader still counts: nobody can tell yet.
     */
    public NodeId establishedLeader() {
        for (NodeId id : servers) {
            ZkServer s = process(id);
            if (s != null && s.role() == ServerRole.LEADING && s.isServing()) {
                int serving = 0;
                for (NodeId other : servers) {
                    ZkServer o = process(other);
                    if (o != null && o.isServing() && o.epoch() == s.epoch()) {
                        serving++;
                    }
                }
                if (serving >= quorum()) {
                    return id;
                }
            }
        }
        return null;
    }

    /** Runs until a leader is established with a quorum up to date, or {@code deadlineNanos}; returns the leader or null. */
    public NodeId runUntilEstablished(long deadlineNanos, long stepNanos) {
        while (sim.now() < deadlineNanos && sim.violation() == null) {
            NodeId leader = establishedLeader();
            if (leader != null) {
                return leader;
            }
            sim.run(Math.min(deadlineNanos, sim.now() + stepNanos), Long.MAX_VALUE);
        }
        return establishedLeader();
    }

    /** The servers that are running and serving clients. */
    public List<NodeId> servingServers() {
        List<NodeId> out = new ArrayList<>();
        for (NodeId id : servers) {
            ZkServer s = process(id);
            if (s != null && s.isServing()) {
                out.add(id);
            }
        }
        return out;
    }
}
