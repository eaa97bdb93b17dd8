package dev.faultline.scenarios.run;

import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.core.check.Violation;
import dev.faultline.core.check.classify.Classification;
import dev.faultline.core.check.classify.Classifier;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kafka.DataLoss;
import dev.faultline.core.kernel.Time;
import java.util.List;

/**
 * The outcome of one scenario run.
 *
 * @param scenario scenario name
 * @param mode metadata mode it ran in
 * @param seed the seed it ran with
 * @param passed every expectation held
 * @param violation the invariant violation that stopped the run, or {@code null}
 * @param expectations each expectation with its verdict
 * @param failovers the failovers measured, in fault order (docs/architecture.md#failover-phases)
 * @param losses acknowledged acks=all writes lost, classified EXPECTED or BUG
 * @param events simulation events processed
 * @param simulatedNanos virtual time simulated
 * @param fingerprint the trace fingerprint (16 hex digits)
 * @param leaderElections partition leader elections decided
 * @param controllerChanges controllers activated
 * @param recordsSent records the producers sent
 * @param recordsAcked of those, acknowledged
 * @param topicCreations topics created during the run ({@code create-at}), measured from the request
 * @param incomplete what the run did not measure, one sentence each: failovers that never
 *     completed, producers that got no acknowledgement, controlled shutdowns that never exited, faults
 *     an adaptive run never fired (empty when everything was measured)
 * @param faultTimes each fault entry of the scenario: when it was written to fire and when it first
 *     fired (adaptive timing moves faults later until the cluster has settled)
 * @param shutdowns each controlled shutdown: the broker, when it was asked to stop, and how long
 *     until its process exited
 * @param classification the class of {@code violation} (docs/invariants.md#classification), or {@code null} without one
 * @param excused the cases a classification rule counted as HAZARD or EXPECTED while the run went on: the first of each
 *     invariant and evidence, with its class
 */
public record ScenarioResult(String scenario, String mode, long seed, boolean passed, Violation violation, List<Verdict> expectations,
                             List<FailoverMeasurement> failovers, List<DataLoss> losses, long events, long simulatedNanos, String fingerprint,
                             long leaderElections, long controllerChanges, long recordsSent, long recordsAcked,
                             List<dev.faultline.core.control.TopicCreation> topicCreations, List<String> incomplete,
                             List<FaultTime> faultTimes, List<Shutdown> shutdowns, Classification classification, List<Classified> excused) {

    public ScenarioResult {
        excused = List.copyOf(excused);
        expectations = List.copyOf(expectations);
        failovers = List.copyOf(failovers);
        losses = List.copyOf(losses);
        topicCreations = List.copyOf(topicCreations);
        incomplete = List.copyOf(incomplete);
        faultTimes = List.copyOf(faultTimes);
        shutdowns = List.copyOf(shutdowns);
    }

    /** A result without the adaptive-timing and completeness details. */
    public ScenarioResult(String scenario, String mode, long seed, boolean passed, Violation violation, List<Verdict> expectations,
                          List<FailoverMeasurement> failovers, List<DataLoss> losses, long events, long simulatedNanos, String fingerprint,
                          long leaderElections, long controllerChanges, long recordsSent, long recordsAcked,
                          List<dev.faultline.core.control.TopicCreation> topicCreations) {
        this(scenario, mode, seed, passed, violation, expectations, failovers, losses, events, simulatedNanos, fingerprint, leaderElections,
                controllerChanges, recordsSent, recordsAcked, topicCreations, List.of(), List.of(), List.of(),
                violation == null ? null : Classifier.NO_RULE, List.of());
    }

    /**
     * A violation with its class.
     *
     * @param violation what the checker reported
     * @param classification its class and the rule that gave it
     */
    public record Classified(Violation violation, Classification classification) {
        /** {@code DP-S1 [HAZARD (zk-unclean-shutdown-leader, KIP-966)]: message (at t=..., ...)}. */
        @Override
        public String toString() {
            return "[" + classification.label() + "] " + violation.headline();
        }
    }

    /** The classes this run showed: its violation's, then each excused case's, in that order, without repeats. */
    public List<ViolationClass> classes() {
        java.util.LinkedHashSet<ViolationClass> out = new java.util.LinkedHashSet<>();
        if (classification != null) {
            out.add(classification.violationClass());
        }
        for (Classified c : excused) {
            out.add(c.classification().violationClass());
        }
        return List.copyOf(out);
    }

    /**
     * When a fault entry was written to fire and when it first did.
     *
     * @param fault the fault key and its targets as written ({@code crash active-controller})
     * @param writtenAtNanos its {@code at}
     * @param firedAtNanos when it first fired; -1 when it never did
     */
    public record FaultTime(String fault, long writtenAtNanos, long firedAtNanos) {
    }

    /**
     * A controlled shutdown.
     *
     * @param broker the broker asked to stop
     * @param requestedAtNanos when (the SIGTERM)
     * @param exitNanos how long after that its process exited; -1 when it had not by the end of the run
     */
    public record Shutdown(String broker, long requestedAtNanos, long exitNanos) {
    }

    /** A result without topics created during the run. */
    public ScenarioResult(String scenario, String mode, long seed, boolean passed, Violation violation, List<Verdict> expectations,
                          List<FailoverMeasurement> failovers, List<DataLoss> losses, long events, long simulatedNanos, String fingerprint,
                          long leaderElections, long controllerChanges, long recordsSent, long recordsAcked) {
        this(scenario, mode, seed, passed, violation, expectations, failovers, losses, events, simulatedNanos, fingerprint, leaderElections,
                controllerChanges, recordsSent, recordsAcked, List.of());
    }

    /** One expectation and whether it held. */
    public record Verdict(String expectation, boolean held, String detail) {
        @Override
        public String toString() {
            return (held ? "ok     " : "FAILED ") + expectation + (detail.isEmpty() ? "" : " — " + detail);
        }
    }

    /** A human summary: verdict, each expectation, failovers, losses, fingerprint. */
    public String summary() {
        StringBuilder sb = new StringBuilder();
        sb.append(scenario).append(" [").append(mode).append(", seed ").append(seed).append("]: ").append(passed ? "PASSED" : "FAILED")
                .append(incomplete.isEmpty() ? "" : (passed ? ", but " : "; ") + incomplete.size() + " measurement(s) INCOMPLETE (below)").append('\n');
        for (Verdict v : expectations) {
            sb.append("  ").append(v).append('\n');
        }
        if (violation != null) {
            sb.append("  violation [").append(classification == null ? "BUG" : classification.label()).append("]: ")
                    .append(violation.report().replace("\n", "\n  ")).append('\n');
        }
        for (Classified c : excused) {
            sb.append("  ").append(c.classification().violationClass().yamlName()).append(" (run went on): ").append(c).append('\n');
        }
        for (FaultTime t : faultTimes) {
            if (t.firedAtNanos() != t.writtenAtNanos()) {
                sb.append("  fault ").append(t.fault()).append(": written at ").append(Time.format(t.writtenAtNanos())).append(", ")
                        .append(t.firedAtNanos() < 0 ? "never fired" : "fired at " + Time.format(t.firedAtNanos())).append('\n');
            }
        }
        for (FailoverMeasurement f : failovers) {
            sb.append("  failover: ").append(f).append('\n');
        }
        for (Shutdown s : shutdowns) {
            sb.append("  controlled shutdown: ").append(s.broker()).append(" at ").append(Time.format(s.requestedAtNanos())).append(": ")
                    .append(s.exitNanos() < 0 ? "never exited" : "exited after " + Time.format(s.exitNanos())).append('\n');
        }
        for (String i : incomplete) {
            sb.append("  INCOMPLETE: ").append(i).append('\n');
        }
        for (dev.faultline.core.control.TopicCreation t : topicCreations) {
            sb.append("  topic creation: ").append(t).append('\n');
        }
        long expected = losses.stream().filter(l -> l.classification() == ViolationClass.EXPECTED).count();
        long hazard = losses.stream().filter(l -> l.classification() == ViolationClass.HAZARD).count();
        if (!losses.isEmpty()) {
            sb.append("  acknowledged writes lost: ").append(losses.size()).append(" (").append(expected).append(" EXPECTED, ").append(hazard)
                    .append(" HAZARD, ").append(losses.size() - expected - hazard).append(" BUG); first: ").append(losses.get(0)).append('\n');
        }
        sb.append("  records sent ").append(recordsSent).append(", acknowledged ").append(recordsAcked).append("; leader elections ")
                .append(leaderElections).append(", controllers activated ").append(controllerChanges).append('\n');
        sb.append("  ").append(events).append(" events, ").append(Time.format(simulatedNanos)).append(" simulated, fingerprint ").append(fingerprint);
        return sb.toString();
    }
}
