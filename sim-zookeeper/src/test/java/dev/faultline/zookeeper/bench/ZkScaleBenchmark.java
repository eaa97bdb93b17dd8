package dev.faultline.zookeeper.bench;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import dev.faultline.zookeeper.kafka.ZkControlPlane;
import java.util.Locale;

/**
 * ZooKeeper mode at scale (issue 11): for each partition count, an idle cluster of 6 brokers and 3
 * ZooKeeper servers, replication factor 3, one topic; the active controller crashes at 60 s (a
 * controller failover and a broker crash at once), and the run goes to 150 s of virtual time.
 * Prints wall time, simulated/wall, events/s, the failover phases and heap per idle partition
 * replica (heap after setup minus the heap before building the cluster, over partitions x RF).
 * A plain main (never run by {@code mvn verify}); take the Maven lock for figures you quote.
 *
 * <pre>
 * ./bench zk-scale [PARTITIONS...] [--cold] [--seed N] [--brokers N] [--fault controller|broker|election|none]
 *                  [--duration S] [--fault-at S] [--topics T] [--latency-us U] [--config key=value]
 * </pre>
 * Defaults: 10000 100000 1000000, warm start, seed 1, 6 brokers, controller crash at 60 s, 150 s.
 */
public final class ZkScaleBenchmark {
    private ZkScaleBenchmark() {
    }

    /** One-way network latency (constant); the default is the simulator's LAN default, 0.5 ms. */
    private static long oneWayLatencyNanos = 500 * Time.MICROSECOND;
    /** Cluster configuration given with {@code --config key=value}. */
    private static final java.util.Map<String, String> config = new java.util.TreeMap<>();

    public static void main(String[] args) {
        java.util.List<Integer> sizes = new java.util.ArrayList<>();
        boolean warm = true;
        long seed = 1;
        int brokers = 6;
        int topics = 1;
        String fault = "controller";
        long durationS = 150;
        long faultAtS = 60;
        for (int i = 0; i < args.length; i++) {
            switch (args[i]) {
                case "--config" -> {
                    String[] kv = args[++i].split("=", 2);
                    config.put(kv[0], kv[1]);
                }
                case "--latency-us" -> oneWayLatencyNanos = Long.parseLong(args[++i]) * Time.MICROSECOND;
                case "--cold" -> warm = false;
                case "--seed" -> seed = Long.parseLong(args[++i]);
                case "--brokers" -> brokers = Integer.parseInt(args[++i]);
                case "--topics" -> topics = Integer.parseInt(args[++i]);
                case "--fault" -> fault = args[++i];
                case "--duration" -> durationS = Long.parseLong(args[++i]);
                case "--fault-at" -> faultAtS = Long.parseLong(args[++i]);
                default -> sizes.add(parseCount(args[i]));
            }
        }
        if (sizes.isEmpty()) {
            sizes = java.util.List.of(10_000, 100_000, 1_000_000);
        }
        System.out.printf(Locale.ROOT, "ZooKeeper mode, %d brokers, 3 ZooKeeper servers, RF 3, %d topic(s), %s start, fault %s at %d s, "
                        + "%d s simulated, one-way latency %s%n",
                brokers, topics, warm ? "warm" : "cold", fault, faultAtS, durationS, Time.format(oneWayLatencyNanos));
        // Warm-up: the same code paths on a small cluster.
        for (int i = 0; i < 2; i++) {
            run(2_000, brokers, Math.min(topics, 1_000), warm, 100 + i, fault, 30, 20, false);
        }
        for (int partitions : sizes) {
            run(partitions, brokers, topics, warm, seed, fault, durationS, faultAtS, true);
        }
    }

    private static int parseCount(String s) {
        String t = s.toLowerCase(Locale.ROOT);
        if (t.endsWith("m")) {
            return (int) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1_000_000);
        }
        if (t.endsWith("k")) {
            return (int) (Double.parseDouble(t.substring(0, t.length() - 1)) * 1_000);
        }
        return Integer.parseInt(t);
    }

    private static void run(int partitions, int brokers, int topics, boolean warm, long seed, String fault, long durationS, long faultAtS,
                            boolean print) {
        long baseline = print ? usedHeapAfterGc() : 0;
        ClusterSpec.Builder b = ClusterSpec.builder().brokers(brokers).warmStart(warm);
        config.forEach(b::config);
        for (int t = 0; t < topics; t++) {
            b.topic(topics == 1 ? "orders" : "topic-" + t, partitions / topics + (t < partitions % topics ? 1 : 0), 3);
        }
        ClusterSpec spec = b.build();
        long wallStart = System.nanoTime();
        KafkaCluster c = KafkaCluster.builder(spec).seed(seed).controlPlane(new ZkControlPlane())
                .link(new dev.faultline.core.net.LinkConfig(dev.faultline.core.net.LatencyModel.constant(oneWayLatencyNanos), 0)).build();
        c.start();
        RunResult setup = c.runFor(5 * Time.SECOND);
        long setupWall = System.nanoTime() - wallStart;
        long afterSetup = print ? usedHeapAfterGc() : 0;
        long pauseStart = System.nanoTime();
        c.runFor((faultAtS - 5) * Time.SECOND);
        if (print && Boolean.getBoolean("zk.bench.leaderless")) {
            printIsrs(c, partitions, "before the fault");
        }
        NodeId controller = c.controlPlane().activeController();
        switch (fault) {
            case "controller" -> {
                if (controller != null) {
                    c.crash(ClusterSpec.brokerIdOf(controller.name()));
                }
            }
            case "broker" -> c.crash(controller != null && ClusterSpec.brokerIdOf(controller.name()) == 1 ? 2 : 1);
            case "election" -> {
                // An administrator deletes /controller (as the scenario fault force-controller-election).
                var sim = c.sim();
                var servers = ((ZkControlPlane) c.controlPlane()).ensemble().servers();
                NodeId admin = sim.addNode("admin", ctx -> new dev.faultline.zookeeper.client.ZkClientNode(ctx, servers, 30 * Time.SECOND, 0));
                sim.start(admin);
                sim.schedule(sim.now() + Time.SECOND, () -> sim.process(admin, dev.faultline.zookeeper.client.ZkClientNode.class)
                        .client().delete("/controller", -1, r -> { }));
            }
            case "none" -> {
            }
            default -> throw new IllegalArgumentException("unknown fault " + fault);
        }
        long electionReadyNanos = -1;
        if (fault.equals("election")) {
            // No failover opens for a controller move: step until a newer controller is ready.
            ZkControlPlane plane = (ZkControlPlane) c.controlPlane();
            int before = plane.readyControllerEpoch();
            long deleteAt = c.sim().now() + Time.SECOND;
            long endAt = c.sim().now() + (durationS - faultAtS) * Time.SECOND;
            while (c.sim().now() < endAt && plane.readyControllerEpoch() <= before) {
                c.runFor(10 * Time.MILLISECOND);
            }
            if (plane.readyControllerEpoch() > before) {
                electionReadyNanos = c.sim().now() - deleteAt;
            }
        }
        RunResult end = c.runFor(Math.max(0, faultAtS * Time.SECOND + (durationS - faultAtS) * Time.SECOND - c.sim().now()));
        long wall = System.nanoTime() - wallStart;
        if (!print) {
            return;
        }
        long replicas = (long) partitions * 3;
        double wallS = wall / 1e9;
        System.out.printf(Locale.ROOT, "%,9d partitions: %6.1f s wall (setup %.1f s), %5.1fx real time, %,d events, %,.0f events/s, "
                        + "heap %.1f MiB over baseline = %.1f B per idle partition replica%n",
                partitions, wallS, setupWall / 1e9, durationS / wallS, end.events(), end.events() / wallS,
                (afterSetup - baseline) / 1048576.0, (double) (afterSetup - baseline) / replicas);
        for (FailoverMeasurement f : c.failover().measurements()) {
            System.out.println("    " + f);
        }
        if (electionReadyNanos >= 0) {
            System.out.println("    controller moved by an administrator: the new controller was ready " + Time.format(electionReadyNanos)
                    + " after /controller was deleted");
        }
        if (c.sim().violation() != null) {
            System.out.println("    VIOLATION " + c.sim().violation().report());
        }
        System.out.println("    fingerprint " + end.fingerprintHex() + ", setup events " + setup.events());
        if (Boolean.getBoolean("zk.bench.leaderless")) {
            printIsrs(c, partitions, "at the end");
        }
        if (pauseStart < 0) {
            throw new AssertionError();
        }
    }

    private static void printIsrs(KafkaCluster c, int partitions, String when) {
        {
            int leaderless = 0;
            int[] isrSizes = new int[4];
            for (int p = 0; p < partitions; p++) {
                PartitionState s = c.controlPlane().partitionStates().state(p);
                if (s != null && !s.hasLeader()) {
                    leaderless++;
                }
                if (s != null) {
                    isrSizes[Math.min(3, s.isr().size())]++;
                }
            }
            System.out.println("    " + when + ": leaderless " + leaderless + ", ISR sizes 0..3: " + java.util.Arrays.toString(isrSizes)
                    + ", controller " + c.controlPlane().activeController() + " at " + Time.format(c.sim().now()));
        }
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 4; i++) {
            System.gc();
            try {
                Thread.sleep(50);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
