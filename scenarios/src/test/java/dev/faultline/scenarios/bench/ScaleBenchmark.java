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
 * time with the fault written at 60 s and adaptive timing (the fault waits for a settled cluster, the
 * run lasts until the failover completed plus 10 s, at most {@code --limit} of virtual time). The
 * start is the YAML default unless {@code --start} says. Per run it prints: wall time, virtual time
 * simulated and simulated/wall, events and events per wall second, the heap per partition replica
 * (used heap after two System.gc() when the settled cluster's fault is scheduled, minus the heap
 * before the cluster was built, over partitions x replication factor), the virtual time the fault
 * fired (set-up time on a cold start), the failover's main phase (ready for a controller failover,
 * propagate for a broker crash) and what the run could not measure. A run still going after
 * {@code --wall-limit} of wall time is stopped and printed as such, with the virtual time it reached.
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
        String start = null;
        String limit = "30m";
        long wallLimitNanos = 15L * 60 * 1_000_000_000L;
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
                case "--wall-limit" -> wallLimitNanos = Time.parseDuration(need(a, v));
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
        if (start != null && !start.equals("cold") && !start.equals("warm")) {
            usage("--start is cold or warm");
        }
        String effective = start != null ? start : ScenarioLoader.parse("d", yaml("kraft", 10, "broker", 3, null, limit)).cluster().warmStart() ? "warm" : "cold";
        System.out.printf(Locale.ROOT, "scale benchmark: %d brokers over 3 racks, RF 3, 300 records/s acks=all, fault at 60 s (waits for a settled cluster), "
                + "%s start%s, virtual limit %s, wall limit %s a run; heap %s; %d cores%n", brokers, effective, start == null ? " (the YAML default)" : "",
                limit, Time.format(wallLimitNanos), dev.faultline.scenarios.run.HeapEstimate.format(Runtime.getRuntime().maxMemory()),
                Runtime.getRuntime().availableProcessors());
        System.out.println("  heap MiB, B/repl: used heap after GC on the settled cluster just before the fault, minus before the cluster was built; "
                + "B/repl over partitions x 3; peak MiB: the most heap in use just after any GC during the run (live data plus what that GC left, "
                + "an upper bound of the live set), absolute. phase: controller = new controller ready, broker = all its partitions led again (propagate)");
        System.out.printf(Locale.ROOT, "%-10s %10s %-10s %9s %10s %9s %12s %10s %9s %8s %9s %9s %12s  %s%n", "mode", "partitions", "case", "wall s", "sim s",
                "sim/wall", "events", "events/s", "heap MiB", "B/repl", "peak MiB", "fault s", "phase ms", "incomplete");
        for (String mode : modes) {
            for (int size : sizes) {
                for (String c : cases) {
                    if (mode.equals("oracle") && c.equals("controller")) {
                        continue; // the oracle has no controller
                    }
                    row(mode, size, c, brokers, start, limit, wallLimitNanos);
                }
            }
        }
    }

    static String yaml(String mode, int partitions, String kase, int brokers, String start, String limit) {
        String quorum = mode.equals("kraft") ? ", controllers: 3" : mode.equals("zookeeper") ? ", zookeeper: 3" : "";
        String fault = kase.equals("controller") ? "active-controller" : "leader-of(events-0)";
        return "name: scale-" + mode + "-" + partitions + "-" + kase + "\nseed: 1\nduration: 150s\nadaptive: {margin: 10s, limit: " + limit + "}\n"
                + "cluster: {mode: " + mode + ", brokers: " + brokers + ", racks: [a, b, c]" + quorum + (start != null ? ", start: " + start : "") + "}\n"
                + "topics:\n  - {name: events, partitions: " + partitions + ", replication.factor: 3}\n"
                + "workload:\n  - {producer: {topic: events, rate: 300/s, acks: all}}\n"
                + "faults:\n  - {at: 60s, crash: {target: " + fault + "}}\n"
                + "expect: [no-violations, failovers-complete]\n";
    }

    /** Thrown from the progress listener to stop a run that went past the wall limit. */
    private static final class WallLimit extends RuntimeException {
        final long reached;

        WallLimit(long reached) {
            super(null, null, false, false);
            this.reached = reached;
        }
    }

    private static void row(String mode, int partitions, String kase, int brokers, String start, String limit, long wallLimitNanos) throws Exception {
        Scenario s = ScenarioLoader.parse("bench", yaml(mode, partitions, kase, brokers, start, limit));
        long baseline = usedHeapAfterGc();
        PeakAfterGc peak = PeakAfterGc.start();
        long[] heap = {-1};
        long t0 = System.nanoTime();
        long[] reached = {0};
        ScenarioRunner.Options options = ScenarioRunner.Options.defaults().withBeforeFirstFault(() -> heap[0] = usedHeapAfterGc()).withProgress(t -> {
            reached[0] = t;
            if (System.nanoTime() - t0 > wallLimitNanos) {
                throw new WallLimit(t);
            }
        });
        ScenarioResult r;
        try {
            r = ScenarioRunner.run(s, options);
        } catch (WallLimit w) {
            peak.stop();
            stopped(mode, partitions, kase, t0, w.reached, heap[0], baseline,
                    "STOPPED at the wall limit " + Time.format(wallLimitNanos) + (heap[0] < 0 ? " before the cluster settled" : ""));
            return;
        } catch (Throwable e) { // a crash of the simulator is a figure of this benchmark too: say it and go on
            peak.stop();
            stopped(mode, partitions, kase, t0, reached[0], heap[0], baseline, "CRASHED: " + e + (e.getStackTrace().length > 0 ? " at " + e.getStackTrace()[0] : ""));
            return;
        }
        long wall = System.nanoTime() - t0;
        long peakBytes = Math.max(peak.stop(), heap[0]);
        long phase = -1;
        for (FailoverMeasurement f : r.failovers()) {
            if (kase.equals("controller") && f.kind() == FailoverMeasurement.Kind.CONTROLLER && phase < 0) {
                phase = f.readyNanos();
            } else if (kase.equals("broker") && f.kind() == FailoverMeasurement.Kind.BROKER && phase < 0) {
                phase = f.propagateNanos();
            }
        }
        long firedAt = r.faultTimes().isEmpty() ? -1 : r.faultTimes().get(0).firedAtNanos();
        long replicas = 3L * partitions;
        List<String> notes = new ArrayList<>(r.incomplete());
        if (r.violation() != null) {
            notes.add(0, "VIOLATION " + r.violation().headline());
        }
        System.out.printf(Locale.ROOT, "%-10s %10d %-10s %9.1f %10.1f %9.1f %12d %10.0f %9s %8s %9s %9s %12s  %s%n", mode, partitions, kase, wall / 1e9,
                r.simulatedNanos() / 1e9, r.simulatedNanos() / (double) wall, r.events(), r.events() / (wall / 1e9),
                heap[0] < 0 ? "?" : String.format(Locale.ROOT, "%.0f", (heap[0] - baseline) / 1048576.0),
                heap[0] < 0 ? "?" : String.format(Locale.ROOT, "%.0f", (heap[0] - baseline) / (double) replicas),
                peakBytes < 0 ? "?" : String.format(Locale.ROOT, "%.0f", peakBytes / 1048576.0),
                firedAt < 0 ? "never" : String.format(Locale.ROOT, "%.0f", firedAt / 1e9), phase < 0 ? "never" : Time.formatMillis(phase),
                notes.isEmpty() ? "-" : String.join("; ", notes));
        System.out.flush();
    }

    /** A row for a run that did not end by itself: what it reached before it stopped. */
    private static void stopped(String mode, int partitions, String kase, long t0, long reached, long heap, long baseline, String why) {
        long wall = System.nanoTime() - t0;
        System.out.printf(Locale.ROOT, "%-10s %10d %-10s %9.1f %10.1f %9.1f %12s %10s %9s %8s %9s %9s %12s  %s%n", mode, partitions, kase, wall / 1e9,
                reached / 1e9, reached / (double) wall, "?", "?", heap < 0 ? "?" : String.format(Locale.ROOT, "%.0f", (heap - baseline) / 1048576.0),
                heap < 0 ? "?" : String.format(Locale.ROOT, "%.0f", (heap - baseline) / (3.0 * partitions)), "?", "?", "?", why);
        System.out.flush();
    }

    /**
     * The most heap in use just after any garbage collection while it listens (from the JVM's GC
     * notifications): the live data at that moment plus what that collection did not reclaim (a
     * young collection leaves the old generation's garbage), so an upper bound of the live set.
     */
    private static final class PeakAfterGc implements javax.management.NotificationListener {
        /** The heap's pools (the notification also lists metaspace and the code cache). */
        private static final java.util.Set<String> HEAP_POOLS = ManagementFactory.getMemoryPoolMXBeans().stream()
                .filter(m -> m.getType() == java.lang.management.MemoryType.HEAP).map(java.lang.management.MemoryPoolMXBean::getName)
                .collect(java.util.stream.Collectors.toSet());
        private final List<javax.management.NotificationEmitter> emitters = new ArrayList<>();
        private volatile long peak = -1;

        static PeakAfterGc start() {
            PeakAfterGc p = new PeakAfterGc();
            for (java.lang.management.GarbageCollectorMXBean gc : ManagementFactory.getGarbageCollectorMXBeans()) {
                if (gc instanceof javax.management.NotificationEmitter e) {
                    e.addNotificationListener(p, null, null);
                    p.emitters.add(e);
                }
            }
            return p;
        }

        @Override
        public void handleNotification(javax.management.Notification n, Object handback) {
            if (!n.getType().equals(com.sun.management.GarbageCollectionNotificationInfo.GARBAGE_COLLECTION_NOTIFICATION)) {
                return;
            }
            com.sun.management.GarbageCollectionNotificationInfo info = com.sun.management.GarbageCollectionNotificationInfo
                    .from((javax.management.openmbean.CompositeData) n.getUserData());
            long used = 0;
            for (java.util.Map.Entry<String, java.lang.management.MemoryUsage> u : info.getGcInfo().getMemoryUsageAfterGc().entrySet()) {
                if (HEAP_POOLS.contains(u.getKey())) {
                    used += u.getValue().getUsed();
                }
            }
            synchronized (this) {
                peak = Math.max(peak, used);
            }
        }

        /** Stops listening; the peak seen, or -1 if no collection ran. */
        long stop() {
            for (javax.management.NotificationEmitter e : emitters) {
                try {
                    e.removeNotificationListener(this);
                } catch (javax.management.ListenerNotFoundException ignored) {
                    // already removed
                }
            }
            emitters.clear();
            return peak;
        }
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
                + "[--brokers 6] [--start cold|warm] [--limit 30m] [--wall-limit 15m]   (BENCH_HEAP=10g sets -Xmx)");
        System.exit(2);
    }
}
