/**
 * Kafka's ZooKeeper mode as a {@link dev.faultline.core.control.ControlPlane} ({@link
 * dev.faultline.zookeeper.kafka.ZkControlPlane}): every broker's agent holds a ZooKeeper session,
 * registers {@code /brokers/ids/N} (broker epoch = its czxid), runs for {@code /controller}, and the
 * winner runs the controller: one event queue fed by watches, epoch-checked pipelined writes,
 * failover load from ZooKeeper, broker failure and startup handling, controlled shutdown,
 * AlterPartition, runtime topic creation and preferred-leader rebalancing, with LeaderAndIsr and
 * UpdateMetadata sent through per-broker request channels. Also here: the ZooKeeper-mode checks
 * (KZ-*). See docs/model.md, "ZooKeeper-mode controller".
 */
package dev.faultline.zookeeper.kafka;
