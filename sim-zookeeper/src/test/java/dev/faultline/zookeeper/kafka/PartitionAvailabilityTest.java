package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * The timed KZ-L2 checker ({@link PartitionAvailability}, opt-in): it fires on PB-ZKC-2's offline
 * partition (docs/model.md#planted-bugs; its scenario expects KZ-L2) and holds for the same run
 * with the bug off, and for a leader crash that the controller handles.
 */
class PartitionAvailabilityTest {
    private static final long SESSION = 18 * Time.SECOND;

    /** PB-ZKC-2's sequence (see {@link AllowEmptyIsrTest}) with KZ-S4 off, so the later KZ-L2 shows. */
    private static KafkaCluster allowEmptyIsr(boolean bug) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("p", new int[] {1, 2})
                .config("zkController.allowEmptyIsr", bug).config("faultline.check.kz.l2", "true").build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(5).controlPlane(new ZkControlPlane().disableInvariant("KZ-S4")).build().start();
        kafka.runFor(20 * Time.SECOND);
        kafka.crash(2);
        kafka.runFor(SESSION + 10 * Time.SECOND);
        kafka.crash(1);
        kafka.runFor(SESSION + 10 * Time.SECOND);
        kafka.restart(1);
        kafka.runFor(60 * Time.SECOND);
        return kafka;
    }

    @Test
    void withPbZkc2TheLastIsrMemberReturnsButNoLeaderComesAndKzL2Fires() {
        KafkaCluster kafka = allowEmptyIsr(true);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-L2");
        assertThat(kafka.sim().violation().message()).startsWith("p-0 has had no applied leader");
        System.out.println(kafka.sim().violation().headline());
    }

    @Test
    void withTheFixTheReturningLastIsrMemberLeadsInTime() {
        KafkaCluster kafka = allowEmptyIsr(false);
        kafka.assertNoViolation();
        assertThat(kafka.broker(1).isLeader(0)).isTrue();
    }

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
