/**
 * The Kafka data plane, the same in every metadata mode: the broker ({@link
 * dev.faultline.core.kafka.KafkaBroker}) with its leader half (produce with acks 0/1/all, the
 * acks=all purgatory, incremental fetch sessions with long polls, ISR shrink and expand through
 * AlterPartition, the high watermark) and follower half (one fetcher per leader, truncation by
 * leader-epoch lineage), its logs and checkpoint files with page-cache writeback; the producer
 * (modelled on the Kafka 3.9 Java client) and consumer clients; the ground-truth client history; the
 * data-plane invariants DP-S1..DP-S7 with their EXPECTED/BUG loss classification ({@code
 * DataPlaneChecker}) and the bounded-liveness checks DP-L1..DP-L3 ({@code DataPlaneLiveness}); and
 * {@link dev.faultline.core.kafka.KafkaCluster}, a cluster assembled on any control plane by {@link
 * dev.faultline.core.kafka.KafkaClusterBuilder}, with test assertions in {@code ClusterAssertions}. Replica
 * state lives in primitive arrays per broker, so an idle partition costs no objects. See
 * docs/model.md, "Replication data plane", "Producer client" and "Consumer".
 */
package dev.faultline.core.kafka;
