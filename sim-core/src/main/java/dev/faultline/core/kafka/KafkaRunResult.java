package dev.faultline.core.kafka;

import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.core.control.ControllerResult;
import dev.faultline.core.trace.RunResult;
import java.util.List;

/**
 * The result of a Kafka run: the kernel's result (stop reason, events, fingerprint, first
 * violation), the control plane's failovers and decision counts
 * (docs/architecture.md#failover-phases), the acks=all losses with their classification, and the
 * client operation counts.
 */
public record KafkaRunResult(RunResult run, ControllerResult control, List<DataLoss> losses, long recordsSent, long recordsAcked,
                             long recordsFailed, long recordsConsumed) {
    public KafkaRunResult {
        losses = List.copyOf(losses);
    }

    /** Losses classified as BUG. */
    public long bugLosses() {
        return losses.stream().filter(l -> l.classification() == ViolationClass.BUG).count();
    }

    /** Losses classified as EXPECTED. */
    public long expectedLosses() {
        return losses.stream().filter(l -> l.classification() == ViolationClass.EXPECTED).count();
    }
}
