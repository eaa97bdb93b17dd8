package dev.faultline.scenarios.run;

import dev.faultline.core.check.Violation;
import dev.faultline.core.check.classify.Classification;
import dev.faultline.core.check.classify.Classifier;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.fault.Fault;
import dev.faultline.core.fault.FaultInjector;
import dev.faultline.core.fault.FaultSchedule;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.KafkaClusterBuilder;
import dev.faultline.core.kafka.KafkaRunResult;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.mode.MetadataMode;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.core.trace.RunResult;
import dev.faultline.core.trace.TraceSink;
import dev.faultline.scenarios.spec.Expectation;
import dev.faultline.scenarios.spec.FaultSpec;
import dev.faultline.scenarios.spec.Modes;
import dev.faultline.scenarios.spec.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.function.LongConsumer;

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
    private final MetadataMode.Run mode;
    private final ClusterSpec spec;
    private final KafkaCluster cluster;
    private final FaultInjector injector;
    private final long maxEvents;
    private final Options options;
    /** When each fault entry first fired (-1: not yet), by entry index. */
    private final long[] firedAt;
    /** Adaptive timing: how much later than written the schedule now runs. */
    private long offset;
    private final FaultPlan plan;
    private final RunCompleteness completeness;
    private final List<String> expectationFailures = new ArrayList<>();

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
        this.mode = Modes.of(c.mode()).build(Modes.layout(c), c.version(), c.config(), scenario.bugs());
        KafkaClusterBuilder b = KafkaCluster.builder(spec).simulation(sim).controlPlane(mode.controlPlane());
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
                // The version's client defaults (Kafka 4.0: linger.ms 5), unless the producer sets its own.
                Map<String, String> props = new TreeMap<>(c.version().clientDefaults());
                props.putAll(p.config());
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
        mode.addInvariants(sim);
        this.injector = new FaultInjector(sim);
        this.plan = new FaultPlan(sim, spec, cluster, mode);
        this.completeness = new RunCompleteness(scenario, cluster, injector, plan);
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
        List<ScenarioResult.Shutdown> shutdowns = completeness.shutdowns(k.control().failovers());
        List<String> incomplete = completeness.incomplete(run, k, adaptive == null ? null : firedAt);
        // Every violation is classified in one place (docs/invariants.md#classification).
        String mode = scenario.cluster().mode().yamlName();
        Classification classification = run.violation() == null ? null : Classifier.classify(run.violation(), mode);
        List<ScenarioResult.Classified> excused = new ArrayList<>();
        for (Violation v : cluster.sim().excused()) {
            excused.add(new ScenarioResult.Classified(v, Classifier.classify(v, mode)));
        }
        List<ScenarioResult.Verdict> verdicts = new Judge(scenario, cluster.topicCreations(), expectationFailures, maxEvents)
                .judge(run, k, incomplete, classification, excused);
        boolean passed = verdicts.stream().allMatch(ScenarioResult.Verdict::held);
        List<ScenarioResult.FaultTime> faultTimes = new ArrayList<>();
        for (int i = 0; i < scenario.faults().size(); i++) {
            Scenario.FaultEntry e = scenario.faults().get(i);
            long fired = adaptive != null ? firedAt[i] : e.atNanos() <= run.endTimeNanos() ? e.atNanos() : -1;
            faultTimes.add(new ScenarioResult.FaultTime(e.fault().key() + " " + describe(e.fault()), e.atNanos(), fired));
        }
        return new ScenarioResult(scenario.name(), scenario.cluster().mode().yamlName(), scenario.seed(), passed, run.violation(), verdicts,
                k.control().failovers(), k.losses(), run.events(), run.endTimeNanos(), run.fingerprintHex(), k.control().leaderElections(),
                k.control().controllerChanges(), k.recordsSent(), k.recordsAcked(), cluster.topicCreations(), incomplete, faultTimes, shutdowns,
                classification, excused);
    }

    /** A fault's targets as written: {@code broker-3}, {@code active-controller}, ... */
    static String describe(FaultSpec f) {
        if (f instanceof FaultSpec.NodeFault n) {
            return String.join(",", n.targets());
        }
        if (f instanceof FaultSpec.ControllerThreadPause p) {
            return String.join(",", p.targets());
        }
        if (f instanceof FaultSpec.PartitionFault p) {
            return p.kind().name().toLowerCase(java.util.Locale.ROOT) + " " + p.groups();
        }
        if (f instanceof FaultSpec.LinkFaultSpec l) {
            return l.from() + " -> " + l.to();
        }
        if (f instanceof FaultSpec.ClockFault c) {
            return String.join(",", c.targets());
        }
        if (f instanceof FaultSpec.SlowFault sl) {
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
            Fault f = plan.toFault(e);
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
        for (Expectation x : scenario.expectations()) {
            if (x instanceof Expectation.ControllerElectedWithin w) {
                long at = faultAt + w.nanos();
                if (at <= until) {
                    sim.schedule(at, () -> {
                        if (mode.controlPlane().activeController() == null) {
                            expectationFailures.add("controller-elected-within: no active controller at " + Time.format(at)
                                    + " (" + Time.format(w.nanos()) + " after the fault at " + Time.format(faultAt) + ")");
                        }
                    });
                }
            } else if (x instanceof Expectation.AllPartitionsLedWithin w) {
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
                    Fault f = plan.toFault(e);
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

        boolean healing(FaultSpec f) {
            return f instanceof FaultSpec.HealFault || (f instanceof FaultSpec.NodeFault n
                    && (n.action() == FaultSpec.NodeAction.RECOVER || n.action() == FaultSpec.NodeAction.RESUME));
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
            return completeness.failoversComplete();
        }
    }

    /** Whether the client phase of a broker failover in {@code scenario} is measured (see {@link RunCompleteness}). */
    public static boolean clientPhaseMeasured(Scenario scenario) {
        return RunCompleteness.clientPhaseMeasured(scenario);
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
}
