package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * PB-ZKC-2 {@code zkController.allowEmptyIsr} (KAFKA-5083), docs/model.md#planted-bugs: partition
 * [1, 2], ISR [1, 2], unclean election off. Kill broker 2 (ISR [1]), kill broker 1, restart broker
 * 1 with its data. Fixed: the ISR keeps [1], so 1 is re-elected. Bug: the ISR became empty, no
 * replica is eligible, the partition stays offline and the timed check KZ-L2 fires; KZ-S4 reports
 * the empty ISR at the write itself, so KZ-L2 shows only with KZ-S4 off.
 */
class AllowEmptyIsrTest {
    private static final long SESSION = 18 * Time.SECOND;

    private static KafkaCluster run(boolean bug, boolean kzS4) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("p", new int[] {1, 2})
                .config("zkController.allowEmptyIsr", bug).config("faultline.check.kz.l2", "true").build();
        ZkControlPlane plane = new ZkControlPlane();
        if (!kzS4) {
            plane.disableInvariant("KZ-S4");
        }
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(5).controlPlane(plane).build().start();
        kafka.runFor(20 * Time.SECOND);
        kafka.crash(2);
        kafka.runFor(SESSION + 10 * Time.SECOND);
        kafka.crash(1);
        kafka.runFor(SESSION + 10 * Time.SECOND);
        kafka.restart(1);
        // Past KZ-L2's bound: session timeout and two ticks, failover cost, round trips, slack.
        kafka.runFor(60 * Time.SECOND);
        return kafka;
    }

    @Test
    void fixedTheLastIsrMemberStaysAndIsReElected() {
        KafkaCluster kafka = run(false, true);
        kafka.assertNoViolation();
        PartitionState s = kafka.controlPlane().partitionStates().state(0);
        assertThat(s.leader()).isEqualTo(1);
        assertThat(kafka.broker(1).isLeader(0)).isTrue();
    }

    @Test
    void withTheBugTheIsrEmptiesAndKzS4Fires() {
        KafkaCluster kafka = run(true, true);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-S4");
        assertThat(kafka.sim().violation().message()).contains("empty ISR");
    }

    @Test
    void withTheBugAndKzS4OffThePartitionStaysOfflineAndKzL2Fires() {
        KafkaCluster kafka = run(true, false);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-L2");
        // A live replica with all its data exists, yet no leader within the bound.
        assertThat(kafka.sim().violation().message()).startsWith("p-0 has had no applied leader");
        PartitionState s = kafka.controlPlane().partitionStates().state(0);
        assertThat(s.isr().isEmpty()).as("ISR of p-0 is empty: %s", s).isTrue();
        assertThat(s.hasLeader()).as("partition p-0 has a leader: %s", s).isFalse();
    }
}
