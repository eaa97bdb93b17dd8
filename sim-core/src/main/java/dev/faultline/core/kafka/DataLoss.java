package dev.faultline.core.kafka;

/**
 * An acknowledged acks=all record that left its partition's authoritative lineage (DP-S1),
 * classified as docs/architecture.md#ground-truth-and-checkers says.
 *
 * @param partition partition name
 * @param offset the offset it was acknowledged at
 * @param recordId the record
 * @param ackedAtNanos when it was acknowledged
 * @param detectedAtNanos when a leader without it took over
 * @param classification EXPECTED (an exemption applies) or BUG
 * @param reason the exemption, or what happened
 */
public record DataLoss(String partition, long offset, long recordId, long ackedAtNanos, long detectedAtNanos, Classification classification,
                       String reason) {
    /** Whether the loss is allowed by the durability contract. */
    public enum Classification { EXPECTED, BUG }
}
