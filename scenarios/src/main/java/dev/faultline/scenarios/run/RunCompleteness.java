package dev.faultline.scenarios.run;

import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.fault.FaultInjector;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.KafkaRunResult;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import dev.faultline.scenarios.spec.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * What a run measured and what it did not: whether its failovers completed (adaptive timing waits
 * for that), the controlled shutdowns and how long each broker took to exit, and, at the end, every
 * failover, shutdown, fault or producer that left something unmeasured, each as a sentence.
 */
final class RunCompleteness {
    private final Scenario scenario;
    private final KafkaCluster cluster;
    private final FaultInjector injector;
    private final FaultPlan plan;

    RunCompleteness(Scenario scenario, KafkaCluster cluster, FaultInjector injector, FaultPlan plan) {
        this.scenario = scenario;
        this.cluster = cluster;
        this.injector = injector;
        this.plan = plan;
    }

    /**
     * Whether the client phase of a broker failover is measured: the failover canary runs
     * ({@code faultline.canary.enable}, the default: it writes to every partition a failed broker
     * led), or every topic that exists from the start has a producer (with acks 1 or all).
     */
    boolean clientPhaseMeasured() {
        return clientPhaseMeasured(scenario);
    }

    /** Whether every failover so far reached every phase that applies to it (adaptive timing waits for it). */
    boolean failoversComplete() {
        List<FailoverMeasurement> failovers = cluster.failover().measurements();
        Set<String> exits = cleanExits(failovers);
        for (FailoverMeasurement f : failovers) {
            if (FailoverCompleteness.missing(f, clientPhaseMeasured(), exits.contains(exitKey(f))) != null) {
                return false;
            }
        }
        return true;
    }

    /** Whether the client phase of a broker failover in {@code scenario} is measured (see the instance method). */
    static boolean clientPhaseMeasured(Scenario scenario) {
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
    private Set<String> cleanExits(List<FailoverMeasurement> failovers) {
        Set<String> out = new TreeSet<>();
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
    List<ScenarioResult.Shutdown> shutdowns(List<FailoverMeasurement> failovers) {
        List<ScenarioResult.Shutdown> out = new ArrayList<>();
        for (FaultInjector.Applied a : injector.history()) {
            if (!plan.isControlledShutdown(a.fault())) {
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
     *
     * @param firedAt adaptive runs: when each fault entry first fired (-1: never); {@code null} for the fixed schedule
     */
    List<String> incomplete(RunResult run, KafkaRunResult k, long[] firedAt) {
        List<String> out = new ArrayList<>();
        String end = "by the end of the run (" + Time.format(run.endTimeNanos()) + (run.violation() != null ? ", stopped by a violation" : "") + ")";
        Set<String> exits = cleanExits(k.control().failovers());
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
        if (firedAt != null) {
            for (int i = 0; i < firedAt.length; i++) {
                if (firedAt[i] < 0) {
                    Scenario.FaultEntry e = scenario.faults().get(i);
                    out.add("fault " + (i + 1) + " (" + e.fault().key() + " " + ScenarioRunner.describe(e.fault()) + ", written at " + Time.format(e.atNanos())
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
}
