package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverRecorder;
import java.util.function.LongSupplier;

/**
 * What a simulated client is built with: the cluster description (partition names and bootstrap
 * brokers), and the omniscient history and failover recorder it reports into, with the true virtual
 * clock for those reports. The client's own logic reads only its node context.
 */
record ClientEnv(ClusterSpec cluster, KafkaHistory history, FailoverRecorder failover, LongSupplier trueClock) {
}
