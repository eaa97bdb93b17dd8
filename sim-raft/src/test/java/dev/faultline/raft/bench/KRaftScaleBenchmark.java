package dev.faultline.raft.bench;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import dev.faultline.raft.kraft.KRaftControlPlane;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * KRaft at scale (issue 11): for each partition count, a cluster of 6 brokers (or {@code --brokers N}) and 3 dedicated
 * controllers with one topic at replication factor 3, no workload (the canary writes during the
 * broker failover), 150 s of virtual time: the active controller crashes at 60 s and broker-2 at
 * 100 s. Prints, per size: setup wall time, run wall time, simulated/wall, events and events/s of
 * the run, heap per partition replica after setup (heap in use after a GC minus the baseline before
 * the cluster was built, over partitions × RF), and each failover's phases. Warm start by default
 * ({@code ClusterSpec.warmStart}); {@code --cold} starts from booting processes (the controller then
 * creates the partitions at start-up, so setup includes that replay). Never run by
 * {@code mvn verify}.
 *
 * <p>Args: {@code [--cold] [--brokers N] [partitions...]} (6 brokers by default) (default 10000 100000 1000000 2000000; {@code 1m},
 * {@code 100k} accepted). Run one size per JVM for clean heap figures, e.g. from the root:
 * <pre>
 * mvn -B -o -q -pl sim-raft -am -DskipTests test-compile dependency:build-classpath -Dmdep.outputFile=target/bench.classpath -Dmdep.includeScope=test
 * java -Xmx8g -XX:+UseParallelGC -cp sim-raft/target/test-classes:sim-raft/target/classes:$(cat sim-raft/target/bench.classpath) \
 *     dev.faultline.raft.bench.KRaftScaleBenchmark 2m
 * </pre>
 */
public final class KRaftScaleBenchmark {
    private static final long S = Time.SECOND;

    private KRaftScaleBenchmark() {
    }

    public static void main(String[] args) {
        boolean cold = false;
        int brokers = 6;
        List<Integer> sizes = new ArrayList<>();
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            if (a.equals("--cold")) {
                cold = true;
            } else if (a.equals("--brokers") && i + 1 < args.length) {
                brokers = Integer.parseInt(args[++i]);
            } else {
                sizes.add(parseCount(a));
            }
        }
        if (sizes.isEmpty()) {
            sizes = List.of(10_000, 100_000, 1_000_000, 2_000_000);
        }
        // Warm-up: the same code paths on a small cluster.
        for (int i = 0; i < 2; i++) {
            run(2_000, brokers, !cold, 100 + i, false);
        }
        System.out.printf(Locale.ROOT, "KRaft, %d brokers, 3 controllers, RF 3, %s start, 150 s virtual: controller crash at 60 s, broker-2 crash at 100 s%n",
                brokers, cold ? "cold" : "warm");
        System.out.printf(Locale.ROOT, "%10s %9s %9s %8s %10s %10s %9s%n", "partitions", "setup s", "run s", "sim/wall", "events", "events/s",
                "B/replica");
        for (int p : sizes) {
            run(p, brokers, !cold, 1, true);
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

    private static void run(int partitions, int brokers, boolean warm, long seed, boolean print) {
        long baseline = print ? usedHeapAfterGc() : 0;
        long t0 = System.nanoTime();
        ClusterSpec spec = ClusterSpec.builder().brokers(brokers).config("min.insync.replicas", 2).topic("orders", partitions, 3)
                .warmStart(warm).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(seed).controlPlane(new KRaftControlPlane()).build().start();
        long setupNanos = System.nanoTime() - t0;
        long heap = print ? usedHeapAfterGc() - baseline : 0;

        long t1 = System.nanoTime();
        c.runFor(60 * S);
        NodeId active = c.controlPlane().activeController();
        if (active != null) {
            c.sim().traceFault("crash " + active);
            c.sim().crash(active);
        }
        c.runFor(40 * S);
        c.sim().traceFault("crash broker-2");
        c.crash(2);
        RunResult r = c.runFor(50 * S);
        // A violation ends the run where it happened: the figures then cover less than 150 s.
        long runNanos = System.nanoTime() - t1;
        if (!print) {
            return;
        }
        double runSeconds = runNanos / 1e9;
        System.out.printf(Locale.ROOT, "%10d %9.2f %9.2f %7.1fx %10d %10.0f %9.1f%s%n", partitions, setupNanos / 1e9, runSeconds,
                c.sim().now() / 1e9 / runSeconds, r.events(), r.events() / runSeconds, (double) heap / ((long) partitions * 3),
                r.violation() == null ? "" : "  VIOLATION " + r.violation().headline());
        for (FailoverMeasurement f : c.result(r).control().failovers()) {
            System.out.println("           " + f);
        }
        System.out.println("           fingerprint " + r.fingerprintHex());
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 3; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }
}
