/**
 * The ZooKeeper ensemble's safety invariants ZK-S1..ZK-S9 (one established leader per epoch,
 * monotonic epochs, one committed history, commits only on a durable quorum, no committed
 * transaction truncated, ephemeral owners open, no premature session expiry, what clients observe),
 * read after every event from the servers' state and the ground-truth {@code ZkHistory}; {@link
 * dev.faultline.zookeeper.check.ZkInvariants} registers them. See docs/invariants.md.
 */
package dev.faultline.zookeeper.check;
