package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.Time;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The active controller's broker, which leads a partition, loses power and is restarted 1 s later,
 * long before its old ZooKeeper session expires
 * (docs/model.md#broker-registration-and-broker-epoch, docs/model.md#controller-failover). Its
 * unflushed log suffix (acknowledged records, also held by the follower) is gone. Kafka's broker
 * registration fails while the old session's {@code /brokers/ids/N} exists (NodeExistsException,
 * fatal at startup), so the broker does not come back the instant that znode is deleted. Found by
 * the fuzzer (seeds 8 and 22): the model re-registered at that very instant, so the next
 * controller, loading {@code /brokers/ids} a few milliseconds later, saw the broker live, kept it
 * as leader with its emptied log, and the follower truncated the acknowledged records away (DP-S1).
 */
class FastRestartDuringSessionTest {

    @Test
    void aBrokerRestartedInsideItsOldSessionDoesNotKeepLeadershipWithALostLog() {
        ClusterSpec spec = ClusterSpec.builder().brokers(2).topic("t", new int[] {1, 2}, new int[] {2, 1})
                .config("min.insync.replicas", "2").build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(8).controlPlane(new ZkControlPlane())
                .producer("producer-1", ProducerConfig.of(new int[] {0, 1}, 20, Long.MAX_VALUE, Map.of("acks", "all", "partitioner.class", ProducerConfig.ROUND_ROBIN))).build().start();
        kafka.runFor(20 * Time.SECOND);
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        kafka.powerLoss(controller);
        kafka.runFor(Time.SECOND);
        kafka.restart(controller);
        kafka.runFor(40 * Time.SECOND);
        kafka.assertNoViolation();
        assertThat(kafka.losses()).as("acknowledged records lost").isEmpty();
        // The broker came back afterwards and rejoined.
        assertThat(kafka.controlPlane().partitionStates().state(controller - 1).isr().contains(controller)).isTrue();
    }
}
