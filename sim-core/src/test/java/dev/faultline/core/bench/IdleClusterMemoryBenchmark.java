package dev.faultline.core.bench;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import java.util.Locale;

/**
 * Memory and idle-cost benchmark of the data plane on the oracle control plane (issue 3): an idle
 * cluster of 10 brokers with 100,000 partitions at replication factor 3; prints heap in use after
 * setup (bytes per idle partition replica, target at most 200), the events an idle cluster processes
 * per virtual second (no event per idle partition per fetch round), and the events and failover of
 * one broker crash. A plain main with a warm-up, never run by {@code mvn verify}.
 *
 * <p>Run from the repository root:
 * <pre>
 * mvn -B -o -q test-compile -pl sim-core
 * mvn -B -o -q -pl sim-core dependency:build-classpath -Dmdep.outputFile=/tmp/fl-cp.txt
 * java -Xmx4g -cp sim-core/target/classes:sim-core/target/test-classes:$(cat /tmp/fl-cp.txt) \
 *     dev.faultline.core.bench.IdleClusterMemoryBenchmark [partitions, default 100000] [brokers, default 10]
 * </pre>
 */
public final class IdleClusterMemoryBenchmark {
    private IdleClusterMemoryBenchmark() {
    }

    public static void main(String[] args) {
        int partitions = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
        int brokers = args.length > 1 ? Integer.parseInt(args[1]) : 10;
        int rf = 3;

        // Warm-up: the same code paths on a small cluster, a few times.
        for (int i = 0; i < 3; i++) {
            KafkaCluster warm = build(2_000, brokers, rf, i);
            warm.start();
            warm.runFor(Time.seconds(10));
            warm.crash(1);
            warm.runFor(Time.seconds(5));
        }

        long baseline = usedHeapAfterGc();
        KafkaCluster c = build(partitions, brokers, rf, 42);
        c.start();
        RunResult setup = c.runFor(Time.seconds(5));
        long afterSetup = usedHeapAfterGc();
        long replicas = (long) partitions * rf;
        double bytesPerReplica = (double) (afterSetup - baseline) / replicas;

        long eventsBeforeIdle = setup.events();
        RunResult idle = c.runFor(Time.seconds(10));
        long idleEvents = idle.events() - eventsBeforeIdle;

        long wallStart = System.nanoTime();
        c.crash(1);
        RunResult crash = c.runFor(Time.seconds(10));
        long crashWallNanos = System.nanoTime() - wallStart;
        long crashEvents = crash.events() - idle.events();

        System.out.printf(Locale.ROOT, "cluster: %d brokers, %d partitions, RF %d = %d replicas (oracle control plane)%n", brokers, partitions, rf,
                replicas);
        System.out.printf(Locale.ROOT, "heap in use after setup: %.1f MiB over baseline -> %.1f bytes per idle partition replica (target <= 200)%n",
                (afterSetup - baseline) / 1048576.0, bytesPerReplica);
        System.out.printf(Locale.ROOT, "events: setup (5 s virtual) %d; idle 10 s virtual %d (%.1f per second, %.5f per partition per fetch round of 500 ms)%n",
                eventsBeforeIdle, idleEvents, idleEvents / 10.0, idleEvents / 20.0 / partitions);
        System.out.printf(Locale.ROOT, "crash broker-1 then 10 s virtual: %d events, %.0f ms wall%n", crashEvents, crashWallNanos / 1e6);
        for (FailoverMeasurement f : c.failover().measurements()) {
            System.out.println("failover: " + f);
        }
        c.assertNoViolation();
        System.out.println("fingerprint " + crash.fingerprintHex());
    }

    private static KafkaCluster build(int partitions, int brokers, int rf, long seed) {
        ClusterSpec spec = ClusterSpec.builder().brokers(brokers).topic("bench", partitions, rf).build();
        return KafkaCluster.builder(spec).seed(seed).build();
    }

    private static long usedHeapAfterGc() {
        Runtime rt = Runtime.getRuntime();
        long used = Long.MAX_VALUE;
        for (int i = 0; i < 5; i++) {
            System.gc();
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            used = Math.min(used, rt.totalMemory() - rt.freeMemory());
        }
        return used;
    }
}
