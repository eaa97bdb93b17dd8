package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.kernel.Message;

/** A quorum packet on one leader–learner connection (see {@link Channel}). */
public record ZabPacket(long connection, long seq, ZabMessage body) implements Message {
    @Override
    public int sizeBytes() {
        return 16 + body.sizeBytes();
    }
}
