package dev.faultline.raft.kraft;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.Time;

/**
 * The KRaft settings of a cluster, read once when the control plane is installed, with Kafka's
 * names and defaults: {@code broker.session.timeout.ms}, {@code broker.heartbeat.interval.ms},
 * {@code metadata.max.idle.interval.ms} (500), the snapshot triggers
 * {@code metadata.log.max.record.bytes.between.snapshots} and
 * {@code metadata.log.max.snapshot.interval.ms}, log retention {@code metadata.max.retention.bytes}
 * and {@code metadata.max.retention.ms}, the model constant {@code faultline.controller.record.cost.ns},
 * and the planted bug and test switches of the quorum controller (see {@link KRaftControlPlane}).
 */
final class KRaftSettings {
    final long sessionTimeoutNanos;
    final long heartbeatIntervalNanos;
    final long idleIntervalNanos;
    final long recordCostNanos;
    final long snapshotMaxBytes;
    final long snapshotIntervalNanos;
    final long retentionBytes;
    final long retentionNanos;
    /** Planted bug {@code kraftController.isrIgnoresBrokerEpoch} (KIP-903 reverted). */
    final boolean isrIgnoresBrokerEpoch;
    /** Test switch for KM-S4: offline-partition elections accept a registered but fenced replica. */
    final boolean electFencedLeader;
    /** Test switch for KM-S7 (no historical fix): accepted heartbeats do not renew the broker's session. */
    final boolean heartbeatsDoNotRenewSessions;
    /** Test switch for KM-S1 (no historical fix): the Raft leader's controller claims before replaying past its epoch start. */
    final boolean claimBeforeEpochStart;
    /** Test switch for KM-S3 (no historical fix): fencing the last ISR member of a partition leaves it an empty ISR. */
    final boolean fenceEmptiesIsr;

    KRaftSettings(ClusterSpec cluster) {
        var config = cluster.config();
        this.sessionTimeoutNanos = config.getMillisAsNanos("broker.session.timeout.ms");
        this.heartbeatIntervalNanos = config.getMillisAsNanos("broker.heartbeat.interval.ms");
        this.idleIntervalNanos = config.has("metadata.max.idle.interval.ms")
                ? config.getMillisAsNanos("metadata.max.idle.interval.ms") : 500 * Time.MILLISECOND;
        this.recordCostNanos = config.has("faultline.controller.record.cost.ns")
                ? config.getLong("faultline.controller.record.cost.ns") : KRaftControlPlane.DEFAULT_RECORD_COST_NANOS;
        this.snapshotMaxBytes = config.has("metadata.log.max.record.bytes.between.snapshots")
                ? config.getLong("metadata.log.max.record.bytes.between.snapshots") : KRaftControlPlane.DEFAULT_SNAPSHOT_MAX_BYTES;
        this.snapshotIntervalNanos = config.has("metadata.log.max.snapshot.interval.ms")
                ? config.getMillisAsNanos("metadata.log.max.snapshot.interval.ms") : KRaftControlPlane.DEFAULT_SNAPSHOT_INTERVAL_NANOS;
        this.retentionBytes = config.has("metadata.max.retention.bytes")
                ? config.getLong("metadata.max.retention.bytes") : KRaftControlPlane.DEFAULT_RETENTION_BYTES;
        this.retentionNanos = config.has("metadata.max.retention.ms")
                ? config.getLong("metadata.max.retention.ms") * Time.MILLISECOND : KRaftControlPlane.DEFAULT_RETENTION_NANOS;
        this.isrIgnoresBrokerEpoch = switchOn(cluster, "kraftController.isrIgnoresBrokerEpoch");
        this.electFencedLeader = switchOn(cluster, "kraftController.electFencedLeader");
        this.heartbeatsDoNotRenewSessions = switchOn(cluster, "kraftController.heartbeatsDoNotRenewSessions");
        this.claimBeforeEpochStart = switchOn(cluster, "kraftController.claimBeforeEpochStart");
        this.fenceEmptiesIsr = switchOn(cluster, "kraftController.fenceEmptiesIsr");
    }

    private static boolean switchOn(ClusterSpec cluster, String key) {
        return cluster.config().has(key) && cluster.config().getBoolean(key);
    }
}
