package dev.faultline.core.determinism;

import dev.faultline.core.check.Invariant;
import dev.faultline.core.fault.Fault;
import dev.faultline.core.fault.FaultInjector;
import dev.faultline.core.fault.Target;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.core.net.LinkFault;
import dev.faultline.core.storage.DurableLog;
import dev.faultline.core.trace.RunResult;
import java.util.List;

/**
 * A random workload over the whole kernel: nodes gossip with random fan-out and random work,
 * log to disk, and suffer random crashes, power losses, pauses, partitions and lossy links. Used
 * by the determinism tests, including from a second JVM through {@link #main}.
 */
public final class RandomWorkload {
    private RandomWorkload() {
    }

    /** A gossip message with a hop count. */
    record Gossip(long id, int hops) implements Message {
        @Override
        public int sizeBytes() {
            return 100 + hops * 10;
        }
    }

    static final class Gossiper implements Node {
        private final NodeContext ctx;
        private final List<String> peers;
        private final DurableLog<Long> log;
        long received;

        @SuppressWarnings("unchecked")
        Gossiper(NodeContext ctx, List<String> peers) {
            this.ctx = ctx;
            this.peers = peers;
            this.log = ctx.storage().open("log", DurableLog.class, DurableLog::new);
        }

        @Override
        public void onStart() {
            ctx.setTimer("tick", ctx.random().nextLongBetween(Time.MILLISECOND, 20 * Time.MILLISECOND));
        }

        @Override
        public void onMessage(NodeId from, Message message) {
            received++;
            if (message instanceof Gossip g) {
                log.append(g.id());
                if (ctx.random().chance(0.2)) {
                    ctx.fsync(log);
                }
                ctx.work(ctx.random().nextLongBetween(0, 200 * Time.MICROSECOND));
                if (g.hops() < 3 && ctx.random().chance(0.5)) {
                    ctx.send(pick(), new Gossip(g.id(), g.hops() + 1));
                }
            }
        }

        @Override
        public void onTimer(Object tag) {
            SimRandom r = ctx.random();
            ctx.send(pick(), new Gossip(r.nextLong(), 0));
            if (r.chance(0.1)) {
                ctx.trace("state", "log=" + log.size());
            }
            ctx.setTimer("tick", r.nextLongBetween(Time.MILLISECOND, 20 * Time.MILLISECOND));
        }

        private NodeId pick() {
            return ctx.node(peers.get(ctx.random().nextInt(peers.size())));
        }
    }

    /** Builds and runs the workload; returns the kernel's result. */
    public static RunResult run(long seed, int nodes, long durationNanos) {
        Simulation sim = new Simulation(seed);
        sim.network().setDefaultConfig(new LinkConfig(new LatencyModel.LogNormal(500 * Time.MICROSECOND, 3 * Time.MILLISECOND), 1_000_000_000L));
        List<String> names = new java.util.ArrayList<>();
        for (int i = 0; i < nodes; i++) {
            names.add("n" + i);
        }
        for (String name : names) {
            sim.addNode(name, ctx -> new Gossiper(ctx, names));
        }
        sim.addInvariant(new Invariant() {
            @Override
            public String name() {
                return "NonNegativeClock";
            }

            @Override
            public void check(dev.faultline.core.check.CheckContext c) {
                if (c.now() < 0) {
                    c.fail(name(), "time went negative");
                }
            }
        });
        sim.startAll();
        FaultInjector faults = new FaultInjector(sim);
        SimRandom fr = sim.random("schedule");
        for (long t = 50 * Time.MILLISECOND; t < durationNanos; t += fr.nextLongBetween(20, 200) * Time.MILLISECOND) {
            Target victim = Target.node(names.get(fr.nextInt(nodes)));
            Fault f;
            switch (fr.nextInt(6)) {
                case 0: f = new Fault.Crash(victim, 30 * Time.MILLISECOND); break;
                case 1: f = new Fault.PowerLoss(victim, 40 * Time.MILLISECOND); break;
                case 2: f = new Fault.Pause(victim, 25 * Time.MILLISECOND); break;
                case 3: f = new Fault.Partition(Fault.PartitionKind.ISOLATE, List.of(victim), 50 * Time.MILLISECOND); break;
                case 4: f = new Fault.Links(victim, Target.nodes(names), true, new LinkFault(Time.MILLISECOND, 0.1, 0.1, 0.2), 60 * Time.MILLISECOND); break;
                default: f = new Fault.Slow(victim, 3.0, 40 * Time.MILLISECOND); break;
            }
            faults.scheduleAt(t, f);
        }
        return sim.run(durationNanos, Long.MAX_VALUE);
    }

    /** Prints the fingerprint of {@code run(seed, nodes, durationMs)}: used by the cross-JVM test. */
    public static void main(String[] args) {
        long seed = Long.parseLong(args[0]);
        int nodes = Integer.parseInt(args[1]);
        long durationMs = Long.parseLong(args[2]);
        RunResult r = run(seed, nodes, durationMs * Time.MILLISECOND);
        System.out.println(r.fingerprintHex() + " " + r.events());
    }
}
