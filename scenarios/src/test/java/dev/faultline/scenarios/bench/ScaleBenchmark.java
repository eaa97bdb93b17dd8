package dev.faultline.scenarios.bench;

import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import java.lang.management.ManagementFactory;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * {@code ./bench scale}: speed and memory at 10k to 2M partitions, for each metadata mode, for a
 * controller failover and a broker crash. A plain main, never run by {@code mvn verify}.
 *
 * <p>The cluster is the lead's baseline shape (6 brokers over 3 racks, 3 controllers or ZooKeeper
 * servers, one topic at replication factor 3, a 300 records/s acks=all producer), 150 s of virtual
 * time with the fault at 60 s and adaptive timing (the fault waits for a settled cluster, the run
 * lasts until the failover completed plus 10 s, at most {@code --limit}). Per run it prints: wall
 * time, virtual time simulated and simulated/wall, events and events per wall second, and the heap
 * per partition replica: used heap (after two System.gc()) when the run reaches 30 s of virtual
 * time, minus the heap before the cluster was built, divided by partitions x replication factor;
 * then the failover's main phase (ready for a controller failover, propagate for a broker crash)
 * and what the run could not measure.
 *
 * <pre>
 * ./bench scale                                              # every mode, 10k 100k 1m 2m, both cases
 * ./bench scale --modes kraft --sizes 10k,100k --cases broker  # a quick run
 * ./bench scale --start warm --brokers 150 --limit 20m
 * BENCH_HEAP=16g ./bench scale --sizes 2m
 * </pre>
 */
public final class ScaleBenchmark {
    private ScaleBenchmark() {
    }

    public static void main(String[] args) throws Exception {
        List<String> modes = List.of("zookeeper", "kraft", "oracle");
        List<Integer> sizes = List.of(10_000, 100_000, 1_000_000, 2_000_000);
        List<String> cases = List.of("controller", "broker");
        int brokers = 6;
        String start = "cold";
        String limit = "30m";
        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String v = i + 1 < args.length ? args[i + 1] : null;
            switch (a) {
                case "--modes" -> modes = List.of(need(a, v).split(","));
                case "--sizes" -> sizes = sizes(need(a, v));
                case "--cases" -> cases = List.of(need(a, v).split(","));
                case "--brokers" -> brokers = Integer.parseInt(need(a, v));
                case "--start" -> start = need(a, v);
                case "--limit" -> limit = need(a, v);
                default -> usage("unknown option " + a);
            }
            i++;
        }
        for (String m : modes) {
            if (Scenario.Mode.parse(m) == null) {
                usage("unknown mode " + m);
            }
        }
        for (String c : cases) {
            if (!c.equals("controller") && !c.equals("broker")) {
                usage("unknown case " + c + " (controller or broker)");
            }
        }
        System.out.printf(Locale.ROOT, "scale benchmark: %d brokers, RF 3, 300 records/s acks=all, fault at 60 s, %s start, limit %s; heap %s; %d cores%n",
                brokers, start, limit, dev.faultline.scenarios.run.HeapEstimate.format(Runtime.getRuntime().maxMemory()),
                Runtime.getRuntime().availableProcessors());
        System.out.printf(Locale.ROOT, "%-10s %10s %-10s %9s %10s %9s %12s %10s %9s %8s %12s  %s%n", "mode", "partitions", "case", "wall s", "sim s",
                "sim/wall", "events", "events/s", "heap MiB", "B/repl", "phase ms", "incomplete");
        for (String mode : modes) {
            for (int size : sizes) {
                for (String c : cases) {
                    row(mode, size, c, brokers, start, limit);
                }
            }
        }
    }

    private static void row(String mode, int partitions, String kase, int brokers, String start, String limit) throws Exception {
        String quorum = mode.equals("kraft") ? ", controllers: 3" : mode.equals("zookeeper") ? ", zookeeper: 3" : "";
        String fault = kase.equals("controller") ? "active-controller" : "leader-of(events-0)";
        if (mode.equals("oracle") && kase.equals("controller")) {
            return; // the oracle has no controller
        }
        String yaml = "name: scale-" + mode + "-" + partitions + "-" + kase + "\nseed: 1\nduration: 150s\nadaptive: {margin: 10s, limit: " + limit + "}\n"
                + "cluster: {mode: " + mode + ", brokers: " + brokers + ", racks: [a, b, c]" + quorum + ", start: " + start + "}\n"
                + "topics:\n  - {name: events, partitions: " + partitions + ", replication.factor: 3}\n"
                + "workload:\n  - {producer: {topic: events, rate: 300/s, acks: all}}\n"
                + "faults:\n  - {at: 60s, crash: {target: " + fault + "}}\n"
                + "expect: [no-violations, failovers-complete]\n";
        Scenario s = ScenarioLoader.parse("bench", yaml);
        long baseline = usedHeapAfterGc();
        long[] heap = {-1};
        ScenarioRunner.Options options = ScenarioRunner.Options.defaults().withProgress(t -> {
            if (heap[0] < 0 && t >= 30 * Time.SECOND) {
                heap[0] = usedHeapAfterGc();
            }
        });
        long t0 = System.nanoTime();
        ScenarioResult r = ScenarioRunner.run(s, options);
        long wall = System.nanoTime() - t0;
        long phase = -1;
        for (FailoverMeasurement f : r.failovers()) {
            if (kase.equals("controller") && f.kind() == FailoverMeasurement.Kind.CONTROLLER) {
                phase = f.readyNanos();
            } else if (kase.equals("broker") && f.kind() == FailoverMeasurement.Kind.BROKER && phase < 0) {
                phase = f.propagateNanos();
            }
        }
        long replicas = 3L * partitions;
        double perReplica = heap[0] < 0 ? Double.NaN : (heap[0] - baseline) / (double) replicas;
        List<String> notes = new ArrayList<>(r.incomplete());
        if (r.violation() != null) {
            notes.add(0, "VIOLATION " + r.violation().headline());
        }
        System.out.printf(Locale.ROOT, "%-10s %10d %-10s %9.1f %10.1f %9.1f %12d %10.0f %9.0f %8.0f %12s  %s%n", mode, partitions, kase, wall / 1e9,
                r.simulatedNanos() / 1e9, r.simulatedNanos() / (double) wall, r.events(), r.events() / (wall / 1e9),
                heap[0] < 0 ? Double.NaN : (heap[0] - baseline) / 1048576.0, perReplica, phase < 0 ? "never" : Time.formatMillis(phase),
                notes.isEmpty() ? "-" : String.join("; ", notes));
        System.out.flush();
    }

    private static long usedHeapAfterGc() {
        for (int i = 0; i < 2; i++) {
            System.gc();
        }
        return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
    }

    private static List<Integer> sizes(String text) {
        List<Integer> out = new ArrayList<>();
        for (String s : text.split(",")) {
            String t = s.trim().toLowerCase(Locale.ROOT);
            long scale = t.endsWith("k") ? 1_000 : t.endsWith("m") ? 1_000_000 : 1;
            if (scale > 1) {
                t = t.substring(0, t.length() - 1);
            }
            out.add((int) (Double.parseDouble(t) * scale));
        }
        return out;
    }

    private static String need(String option, String value) {
        if (value == null) {
            usage(option + " needs a value");
        }
        return value;
    }

    private static void usage(String problem) {
        System.err.println("bench scale: " + problem);
        System.err.println("usage: ./bench scale [--modes zookeeper,kraft,oracle] [--sizes 10k,100k,1m,2m] [--cases controller,broker] "
                + "[--brokers 6] [--start cold|warm] [--limit 30m]   (BENCH_HEAP=10g sets -Xmx)");
        System.exit(2);
    }
}
