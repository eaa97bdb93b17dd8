package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.kernel.Message;

/**
 * An FLE notification (election connections are separate from quorum traffic; FLE tolerates loss
 * by re-sending, so it needs no sequencing).
 *
 * @param vote the sender's current vote
 * @param electionEpoch the sender's {@code logicalclock}
 * @param state the sender's role
 * @param sid the sender
 */
public record Notification(Vote vote, long electionEpoch, ServerRole state, long sid) implements Message {
    @Override
    public int sizeBytes() {
        return 60;
    }
}
