package dev.faultline.zookeeper.client;

import dev.faultline.core.kernel.Message;

/** A client-protocol message on one client connection (sequenced like {@code ZabPacket}). */
public record ClientPacket(long connection, long seq, ClientMessage body) implements Message {
    @Override
    public int sizeBytes() {
        return 16 + body.sizeBytes();
    }
}
