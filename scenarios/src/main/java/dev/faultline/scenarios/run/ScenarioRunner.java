package dev.faultline.scenarios.run;

import dev.faultline.core.check.Violation;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
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
import java.util.regex.Matcher;

/**
 * Runs a scenario: builds the cluster for its mode, schedules the workload and the faults (targets
 * resolved when each fault fires), runs to the scenario's duration, and judges the expectations.
 * Deterministic: the same scenario and seed give the same result and fingerprint.
 */
public final class ScenarioRunner {
    /** How to run. */
    public record Options(List<TraceSink> traceSinks, long maxEvents) {
        public Options {
            traceSinks = List.copyOf(traceSinks);
        }

        public static Options defaults() {
            return new Options(List.of(), 2_000_000_000L);
        }
    }

    private final Scenario scenario;
    private final Simulation sim;
    private final ModeSupport mode;
    private final ClusterSpec spec;
    private final KafkaCluster cluster;
    private final FaultInjector injector;
    private final long maxEvents;
    private final List<String> expectationFailures = new ArrayList<>();
    private final List<ScenarioResult.Verdict> verdicts = new ArrayList<>();

    private ScenarioRunner(Scenario scenario, Options options) {
        this.scenario = scenario;
        this.maxEvents = options.maxEvents();
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
                ProducerConfig pc = ProducerConfig.of(partitions, p.ratePerSecond() / count,
                        p.recordsPerPartition() > 0 ? p.recordsPerPartition() : Long.MAX_VALUE, props);
                b.producer("producer-" + clients, p.startNanos() > 0 ? pc.startingAfter(p.startNanos()) : pc);
            } else {
                b.consumer("consumer-" + clients, names);
            }
        }
        this.cluster = b.build();
        mode.addLivenessChecks(sim);
        this.injector = new FaultInjector(sim);
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
        installFaults();
        cluster.start();
        RunResult run = sim.run(scenario.durationNanos(), maxEvents);
        KafkaRunResult k = cluster.result(run);
        judge(run, k);
        boolean passed = verdicts.stream().allMatch(ScenarioResult.Verdict::held);
        return new ScenarioResult(scenario.name(), scenario.cluster().mode().yamlName(), scenario.seed(), passed, run.violation(), verdicts,
                k.control().failovers(), k.losses(), run.events(), run.endTimeNanos(), run.fingerprintHex(), k.control().leaderElections(),
                k.control().controllerChanges(), k.recordsSent(), k.recordsAcked(), cluster.topicCreations());
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
        for (Scenario.Expectation x : scenario.expectations()) {
            if (x instanceof Scenario.ControllerElectedWithin w) {
                for (Scenario.FaultEntry e : scenario.faults()) {
                    long at = e.atNanos() + w.nanos();
                    if (at <= scenario.durationNanos()) {
                        sim.schedule(at, () -> {
                            if (mode.controlPlane().activeController() == null) {
                                expectationFailures.add("controller-elected-within: no active controller at " + Time.format(at)
                                        + " (" + Time.format(w.nanos()) + " after the fault at " + Time.format(e.atNanos()) + ")");
                            }
                        });
                    }
                }
            } else if (x instanceof Scenario.AllPartitionsLedWithin w) {
                for (Scenario.FaultEntry e : scenario.faults()) {
                    long at = e.atNanos() + w.nanos();
                    if (at <= scenario.durationNanos()) {
                        sim.schedule(at, () -> {
                            String leaderless = leaderlessPartition();
                            if (leaderless != null) {
                                expectationFailures.add("all-partitions-led-within: at " + Time.format(at) + " (" + Time.format(w.nanos())
                                        + " after the fault at " + Time.format(e.atNanos()) + ") " + leaderless);
                            }
                        });
                    }
                }
            }
        }
    }

    /** A partition that could have a live leader but has none applied, or {@code null}. */
    private String leaderlessPartition() {
        ControlPlane cp = mode.controlPlane();
        for (int p = 0; p < spec.partitionCount(); p++) {
            PartitionState s = cp.partitionStates().state(p);
            if (s == null && spec.createdAtRuntime(p)) {
                continue; // not created yet: topic-created-within judges it
            }
            boolean leadable = false;
            boolean unclean = spec.uncleanLeaderElectionEnabled(p);
            for (int replica : spec.replicas(p)) {
                NodeId node = cluster.brokerNode(replica);
                if (sim.isUp(node) && !sim.isPaused(node) && (unclean || (s != null && s.inIsr(replica)))) {
                    leadable = true;
                }
            }
            if (!leadable) {
                continue;
            }
            if (s == null || !s.hasLeader()) {
                return spec.partitionName(p) + " has no leader";
            }
            KafkaBroker leader = cluster.broker(s.leader());
            if (leader == null || !leader.isLeader(p)) {
                return spec.partitionName(p) + ": leader broker-" + s.leader() + " has not applied its leadership";
            }
        }
        return null;
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
                case CONTROLLED_SHUTDOWN: return dev.faultline.core.kafka.ControlledShutdownFault.of(t, forNanos);
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

    private void judge(RunResult run, KafkaRunResult k) {
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
