package dev.faultline.core.kafka;

import dev.faultline.core.check.classify.ViolationClass;

/**
 * An acknowledged acks=all record that left its partition's authoritative lineage (DP-S1),
 * classified as docs/architecture.md#ground-truth-and-checkers says.
 *
 * @param partition partition name
 * @param offset the offset it was acknowledged at
 * @param recordId the record
 * @param ackedAtNanos when it was acknowledged
 * @param detectedAtNanos when a leader without it took over
 * @param classification what the {@link dev.faultline.core.check.classify.Classifier} made of it: EXPECTED or HAZARD (a rule
 *     applies; the run goes on), or BUG
 * @param reason the case a rule covers, or what happened
 */
public record DataLoss(String partition, long offset, long recordId, long ackedAtNanos, long detectedAtNanos, ViolationClass classification,
                       String reason) {
}
