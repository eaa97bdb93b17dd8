package dev.faultline.zookeeper.ensemble;

/** A znode's {@code Stat}: {@code czxid} is Kafka's broker epoch, {@code version} its zkVersion. */
public record Stat(long czxid, long mzxid, long pzxid, int version, int cversion, long ephemeralOwner, int numChildren) {
}
