package dev.faultline.scenarios.run;

import dev.faultline.core.check.Violation;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.fault.Fault;
import dev.faultline.core.fault.FaultInjector;
import dev.faultline.core.fault.FaultSchedule;
import dev.faultline.core.fault.Target;
import dev.faultline.core.kafka.DataLoss;
import dev.faultline.core.kafka.KafkaBroker;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.KafkaRunResult;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.core.net.LinkFault;
import dev.faultline.core.trace.RunResult;
import dev.faultline.core.trace.TraceSink;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.Targets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;
import java.util.regex.Matcher;

/**
 * Runs a scenario: builds the cluster for its mode, schedules the workload and the faults (targets
 * resolved when each fault fires), runs to the scenario's duration, and judges the expectations.
 * Deterministic: the same scenario and seed give the same result and fingerprint.
 */
public final class ScenarioRunner {
    /**
     * How to run.
     *
     * @param traceSinks where the trace goes
     * @param maxEvents the event budget
     * @param progress told the virtual time reached, now and then while the run goes on (from the
     *     running thread; for progress lines, never read by the simulation)
     * @param afterSetUp called once the cluster is built and started, before the first event (heap
     *     measurements)
     * @param beforeFirstFault adaptive runs: called once, when the cluster has settled and the first
     *     fault is scheduled, before any of its events run (heap measurements of a settled cluster;
     *     never read by the simulation)
     */
    public record Options(List<TraceSink> traceSinks, long maxEvents, LongConsumer progress, Runnable afterSetUp, Runnable beforeFirstFault) {
        public Options {
            traceSinks = List.copyOf(traceSinks);
        }

        public Options(List<TraceSink> traceSinks, long maxEvents) {
            this(traceSinks, maxEvents, t -> { }, () -> { }, () -> { });
        }

        public static Options defaults() {
            return new Options(List.of(), 2_000_000_000L);
        }

        /** These options, telling {@code listener} the virtual time reached as the run goes on. */
        public Options withProgress(LongConsumer listener) {
            return new Options(traceSinks, maxEvents, listener, afterSetUp, beforeFirstFault);
        }

        /** These options, calling {@code action} once the cluster is set up. */
        public Options withAfterSetUp(Runnable action) {
            return new Options(traceSinks, maxEvents, progress, action, beforeFirstFault);
        }

        /** These options, calling {@code action} when an adaptive run schedules its first fault on a settled cluster. */
        public Options withBeforeFirstFault(Runnable action) {
            return new Options(traceSinks, maxEvents, progress, afterSetUp, action);
        }
    }

    /**
     * How often an adaptive run looks at the cluster (settled? failovers complete?), in virtual
     * time: faults that wait fire on these boundaries. The settle check reads every partition's state
     * (stopping at the first leaderless one), so it runs only here and only while a fault waits,
     * never per event.
     */
    static final long CHECK_INTERVAL = Time.SECOND;
    /** Events per slice of a run between two progress reports (and checks of the stop conditions). */
    private static final long EVENT_SLICE = 200_000;

    private final Scenario scenario;
    private final Simulation sim;
    private final ModeSupport mode;
    private final ClusterSpec spec;
    private final KafkaCluster cluster;
    private final FaultInjector injector;
    private final long maxEvents;
    private final Options options;
    /** When each fault entry first fired (-1: not yet), by entry index. */
    private final long[] firedAt;
    /** Adaptive timing: how much later than written the schedule now runs. */
    private long offset;
    /** The controlled-shutdown faults, to find their requests in the injector's history. */
    private final java.util.IdentityHashMap<Fault, Boolean> shutdownFaults = new java.util.IdentityHashMap<>();
    private final List<String> expectationFailures = new ArrayList<>();
    private final List<ScenarioResult.Verdict> verdicts = new ArrayList<>();

    private ScenarioRunner(Scenario scenario, Options options) {
        this.scenario = scenario;
        this.maxEvents = options.maxEvents();
        this.options = options;
        this.firedAt = new long[scenario.faults().size()];
        java.util.Arrays.fill(firedAt, -1);
        this.sim = new Simulation(scenario.seed());
        Scenario.Cluster c = scenario.cluster();
        sim.network().setDefaultConfig(new LinkConfig(c.network().latency(), c.network().bandwidthBitsPerSecond()));
        for (TraceSink sink : options.traceSinks()) {
            sim.tracer().addSink(sink);
        }
        this.spec = clusterSpec(scenario);
        this.mode = ModeSupport.of(scenario);
        KafkaCluster.Builder b = KafkaCluster.builder(spec).simulation(sim).controlPlane(mode.controlPlane());
        for (Map.Entry<String, Map<String, String>> e : c.brokerConfig().entrySet()) {
            int id = ClusterSpec.brokerIdOf(e.getKey());
            for (Map.Entry<String, String> kv : e.getValue().entrySet()) {
                b.brokerConfig(id, kv.getKey(), kv.getValue());
            }
        }
        int clients = 0;
        for (Scenario.Workload w : scenario.workload()) {
            clients++;
            int first = spec.topicFirstPartition(w.topic());
            int count = partitionsOf(scenario, w.topic());
            int[] partitions = new int[count];
            String[] names = new String[count];
            for (int i = 0; i < count; i++) {
                partitions[i] = first + i;
                names[i] = spec.partitionName(first + i);
            }
            if (w instanceof Scenario.Producer p) {
                Map<String, String> props = new TreeMap<>(p.config());
                props.put("acks", p.acks());
                ProducerConfig pc = ProducerConfig.of(partitions, p.ratePerSecond(), p.records() > 0 ? p.records() : Long.MAX_VALUE, props)
                        .withKeys(p.keys());
                b.producer("producer-" + clients, p.startNanos() > 0 ? pc.startingAfter(p.startNanos()) : pc);
            } else {
                b.consumer("consumer-" + clients, names);
            }
        }
        this.cluster = b.build();
        placeInZones(c);
        mode.addLivenessChecks(sim);
        this.injector = new FaultInjector(sim);
    }

    /**
     * {@code network: {zones, between}}: each node listed goes in its zone, each other broker in the
     * zone named by its rack; {@code between} sets the latency of both directions between two zones
     * (with the scenario's bandwidth). Zones are numbered in name order.
     */
    private void placeInZones(Scenario.Cluster c) {
        Scenario.Network n = c.network();
        if (n.zones().isEmpty() && n.between().isEmpty()) {
            return;
        }
        java.util.TreeSet<String> names = new java.util.TreeSet<>(n.zones().keySet());
        names.addAll(c.racks());
        for (Scenario.ZoneLatency z : n.between()) {
            names.add(z.zoneA());
            names.add(z.zoneB());
        }
        java.util.List<String> ordered = new ArrayList<>(names);
        dev.faultline.core.net.Network net = sim.network();
        java.util.Set<String> listed = new java.util.TreeSet<>();
        for (Map.Entry<String, List<String>> z : n.zones().entrySet()) {
            for (String node : z.getValue()) {
                NodeId id = sim.node(node);
                if (id != null) { // the canary is absent when faultline.canary.enable is false
                    net.setZone(id, ordered.indexOf(z.getKey()));
                }
                listed.add(node);
            }
        }
        for (ClusterSpec.BrokerSpec broker : spec.brokers()) {
            String name = ClusterSpec.brokerNodeName(broker.id());
            if (!listed.contains(name) && broker.rack() != null) {
                net.setZone(sim.node(name), ordered.indexOf(broker.rack()));
            }
        }
        for (Scenario.ZoneLatency z : n.between()) {
            LinkConfig link = new LinkConfig(z.latency(), n.bandwidthBitsPerSecond());
            net.setZoneLink(ordered.indexOf(z.zoneA()), ordered.indexOf(z.zoneB()), link);
            net.setZoneLink(ordered.indexOf(z.zoneB()), ordered.indexOf(z.zoneA()), link);
        }
    }

    /** Runs a scenario. */
    public static ScenarioResult run(Scenario scenario, Options options) {
        return new ScenarioRunner(scenario, options).execute();
    }

    public static ScenarioResult run(Scenario scenario) {
        return run(scenario, Options.defaults());
    }

    /** The cluster description of a scenario: brokers, racks, topics, configuration and planted bugs. */
    static ClusterSpec clusterSpec(Scenario s) {
        Scenario.Cluster c = s.cluster();
        ClusterSpec.Builder b = ClusterSpec.builder();
        if (c.racks().isEmpty()) {
            b.brokers(c.brokers());
        } else {
            b.brokers(c.brokers(), c.racks());
        }
        for (Scenario.Topic t : s.topics()) {
            b.topic(t.name(), t.partitions(), t.replicationFactor(), t.config());
            if (t.createdAtRuntime()) {
                b.createdAtRuntime(t.name());
            }
        }
        b.warmStart(c.warmStart());
        b.config(c.config());
        for (String bug : s.bugs()) {
            b.config(bug, "true");
        }
        return b.build();
    }

    private static int partitionsOf(Scenario s, String topic) {
        for (Scenario.Topic t : s.topics()) {
            if (t.name().equals(topic)) {
                return t.partitions();
            }
        }
        throw new IllegalArgumentException("unknown topic " + topic);
    }

    private ScenarioResult execute() {
        Adaptive adaptive = scenario.adaptive() == null ? null : new Adaptive(scenario.adaptive());
        if (adaptive == null) {
            installFaults();
        }
        cluster.start();
        options.afterSetUp().run();
        RunResult run = runSlices(adaptive);
        KafkaRunResult k = cluster.result(run);
        List<ScenarioResult.Shutdown> shutdowns = shutdowns(k.control().failovers());
        List<String> incomplete = incomplete(run, k, adaptive);
        judge(run, k, incomplete);
        boolean passed = verdicts.stream().allMatch(ScenarioResult.Verdict::held);
        List<ScenarioResult.FaultTime> faultTimes = new ArrayList<>();
        for (int i = 0; i < scenario.faults().size(); i++) {
            Scenario.FaultEntry e = scenario.faults().get(i);
            long fired = adaptive != null ? firedAt[i] : e.atNanos() <= run.endTimeNanos() ? e.atNanos() : -1;
            faultTimes.add(new ScenarioResult.FaultTime(e.fault().key() + " " + describe(e.fault()), e.atNanos(), fired));
        }
        return new ScenarioResult(scenario.name(), scenario.cluster().mode().yamlName(), scenario.seed(), passed, run.violation(), verdicts,
                k.control().failovers(), k.losses(), run.events(), run.endTimeNanos(), run.fingerprintHex(), k.control().leaderElections(),
                k.control().controllerChanges(), k.recordsSent(), k.recordsAcked(), cluster.topicCreations(), incomplete, faultTimes, shutdowns);
    }

    /** A fault's targets as written: {@code broker-3}, {@code active-controller}, ... */
    static String describe(Scenario.FaultSpec f) {
        if (f instanceof Scenario.NodeFault n) {
            return String.join(",", n.targets());
        }
        if (f instanceof Scenario.ControllerThreadPause p) {
            return String.join(",", p.targets());
        }
        if (f instanceof Scenario.PartitionFault p) {
            return p.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + p.groups();
        }
        if (f instanceof Scenario.LinkFaultSpec l) {
            return l.from() + " -> " + l.to();
        }
        if (f instanceof Scenario.ClockFault c) {
            return String.join(",", c.targets());
        }
        if (f instanceof Scenario.SlowFault sl) {
            return String.join(",", sl.targets()) + " x" + sl.factor();
        }
        return "";
    }

    /**
     * Runs to the end in slices (at most {@link #CHECK_INTERVAL} of virtual time and
     * {@link #EVENT_SLICE} events each), reporting progress between slices. Slicing does not change
     * the run: events are processed in the same order as by one call, and nothing is scheduled
     * between slices except by adaptive timing, which decides only on slice boundaries (multiples of
     * {@link #CHECK_INTERVAL}), so the same scenario and seed give the same run.
     */
    private RunResult runSlices(Adaptive adaptive) {
        long end = adaptive == null ? scenario.durationNanos() : adaptive.limit;
        if (adaptive != null) {
            adaptive.check(sim.now());
        }
        while (true) {
            long boundary = Math.min(end, (sim.now() / CHECK_INTERVAL + 1) * CHECK_INTERVAL);
            RunResult r = sim.run(boundary, Math.min(maxEvents, sim.eventIndex() + EVENT_SLICE));
            options.progress().accept(sim.now());
            switch (r.stopReason()) {
                case VIOLATION:
                    return r;
                case QUIESCENT:
                    if (adaptive == null || !adaptive.check(sim.now())) {
                        return r;
                    }
                    continue;
                case EVENT_LIMIT:
                    if (sim.eventIndex() >= maxEvents) {
                        return r;
                    }
                    continue;
                default:
                    break;
            }
            if (adaptive != null && sim.now() < end) {
                adaptive.check(sim.now());
                end = adaptive.end();
            }
            if (sim.now() >= end) {
                return r;
            }
        }
    }

    // ------------------------------------------------------------------ faults

    private void installFaults() {
        for (Scenario.Topic t : scenario.topics()) {
            if (t.createdAtRuntime()) {
                sim.schedule(t.createAtNanos(), () -> cluster.createTopic(t.name()));
            }
        }
        FaultSchedule schedule = new FaultSchedule();
        for (Scenario.FaultEntry e : scenario.faults()) {
            Fault f = toFault(e);
            schedule.add(new FaultSchedule.Entry(e.atNanos(), f, e.everyNanos(), e.everyNanos() > 0 ? e.untilNanos() : e.atNanos()));
        }
        schedule.install(injector);
        for (Scenario.FaultEntry e : scenario.faults()) {
            installChecksAfter(e.atNanos(), scenario.durationNanos());
        }
    }

    /**
     * The timed expectations of a fault that fired (or will fire) at {@code faultAt}, in expectation
     * order; checks later than {@code until} are not scheduled.
     */
    private void installChecksAfter(long faultAt, long until) {
        for (Scenario.Expectation x : scenario.expectations()) {
            if (x instanceof Scenario.ControllerElectedWithin w) {
                long at = faultAt + w.nanos();
                if (at <= until) {
                    sim.schedule(at, () -> {
                        if (mode.controlPlane().activeController() == null) {
                            expectationFailures.add("controller-elected-within: no active controller at " + Time.format(at)
                                    + " (" + Time.format(w.nanos()) + " after the fault at " + Time.format(faultAt) + ")");
                        }
                    });
                }
            } else if (x instanceof Scenario.AllPartitionsLedWithin w) {
                long at = faultAt + w.nanos();
                if (at <= until) {
                    sim.schedule(at, () -> {
                        String leaderless = leaderlessPartition();
                        if (leaderless != null) {
                            expectationFailures.add("all-partitions-led-within: at " + Time.format(at) + " (" + Time.format(w.nanos())
                                    + " after the fault at " + Time.format(faultAt) + ") " + leaderless);
                        }
                    });
                }
            }
        }
    }

    /**
     * Adaptive timing ({@link Scenario.Adaptive}): the faults and runtime topic creations are taken
     * in written-time order and scheduled on {@link #CHECK_INTERVAL} boundaries. A fault that
     * disturbs the cluster waits until the cluster has settled (an active controller, every
     * partition that can have a leader has one that applied its leadership, and, before the first
     * fault, no partition's ISR lacks a replica on a running broker) and every failover so far
     * has completed; faults written at the same time as the one before fire with it, and healing
     * faults ({@code heal}, {@code recover}, {@code resume}) never wait. Each item fires at its written
     * time plus the delay accumulated so far. Once everything has fired and every failover has
     * completed, the run ends at its written duration plus that delay, or the margin after
     * completion, whichever is later; never after the limit.
     */
    private final class Adaptive {
        final long margin;
        final long limit;
        /** Items in written-time order: a fault entry index, or -1 - topic index for a topic creation. */
        final List<Integer> items = new ArrayList<>();
        int next;
        long lastFaultWrittenAt = -1;
        long decidedEnd = -1;

        Adaptive(Scenario.Adaptive a) {
            this.margin = a.marginNanos();
            this.limit = Math.max(a.limitNanos(), scenario.durationNanos());
            for (int i = 0; i < scenario.faults().size(); i++) {
                items.add(i);
            }
            for (int t = 0; t < scenario.topics().size(); t++) {
                if (scenario.topics().get(t).createdAtRuntime()) {
                    items.add(-1 - t);
                }
            }
            items.sort(java.util.Comparator.comparingLong(this::writtenAt)); // stable: faults before creations at equal times
        }

        long writtenAt(int item) {
            return item >= 0 ? scenario.faults().get(item).atNanos() : scenario.topics().get(-1 - item).createAtNanos();
        }

        long end() {
            return decidedEnd >= 0 ? decidedEnd : limit;
        }

        /** Schedules what is due before the next boundary and may go; decides the end. Returns whether it scheduled anything. */
        boolean check(long now) {
            boolean scheduled = false;
            while (next < items.size()) {
                int item = items.get(next);
                long written = writtenAt(item);
                long due = written + offset;
                if (due > now + CHECK_INTERVAL) {
                    break;
                }
                if (item >= 0) {
                    Scenario.FaultEntry e = scenario.faults().get(item);
                    boolean together = written == lastFaultWrittenAt;
                    if (!together && !healing(e.fault()) && !(settled() && failoversComplete())) {
                        break;
                    }
                    long fire = Math.max(due, now);
                    if (lastFaultWrittenAt < 0) {
                        options.beforeFirstFault().run();
                    }
                    offset = fire - written;
                    lastFaultWrittenAt = written;
                    firedAt[item] = fire;
                    Fault f = toFault(e);
                    injector.scheduleAt(fire, f);
                    if (e.everyNanos() > 0) {
                        for (long t = fire + e.everyNanos(); t <= e.untilNanos() + offset; t += e.everyNanos()) {
                            injector.scheduleAt(t, f);
                        }
                    }
                    installChecksAfter(fire, limit);
                } else {
                    String topic = scenario.topics().get(-1 - item).name();
                    sim.schedule(Math.max(due, now), () -> cluster.createTopic(topic));
                }
                scheduled = true;
                next++;
            }
            if (decidedEnd < 0 && next == items.size() && now > lastFireTime() && failoversComplete()) {
                decidedEnd = Math.min(limit, Math.max(scenario.durationNanos() + offset, now + margin));
            }
            return scheduled;
        }

        boolean anyFaultFired() {
            for (long t : firedAt) {
                if (t >= 0) {
                    return true;
                }
            }
            return false;
        }

        long lastFireTime() {
            long last = 0;
            for (long t : firedAt) {
                last = Math.max(last, t);
            }
            return last;
        }

        boolean healing(Scenario.FaultSpec f) {
            return f instanceof Scenario.HealFault || (f instanceof Scenario.NodeFault n
                    && (n.action() == Scenario.NodeAction.RECOVER || n.action() == Scenario.NodeAction.RESUME));
        }

        boolean settled() {
            ControlPlane cp = mode.controlPlane();
            // Before the first fault, "settled" also means started up: no running replica outside
            // its ISR. After a fault, a broker may stay out of ISRs for reasons the scenario set up
            // (a network partition, a slow disk), and later faults must not wait for it.
            return (cp.activeController() != null || cp.controllerCandidates().isEmpty()) && leaderlessPartition() == null
                    && (anyFaultFired() || underReplicatedPartition() == null);
        }

        boolean failoversComplete() {
            List<FailoverMeasurement> failovers = cluster.failover().measurements();
            java.util.Set<String> exits = cleanExits(failovers);
            for (FailoverMeasurement f : failovers) {
                if (FailoverCompleteness.missing(f, clientPhaseMeasured(), exits.contains(exitKey(f))) != null) {
                    return false;
                }
            }
            return true;
        }
    }

    /**
     * Whether the client phase of a broker failover is measured: the failover canary runs
     * ({@code faultline.canary.enable}, the default: it writes to every partition a failed broker
     * led), or every topic that exists from the start has a producer (with acks 1 or all).
     */
    private boolean clientPhaseMeasured() {
        return clientPhaseMeasured(scenario);
    }

    /** Whether the client phase of a broker failover in {@code scenario} is measured (see the instance method). */
    public static boolean clientPhaseMeasured(Scenario scenario) {
        if (dev.faultline.core.control.KafkaConfig.of(scenario.cluster().config()).getBoolean("faultline.canary.enable")) {
            return true; // the failover canary writes to every partition a failed broker led
        }
        java.util.Set<String> produced = new java.util.TreeSet<>();
        for (Scenario.Workload w : scenario.workload()) {
            if (w instanceof Scenario.Producer p && !p.acks().equals("0")) {
                produced.add(p.topic());
            }
        }
        for (Scenario.Topic t : scenario.topics()) {
            if (!t.createdAtRuntime() && !produced.contains(t.name())) {
                return false;
            }
        }
        return !produced.isEmpty();
    }

    /** The broker failovers that opened when a broker exited after its controlled shutdown (keys as {@link #exitKey}). */
    private java.util.Set<String> cleanExits(List<FailoverMeasurement> failovers) {
        java.util.Set<String> out = new java.util.TreeSet<>();
        for (ScenarioResult.Shutdown s : shutdowns(failovers)) {
            if (s.exitNanos() >= 0) {
                out.add(s.broker() + "@" + (s.requestedAtNanos() + s.exitNanos()));
            }
        }
        return out;
    }

    private static String exitKey(FailoverMeasurement f) {
        return f.target() + "@" + f.faultAtNanos();
    }

    /** Each controlled shutdown requested: the broker, when, and how long until its process exited. */
    private List<ScenarioResult.Shutdown> shutdowns(List<FailoverMeasurement> failovers) {
        List<ScenarioResult.Shutdown> out = new ArrayList<>();
        for (FaultInjector.Applied a : injector.history()) {
            if (!shutdownFaults.containsKey(a.fault())) {
                continue;
            }
            for (NodeId n : a.nodes()) {
                long exit = -1;
                for (FailoverMeasurement f : failovers) {
                    if (f.kind() == FailoverMeasurement.Kind.BROKER && f.target().equals(n.name()) && f.faultAtNanos() >= a.timeNanos()) {
                        exit = f.faultAtNanos() - a.timeNanos();
                        break;
                    }
                }
                out.add(new ScenarioResult.Shutdown(n.name(), a.timeNanos(), exit));
            }
        }
        return out;
    }

    /**
     * What the run did not measure, each as a sentence: failovers that never completed, producers
     * that got no acknowledgement, controlled shutdowns that never exited, faults an adaptive run never
     * fired. A run that did nothing is never a silent pass: these go to the summary, result.json and
     * compare, and fail {@code failovers-complete} / {@code produce-acknowledged}.
     */
    private List<String> incomplete(RunResult run, KafkaRunResult k, Adaptive adaptive) {
        List<String> out = new ArrayList<>();
        String end = "by the end of the run (" + Time.format(run.endTimeNanos()) + (run.violation() != null ? ", stopped by a violation" : "") + ")";
        java.util.Set<String> exits = cleanExits(k.control().failovers());
        for (FailoverMeasurement f : k.control().failovers()) {
            String missing = FailoverCompleteness.missing(f, clientPhaseMeasured(), exits.contains(exitKey(f)));
            if (missing != null) {
                out.add((f.kind() == FailoverMeasurement.Kind.CONTROLLER ? "controller" : "broker") + " failover of " + f.target() + " at "
                        + Time.format(f.faultAtNanos()) + " never completed: " + missing + " not reached " + end);
            }
        }
        for (ScenarioResult.Shutdown s : shutdowns(k.control().failovers())) {
            if (s.exitNanos() < 0) {
                out.add("controlled shutdown of " + s.broker() + " at " + Time.format(s.requestedAtNanos()) + ": the broker had not exited " + end);
            }
        }
        if (adaptive != null) {
            for (int i = 0; i < firedAt.length; i++) {
                if (firedAt[i] < 0) {
                    Scenario.FaultEntry e = scenario.faults().get(i);
                    out.add("fault " + (i + 1) + " (" + e.fault().key() + " " + describe(e.fault()) + ", written at " + Time.format(e.atNanos())
                            + ") never fired: the cluster had not settled, or an earlier failover had not completed, " + end);
                }
            }
        }
        out.addAll(producerProblems(k));
        return out;
    }

    /** Producers that sent nothing or got no acknowledgement. */
    private List<String> producerProblems(KafkaRunResult k) {
        List<String> out = new ArrayList<>();
        List<String> producers = new ArrayList<>();
        List<Boolean> acked = new ArrayList<>();
        int clients = 0;
        for (Scenario.Workload w : scenario.workload()) {
            clients++;
            if (w instanceof Scenario.Producer p) {
                producers.add("producer-" + clients);
                acked.add(!p.acks().equals("0"));
            }
        }
        if (producers.isEmpty()) {
            return out;
        }
        java.util.Map<String, long[]> counts = new java.util.TreeMap<>();
        for (String p : producers) {
            counts.put(p, new long[2]);
        }
        List<dev.faultline.core.kafka.KafkaHistory.Operation> ops = cluster.history().operations();
        boolean perClient = !ops.isEmpty() || k.recordsSent() == 0;
        if (perClient) {
            for (dev.faultline.core.kafka.KafkaHistory.Operation op : ops) {
                long[] c = counts.get(op.client());
                if (c != null) {
                    if (op.kind().equals("send")) {
                        c[0]++;
                    } else if (op.kind().equals("ack")) {
                        c[1]++;
                    }
                }
            }
        } else {
            // The operation list is not kept: judge the producers together.
            producers = List.of(String.join(", ", producers));
            counts = java.util.Map.of(producers.get(0), new long[] {k.recordsSent(), k.recordsAcked()});
            acked = List.of(acked.contains(Boolean.TRUE));
        }
        for (int i = 0; i < producers.size(); i++) {
            long[] c = counts.get(producers.get(i));
            if (c[0] == 0) {
                out.add(producers.get(i) + " sent no record");
            } else if (acked.get(i) && c[1] == 0) {
                out.add(producers.get(i) + " sent " + c[0] + " record(s), none acknowledged");
            }
        }
        return out;
    }

    /**
     * A led partition whose ISR lacks a replica on a running, unpaused broker (an under-replicated
     * partition that can still recover), or null. Part of "settled" before the first fault: an
     * operator waits for no under-replicated partitions before the first step. In ZooKeeper mode
     * the first controller of a cold start takes the brokers not yet registered out of every ISR
     * (Kafka's OfflineReplica at failover) and they rejoin only once they have fetched; a broker
     * crash before that leaves partitions without an eligible leader. A scan over every partition,
     * at most once per simulated second ({@link #CHECK_INTERVAL}) and only while the first fault waits.
     */
    private String underReplicatedPartition() {
        ControlPlane cp = mode.controlPlane();
        for (int p = 0; p < spec.partitionCount(); p++) {
            PartitionState s = cp.partitionStates().state(p);
            if (s == null || !s.hasLeader()) {
                continue;
            }
            for (int replica : spec.replicas(p)) {
                NodeId node = cluster.brokerNode(replica);
                if (sim.isUp(node) && !sim.isPaused(node) && !s.inIsr(replica)) {
                    return spec.partitionName(p) + ": broker-" + replica + " runs but is not in the ISR " + s.isr();
                }
            }
        }
        return null;
    }

    /** A partition that could have a live leader but has none applied, or {@code null} (incremental: see KafkaCluster). */
    private String leaderlessPartition() {
        return cluster.leaderlessPartition();
    }

    private Fault toFault(Scenario.FaultEntry e) {
        Scenario.FaultSpec f = e.fault();
        long forNanos = e.forNanos();
        if (f instanceof Scenario.NodeFault n) {
            Target t = target(n.targets());
            switch (n.action()) {
                case CRASH: return new Fault.Crash(t, forNanos);
                case POWER_LOSS: return new Fault.PowerLoss(t, forNanos);
                case RESTART: return new Fault.Restart(t);
                case RECOVER: return new Fault.Recover(t);
                case PAUSE: return new Fault.Pause(t, forNanos);
                case RESUME: return new Fault.Resume(t);
                case CONTROLLED_SHUTDOWN: {
                    Fault cs = dev.faultline.core.kafka.ControlledShutdownFault.of(t, forNanos);
                    shutdownFaults.put(cs, Boolean.TRUE);
                    return cs;
                }
                default: return new Fault.WipeDisk(t, forNanos);
            }
        }
        if (f instanceof Scenario.HealFault) {
            return new Fault.Heal();
        }
        if (f instanceof Scenario.PartitionFault p) {
            List<Target> groups = new ArrayList<>();
            for (List<String> g : p.groups()) {
                if (g.equals(List.of("rest"))) {
                    groups.add(rest(p.groups()));
                } else {
                    groups.add(target(g));
                }
            }
            return new Fault.Partition(p.kind(), groups, forNanos);
        }
        if (f instanceof Scenario.LinkFaultSpec l) {
            Set<String> types = Set.copyOf(l.messages());
            LinkFault lf;
            switch (l.action()) {
                case DELAY: lf = new LinkFault(l.delayNanos(), 0, 0, 0, types); break;
                case DROP: lf = new LinkFault(0, l.probability(), 0, 0, types); break;
                case DUPLICATE: lf = new LinkFault(0, 0, l.probability(), 0, types); break;
                default: lf = new LinkFault(0, 0, 0, l.probability(), types); break;
            }
            return new Fault.Links(target(l.from()), target(l.to()), l.bothWays(), lf, forNanos);
        }
        if (f instanceof Scenario.ControllerThreadPause p) {
            Target t = target(p.targets());
            return new Fault.Custom("pause-controller-thread " + t.describe() + " for " + Time.format(forNanos), s -> {
                List<NodeId> hit = t.resolve(s);
                for (NodeId n : hit) {
                    mode.pauseControllerThread(n, forNanos);
                }
                return hit;
            });
        }
        if (f instanceof Scenario.ForceControllerElection) {
            return new Fault.Custom("force-controller-election", s -> {
                mode.forceControllerElection(s);
                return List.of();
            });
        }
        if (f instanceof Scenario.ClockFault c) {
            return new Fault.Clock(target(c.targets()), c.offsetNanos(), c.driftPpm());
        }
        Scenario.SlowFault s = (Scenario.SlowFault) f;
        return new Fault.Slow(target(s.targets()), s.factor(), forNanos);
    }

    /** Every cluster node that the other groups do not name (resolved when the fault fires). */
    private Target rest(List<List<String>> groups) {
        List<List<String>> others = new ArrayList<>();
        for (List<String> g : groups) {
            if (!g.equals(List.of("rest"))) {
                others.add(g);
            }
        }
        return Target.of("rest", s -> {
            List<NodeId> named = new ArrayList<>();
            for (List<String> g : others) {
                named.addAll(target(g).resolve(s));
            }
            List<NodeId> out = new ArrayList<>();
            for (NodeId n : clusterNodes()) {
                if (!named.contains(n)) {
                    out.add(n);
                }
            }
            return out;
        });
    }

    private Target target(List<String> names) {
        if (names.size() == 1) {
            return target(names.get(0));
        }
        List<Target> parts = new ArrayList<>();
        for (String n : names) {
            parts.add(target(n));
        }
        return Target.of(String.join(",", names), s -> {
            List<NodeId> out = new ArrayList<>();
            for (Target t : parts) {
                for (NodeId id : t.resolve(s)) {
                    if (!out.contains(id)) {
                        out.add(id);
                    }
                }
            }
            return out;
        });
    }

    /** A target written in a scenario: a node name or a role, resolved when the fault fires. */
    private Target target(String name) {
        NodeId node = sim.node(name);
        if (node != null) {
            return Target.of(name, s -> List.of(node));
        }
        switch (name) {
            case "active-controller":
                return Target.of(name, s -> {
                    NodeId c = mode.controlPlane().activeController();
                    return c == null ? List.of() : List.of(c);
                });
            case "raft-leader":
                return Target.of(name, mode::raftLeader);
            case "zk-leader":
                return Target.of(name, mode::zkLeader);
            case "random-broker":
                return Target.randomOne(name, Target.of("live brokers", s -> live(brokers())));
            case "random-voter":
                return Target.randomOne(name, Target.of("live voters", s -> live(mode.quorum(s))));
            case "all":
                return Target.of(name, s -> clusterNodes());
            case "brokers":
                return Target.of(name, s -> brokers());
            case "controllers":
                return Target.of(name, s -> mode.quorum(s).isEmpty() ? brokers() : mode.quorum(s));
            case "zookeeper":
                return Target.of(name, mode::quorum);
            case "minority":
            case "majority":
                return Target.of(name, s -> {
                    List<NodeId> q = new ArrayList<>(mode.quorum(s));
                    s.random("faults").shuffle(q);
                    int minority = q.size() / 2;
                    return name.equals("minority") ? q.subList(0, minority) : q.subList(minority, q.size());
                });
            default:
                break;
        }
        Matcher m = Targets.LEADER_OF.matcher(name);
        if (m.matches()) {
            int p = spec.partition(m.group(1), Integer.parseInt(m.group(2)));
            return Target.of(name, s -> {
                PartitionState st = mode.controlPlane().partitionStates().state(p);
                return st == null || !st.hasLeader() ? List.of() : List.of(cluster.brokerNode(st.leader()));
            });
        }
        Matcher r = Targets.RACK.matcher(name);
        if (r.matches()) {
            String rack = r.group(1);
            return Target.of(name, s -> {
                List<NodeId> out = new ArrayList<>();
                for (ClusterSpec.BrokerSpec b : spec.brokers()) {
                    if (rack.equals(b.rack())) {
                        out.add(cluster.brokerNode(b.id()));
                    }
                }
                return out;
            });
        }
        throw new IllegalArgumentException("unknown target '" + name + "'");
    }

    private List<NodeId> brokers() {
        List<NodeId> out = new ArrayList<>();
        for (ClusterSpec.BrokerSpec b : spec.brokers()) {
            out.add(cluster.brokerNode(b.id()));
        }
        return out;
    }

    private List<NodeId> clusterNodes() {
        List<NodeId> out = new ArrayList<>(brokers());
        for (NodeId q : mode.quorum(sim)) {
            if (!out.contains(q)) {
                out.add(q);
            }
        }
        return out;
    }

    private List<NodeId> live(List<NodeId> nodes) {
        List<NodeId> out = new ArrayList<>();
        for (NodeId n : nodes) {
            if (sim.isUp(n)) {
                out.add(n);
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ judging

    private void judge(RunResult run, KafkaRunResult k, List<String> incomplete) {
        Violation v = run.violation();
        List<Scenario.Expectation> expectations = scenario.expectations().isEmpty() ? List.of(new Scenario.NoViolations()) : scenario.expectations();
        boolean violationExpected = expectations.stream().anyMatch(x -> x instanceof Scenario.ExpectViolation);
        for (Scenario.Expectation x : expectations) {
            if (x instanceof Scenario.NoViolations) {
                verdicts.add(new ScenarioResult.Verdict(x.key(), v == null, v == null ? "" : v.headline()));
            } else if (x instanceof Scenario.NoDataLoss) {
                List<DataLoss> losses = k.losses();
                verdicts.add(new ScenarioResult.Verdict(x.key(), losses.isEmpty(), losses.isEmpty() ? ""
                        : losses.size() + " acknowledged write(s) lost, first " + losses.get(0)));
            } else if (x instanceof Scenario.ExpectDataLoss) {
                List<DataLoss> losses = k.losses();
                long bugs = losses.stream().filter(l -> l.classification() == DataLoss.Classification.BUG).count();
                boolean held = !losses.isEmpty() && bugs == 0;
                verdicts.add(new ScenarioResult.Verdict(x.key(), held, losses.isEmpty() ? "no acknowledged write was lost"
                        : losses.size() + " acknowledged write(s) lost, " + bugs + " classified BUG; first " + losses.get(0)));
            } else if (x instanceof Scenario.ExpectViolation e) {
                boolean held = v != null && v.invariant().equals(e.invariant());
                verdicts.add(new ScenarioResult.Verdict(x.key() + ": " + e.invariant(), held,
                        v == null ? "no invariant failed" : held ? v.headline() : "a different invariant failed: " + v.headline()));
            } else if (x instanceof Scenario.ControllerElectedWithin w) {
                List<String> mine = failuresOf("controller-elected-within");
                verdicts.add(new ScenarioResult.Verdict(x.key() + ": " + Time.format(w.nanos()), mine.isEmpty(), String.join("; ", mine)));
            } else if (x instanceof Scenario.TopicCreatedWithin w) {
                dev.faultline.core.control.TopicCreation t = null;
                for (dev.faultline.core.control.TopicCreation c : cluster.topicCreations()) {
                    if (c.topic().equals(w.topic())) {
                        t = c;
                    }
                }
                boolean held = t != null && t.ready() && t.readyNanos() <= w.nanos();
                String detail = t == null ? "never requested" : !t.ready() ? "not usable by the end of the run (" + t + ")"
                        : "usable " + Time.format(t.readyNanos()) + " after the request";
                verdicts.add(new ScenarioResult.Verdict(x.key() + ": " + w.topic() + " within " + Time.format(w.nanos()), held, detail));
            } else if (x instanceof Scenario.AllPartitionsLedWithin w) {
                List<String> mine = failuresOf("all-partitions-led-within");
                verdicts.add(new ScenarioResult.Verdict(x.key() + ": " + Time.format(w.nanos()), mine.isEmpty(), String.join("; ", mine)));
            } else if (x instanceof Scenario.FailoversComplete) {
                List<String> mine = new ArrayList<>();
                for (String s : incomplete) {
                    if (!s.startsWith("producer")) {
                        mine.add(s);
                    }
                }
                boolean none = k.control().failovers().isEmpty();
                String detail = !mine.isEmpty() ? String.join("; ", mine) : none ? "no failover began (no fault took down a broker or the active controller)" : "";
                verdicts.add(new ScenarioResult.Verdict(x.key(), mine.isEmpty() && !none, detail));
            } else if (x instanceof Scenario.ProduceAcknowledged) {
                List<String> mine = new ArrayList<>();
                for (String s : incomplete) {
                    if (s.startsWith("producer")) {
                        mine.add(s);
                    }
                }
                boolean none = scenario.workload().stream().noneMatch(w -> w instanceof Scenario.Producer);
                verdicts.add(new ScenarioResult.Verdict(x.key(), mine.isEmpty() && !none, none ? "the workload has no producer" : String.join("; ", mine)));
            }
        }
        if (run.stopReason() == RunResult.StopReason.EVENT_LIMIT) {
            // Nothing above judged the rest of the run: say so, and do not let it pass.
            verdicts.add(new ScenarioResult.Verdict("run reached its duration", false, "stopped by its event budget of " + maxEvents
                    + " events at t=" + Time.format(run.endTimeNanos()) + ", before the end of the run at " + Time.format(scenario.durationNanos())
                    + "; the verdicts above judge only the part that ran (a shorter duration or a lighter workload fits the budget)"));
        }
        if (v != null && !violationExpected && expectations.stream().noneMatch(x -> x instanceof Scenario.NoViolations)) {
            // A violation always fails a run unless the scenario expects exactly that violation.
            verdicts.add(new ScenarioResult.Verdict("no-violations (implied)", false, v.headline()));
        }
    }

    private List<String> failuresOf(String key) {
        List<String> out = new ArrayList<>();
        for (String f : expectationFailures) {
            if (f.startsWith(key + ":")) {
                out.add(f.substring(key.length() + 2));
            }
        }
        return out;
    }
}
