/**
 * The boundary between the Kafka data plane and the metadata modes. {@link
 * dev.faultline.core.control.ControlPlane} is the SPI every mode implements (ZooKeeper mode in
 * sim-zookeeper, KRaft in sim-raft, and here the omniscient {@link
 * dev.faultline.core.control.OracleControlPlane}); each broker process embeds the mode's {@link
 * dev.faultline.core.control.BrokerAgent} and offers it a {@link dev.faultline.core.control.BrokerHandle}.
 * Shared by every mode: the cluster description ({@link dev.faultline.core.control.ClusterSpec},
 * {@link dev.faultline.core.control.KafkaConfig} with Kafka's property names and defaults), the pure
 * leader-election rules ({@link dev.faultline.core.control.LeaderElection}), the ground-truth
 * {@link dev.faultline.core.control.ControlHistory} of decisions, the admin client that creates
 * topics, and failover measurement ({@link dev.faultline.core.control.FailoverRecorder}: detect,
 * elect, ready, propagate, client). See docs/architecture.md, "The ControlPlane SPI" and "From a
 * fault to a failover measurement".
 */
package dev.faultline.core.control;
