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

    /**
     * The failover the bound is about, measured in a real run and bounded from ZooKeeper's timer
     * definitions rather than from the checker's formula: the dead controller's ephemeral
     * /controller znode goes only when its session expires, no sooner than one session timeout after
     * its last heartbeat (a client pings after a third of the timeout of silence, so at least 2/3 of
     * the timeout after the crash) and no later than a timeout plus one expiry tick (tickTime 2 s)
     * after it; the election and the load of 30 partitions then take well under a second. The
     * checker's bound must cover that window, or KZ-L1 would fire on healthy failovers.
     */
    @Test
    void theFailoverTakesAboutOneSessionTimeoutAndTheBoundCoversIt() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("t", 30, 3).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(4).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(20 * Time.SECOND);
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        long crashAt = kafka.sim().now();
        kafka.crash(controller);
        kafka.runFor(SESSION + 30 * Time.SECOND);
        kafka.assertNoViolation();
        long electedAt = kafka.controlHistory().decisions().stream()
                .filter(d -> d.kind() == dev.faultline.core.control.ControlHistory.Kind.CONTROLLER_ELECTED && d.timeNanos() > crashAt)
                .mapToLong(dev.faultline.core.control.ControlHistory.Decision::timeNanos).min().orElseThrow();
        long failover = electedAt - crashAt;
        long tick = 2 * Time.SECOND;
        assertThat(failover).isBetween(SESSION * 2 / 3, SESSION + tick + Time.SECOND);
        long bound = new ControllerAvailability((ZkControlPlane) kafka.controlPlane(), kafka.sim(), spec, SESSION, tick).boundNanos();
        assertThat(bound).isGreaterThanOrEqualTo(SESSION + tick + Time.SECOND).isLessThan(SESSION + 4 * tick);
    }
}
