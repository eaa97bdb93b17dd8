package dev.faultline.scenarios.run;

import dev.faultline.core.check.Violation;
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
 * @param failovers the failovers measured, in fault order (design.md §5)
 * @param losses acknowledged acks=all writes lost, classified EXPECTED or BUG
 * @param events simulation events processed
 * @param simulatedNanos virtual time simulated
 * @param fingerprint the trace fingerprint (16 hex digits)
 * @param leaderElections partition leader elections decided
 * @param controllerChanges controllers activated
 * @param recordsSent records the producers sent
 * @param recordsAcked of those, acknowledged
 * @param topicCreations topics created during the run ({@code create-at}), measured from the request
 */
public record ScenarioResult(String scenario, String mode, long seed, boolean passed, Violation violation, List<Verdict> expectations,
                             List<FailoverMeasurement> failovers, List<DataLoss> losses, long events, long simulatedNanos, String fingerprint,
                             long leaderElections, long controllerChanges, long recordsSent, long recordsAcked,
                             List<dev.faultline.core.control.TopicCreation> topicCreations) {

    public ScenarioResult {
        expectations = List.copyOf(expectations);
        failovers = List.copyOf(failovers);
        losses = List.copyOf(losses);
        topicCreations = List.copyOf(topicCreations);
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
        sb.append(scenario).append(" [").append(mode).append(", seed ").append(seed).append("]: ").append(passed ? "PASSED" : "FAILED").append('\n');
        for (Verdict v : expectations) {
            sb.append("  ").append(v).append('\n');
        }
        if (violation != null) {
            sb.append("  violation: ").append(violation.report().replace("\n", "\n  ")).append('\n');
        }
        for (FailoverMeasurement f : failovers) {
            sb.append("  failover: ").append(f).append('\n');
        }
        for (dev.faultline.core.control.TopicCreation t : topicCreations) {
            sb.append("  topic creation: ").append(t).append('\n');
        }
        long expected = losses.stream().filter(l -> l.classification() == DataLoss.Classification.EXPECTED).count();
        if (!losses.isEmpty()) {
            sb.append("  acknowledged writes lost: ").append(losses.size()).append(" (").append(expected).append(" EXPECTED, ")
                    .append(losses.size() - expected).append(" BUG); first: ").append(losses.get(0)).append('\n');
        }
        sb.append("  records sent ").append(recordsSent).append(", acknowledged ").append(recordsAcked).append("; leader elections ")
                .append(leaderElections).append(", controllers activated ").append(controllerChanges).append('\n');
        sb.append("  ").append(events).append(" events, ").append(Time.format(simulatedNanos)).append(" simulated, fingerprint ").append(fingerprint);
        return sb.toString();
    }
}
