package dev.faultline.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.zookeeper.check.ZkInvariants;
import dev.faultline.zookeeper.client.ZkClientNode;
import dev.faultline.zookeeper.ensemble.ZkConfig;
import dev.faultline.zookeeper.ensemble.ZkEnsemble;
import dev.faultline.zookeeper.ensemble.ZkServer;
import java.util.ArrayList;
import java.util.List;

/** A simulated ensemble with clients, invariants on, and domain assertions. */
public final class ZkTestContext {
    public static final long MS = Time.MILLISECOND;

    public final Simulation sim;
    public final ZkEnsemble ensemble;
    public final List<NodeId> clients = new ArrayList<>();

    private ZkTestContext(Simulation sim, ZkEnsemble ensemble) {
        this.sim = sim;
        this.ensemble = ensemble;
    }

    public static ZkTestContext of(long seed, int servers, ZkConfig config) {
        Simulation sim = new Simulation(seed);
        sim.network().setDefaultConfig(new LinkConfig(new LatencyModel.Uniform(200 * Time.MICROSECOND, 800 * Time.MICROSECOND), 0));
        ZkEnsemble ensemble = ZkEnsemble.create(sim, servers, config);
        ZkInvariants.addAll(sim, ensemble);
        return new ZkTestContext(sim, ensemble);
    }

    public static ZkTestContext of(long seed, int servers) {
        return of(seed, servers, ZkConfig.defaults());
    }

    /** Adds a client process (not started until {@link #start}). */
    public NodeId addClient(String name, long sessionTimeoutNanos, long workloadIntervalNanos) {
        List<NodeId> servers = ensemble.servers();
        NodeId id = sim.addNode(name, ctx -> new ZkClientNode(ctx, servers, sessionTimeoutNanos, workloadIntervalNanos));
        clients.add(id);
        return id;
    }

    /** Collects protocol notes and lifecycle changes (for debugging a failing test). */
    public final List<String> notes = new ArrayList<>();

    /** Deliveries to this node are collected with the notes too. */
    public String deliveriesTo = "";

    public ZkTestContext withNotes() {
        sim.tracer().addSink(e -> {
            if (e instanceof dev.faultline.core.trace.TraceEvent.Note
                    || e instanceof dev.faultline.core.trace.TraceEvent.Lifecycle
                    || (e instanceof dev.faultline.core.trace.TraceEvent.Delivered d && d.to().equals(deliveriesTo))) {
                notes.add(e.toString());
            }
        });
        return this;
    }

    public void printNotes() {
        notes.forEach(System.out::println);
    }

    public ZkTestContext start() {
        sim.startAll();
        return this;
    }

    public ZkTestContext runFor(long nanos) {
        sim.runFor(nanos);
        assertNoViolation();
        return this;
    }

    public void assertNoViolation() {
        assertThat(sim.violation()).as(() -> sim.violation().report()).isNull();
    }

    public NodeId awaitLeader(long withinNanos) {
        NodeId leader = ensemble.runUntilEstablished(sim.now() + withinNanos, MS);
        assertNoViolation();
        assertThat(leader).as("an established leader with a quorum up to date by t=%s", Time.format(sim.now())).isNotNull();
        return leader;
    }

    public ZkServer server(NodeId id) {
        return ensemble.process(id);
    }

    public ZkClientNode client(NodeId id) {
        return sim.process(id, ZkClientNode.class);
    }
}
