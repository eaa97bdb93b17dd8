package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * KZ-L1 ({@link ControllerAvailability}): after the controller's broker crashes, with the
 * ZooKeeper quorum up and the other brokers connected, another broker must be active controller
 * within the bound. With the planted switch {@code zkBroker.ignoreControllerDeletion} nobody runs
 * for election when {@code /controller} disappears, and the checker fires; without it the same run
 * passes and the new controller is measured against the bound.
 */
class ControllerAvailabilityTest {
    private static final long SESSION = 18 * Time.SECOND;

    private static KafkaCluster crashTheController(boolean bug) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("t", 30, 3).config("zkBroker.ignoreControllerDeletion", bug).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(4).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(20 * Time.SECOND);
        kafka.assertNoViolation();
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        kafka.crash(controller);
        kafka.runFor(SESSION + 30 * Time.SECOND);
        return kafka;
    }

    @Test
    void withNobodyRunningForElectionKzL1Fires() {
        KafkaCluster kafka = crashTheController(true);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-L1");
        assertThat(kafka.sim().violation().message()).startsWith("no active controller for");
        System.out.println(kafka.sim().violation().headline());
    }

    @Test
    void aCrashedControllerIsReplacedWithinTheBound() {
        KafkaCluster kafka = crashTheController(false);
        kafka.assertNoViolation();
        NodeId controller = kafka.controlPlane().activeController();
        assertThat(controller).isNotNull();
        assertThat(kafka.controlHistory().controllerChanges()).isEqualTo(2);
        ZkControlPlane plane = (ZkControlPlane) kafka.controlPlane();
        assertThat(plane.agent(ClusterSpec.brokerIdOf(controller.name())).isReadyController()).isTrue();
    }

    @Test
    void theBoundIsTheSessionTimeoutTwoTicksTheLoadCostAndEpsilon() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("t", 30, 3).build();
        long cost = ControllerAvailability.cost(spec);
        // 30 partitions: 4·30·cost CPU, (3 brokers + 1 topic + 60 partition ops)/10 → 7 + 20 round trips of 50 ms.
        long cpu = 4L * 30 * spec.config().getLong("faultline.broker.partition.cost.ns");
        assertThat(cost).isEqualTo(cpu + 27 * 50 * Time.MILLISECOND);
    }
}
