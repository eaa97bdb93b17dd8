/**
 * A ZooKeeper ensemble as simulated processes: each {@link dev.faultline.zookeeper.ensemble.ZkServer}
 * (a {@code QuorumPeer}) runs Fast Leader Election while LOOKING and the ZAB leader or follower role
 * once decided (discovery, DIFF/TRUNC/SNAP synchronization, broadcast with fsync before ACK, commit
 * by quorum); {@link dev.faultline.zookeeper.ensemble.RoleOwner} is the one owner of role
 * transitions. Servers keep their epochs and transaction log on disk, apply transactions to a
 * sorted data tree, track sessions in tick-sized expiry buckets, and serve clients with one-shot
 * watches. The omniscient {@link dev.faultline.zookeeper.ensemble.ZkHistory} records established
 * leaders, the committed sequence and session expiries for the checkers. See docs/model.md,
 * "ZooKeeper ensemble".
 */
package dev.faultline.zookeeper.ensemble;
