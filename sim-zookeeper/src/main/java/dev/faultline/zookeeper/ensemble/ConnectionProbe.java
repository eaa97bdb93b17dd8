package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.kernel.Message;

/** A follower's probe of its leader connection (see {@code FollowerRole}); ignored on arrival. */
public record ConnectionProbe() implements Message {
    @Override
    public int sizeBytes() {
        return 40;
    }
}
