package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * The timed KZ-L2 checker ({@link PartitionAvailability}): it holds for a leader crash, then the
 * controller's own crash, that the controller handles. (Its firing run and the passing twin are
 * PB-ZKC-2's, in {@link AllowEmptyIsrTest}.)
 */
class PartitionAvailabilityTest {
    @Test
    void aCrashedLeadersPartitionsMoveWithinTheBound() {
        ClusterSpec spec = ClusterSpec.builder().brokers(4).topic("t", 40, 3).config("faultline.check.kz.l2", "true").build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(3).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(20 * Time.SECOND);
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        kafka.crash(controller % 4 + 1);
        kafka.runFor(40 * Time.SECOND);
        kafka.crash(controller); // the controller's broker too: detection of both runs through session expiry
        kafka.runFor(60 * Time.SECOND);
        kafka.assertNoViolation();
    }
}
