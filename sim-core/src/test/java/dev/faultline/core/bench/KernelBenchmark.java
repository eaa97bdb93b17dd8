package dev.faultline.core.bench;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.core.trace.RunResult;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Kernel throughput: events per wall-clock second for (a) timers only, (b) request/response
 * ping-pong between two nodes, (c) 100 nodes exchanging messages all-to-all with random latency.
 * Each case warms up, then runs {@code rounds} measured rounds and prints the best and median.
 * Run with {@code ./bench kernel} (never part of {@code mvn verify}).
 */
public final class KernelBenchmark {
    private KernelBenchmark() {
    }

    record Ping(long n) implements Message {
    }

    /** (a) {@code nodes} nodes, each re-arming a 1 ms timer (random initial phase). */
    static Simulation timers(int nodes) {
        Simulation sim = new Simulation(1);
        for (int i = 0; i < nodes; i++) {
            sim.addNode("t" + i, ctx -> new Node() {
                @Override
                public void onStart() {
                    ctx.setTimer("tick", 1 + ctx.random().nextInt(1000));
                }

                @Override
                public void onMessage(NodeId from, Message m) {
                }

                @Override
                public void onTimer(Object tag) {
                    ctx.setTimer("tick", Time.MILLISECOND);
                }
            });
        }
        return sim;
    }

    /** (b) Two nodes bouncing one request/response pair over a 50 us link. */
    static Simulation pingPong() {
        Simulation sim = new Simulation(1);
        sim.network().setDefaultConfig(new LinkConfig(LatencyModel.constant(50 * Time.MICROSECOND), 0));
        NodeId[] ids = new NodeId[2];
        for (int i = 0; i < 2; i++) {
            int me = i;
            ids[i] = sim.addNode("p" + i, ctx -> new Node() {
                @Override
                public void onStart() {
                    if (me == 0) {
                        ctx.send(ids[1], new Ping(0));
                    }
                }

                @Override
                public void onMessage(NodeId from, Message m) {
                    ctx.send(from, new Ping(((Ping) m).n() + 1));
                }
            });
        }
        return sim;
    }

    /** (c) 100 nodes; each message is answered by a message to a random peer; lognormal latency. */
    static Simulation allToAll() {
        Simulation sim = new Simulation(1);
        sim.network().setDefaultConfig(new LinkConfig(new LatencyModel.LogNormal(500 * Time.MICROSECOND, 3 * Time.MILLISECOND), 0));
        List<NodeId> ids = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            ids.add(sim.addNode("n" + i, ctx -> new AllToAll(ctx, ids)));
        }
        return sim;
    }

    static final class AllToAll implements Node {
        private final NodeContext ctx;
        private final List<NodeId> peers;

        AllToAll(NodeContext ctx, List<NodeId> peers) {
            this.ctx = ctx;
            this.peers = peers;
        }

        @Override
        public void onStart() {
            for (int i = 0; i < 10; i++) {
                ctx.send(peers.get(ctx.random().nextInt(peers.size())), new Ping(i));
            }
        }

        @Override
        public void onMessage(NodeId from, Message m) {
            ctx.send(peers.get(ctx.random().nextInt(peers.size())), m);
        }
    }

    interface Case {
        Simulation build();
    }

    private static double measure(Case c, long events) {
        Simulation sim = c.build();
        sim.startAll();
        long start = System.nanoTime();
        RunResult r = sim.run(Long.MAX_VALUE, events);
        long elapsed = System.nanoTime() - start;
        if (r.events() < events) {
            throw new IllegalStateException("run ended early: " + r);
        }
        return r.events() / (elapsed / 1e9);
    }

    private static void run(String name, Case c, long events, int rounds) {
        for (int i = 0; i < 3; i++) {
            measure(c, events / 2);
        }
        double[] rates = new double[rounds];
        for (int i = 0; i < rounds; i++) {
            rates[i] = measure(c, events);
        }
        java.util.Arrays.sort(rates);
        System.out.printf(Locale.ROOT, "%-34s best %6.2f M events/s   median %6.2f M events/s   (%d rounds of %,d events)%n",
                name, rates[rounds - 1] / 1e6, rates[rounds / 2] / 1e6, rounds, events);
    }

    public static void main(String[] args) {
        long events = args.length > 0 ? Long.parseLong(args[0]) : 5_000_000L;
        int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 5;
        System.out.printf(Locale.ROOT, "Faultline kernel benchmark — Java %s, %d cores, max heap %d MiB%n",
                System.getProperty("java.version"), Runtime.getRuntime().availableProcessors(), Runtime.getRuntime().maxMemory() >> 20);
        run("(a) timers only, 100 nodes", () -> timers(100), events, rounds);
        run("(a) timers only, 1,000 nodes", () -> timers(1000), events, rounds);
        run("(a) timers only, 10,000 nodes", () -> timers(10_000), events, rounds);
        run("(b) ping-pong, 2 nodes", KernelBenchmark::pingPong, events, rounds);
        run("(c) all-to-all, 100 nodes", KernelBenchmark::allToAll, events, rounds);
    }
}
