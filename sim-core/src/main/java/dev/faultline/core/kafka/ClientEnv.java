package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverRecorder;
import java.util.function.LongSupplier;

/**
 * What a simulated client is built with: the cluster description (partition names and bootstrap
 * brokers), and the omniscient history and failover recorder it reports into, with the true virtual
 * clock for those reports. The client's own logic reads only its node context.
 *
 * @param reportsFailover whether this client's successful produces end failovers' client phase
 *     (the canary's do; the workload's only when there is no canary)
 */
record ClientEnv(ClusterSpec cluster, KafkaHistory history, FailoverRecorder failover, LongSupplier trueClock, boolean reportsFailover) {
}
