package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.FailoverRecorder;
import dev.faultline.core.control.KafkaConfig;
import java.util.function.LongSupplier;

/**
 * What a broker process is built with, besides its node context: the cluster description, its own
 * configuration (cluster config with per-broker overrides), the control plane that supplies its agent,
 * and the omniscient measurement hooks (failover recorder, invariant observer, the host clock that
 * drives page-cache writeback). Nodes never read measurement state back.
 */
record BrokerEnv(ClusterSpec cluster, KafkaConfig config, ControlPlane controlPlane, FailoverRecorder failover,
                 ReplicaObserver observer, LongSupplier hostClock) {
}
