package dev.faultline.core.control;

import java.util.List;

/**
 * What the control plane contributed to a run's result: the failovers measured
 * (docs/architecture.md#failover-phases) and the decision counts. Part of the Kafka run result that
 * reports and comparisons read.
 *
 * @param mode {@link ControlPlane#mode()}
 * @param failovers every failover, in fault order
 * @param leaderElections leader decisions after topic creation
 * @param uncleanElections of those, unclean ones
 * @param isrChanges ISR-only changes
 * @param controllerChanges controllers activated
 */
public record ControllerResult(String mode, List<FailoverMeasurement> failovers, long leaderElections, long uncleanElections,
                               long isrChanges, long controllerChanges) {
    public ControllerResult {
        failovers = List.copyOf(failovers);
    }
}
