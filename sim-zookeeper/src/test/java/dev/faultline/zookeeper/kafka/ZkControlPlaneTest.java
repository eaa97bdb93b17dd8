package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

class ZkControlPlaneTest {

    static KafkaCluster cluster(long seed, int partitions) {
        ClusterSpec spec = ClusterSpec.builder().brokers(6).topic("t", partitions, 3).build();
        return KafkaCluster.builder(spec).seed(seed).controlPlane(new ZkControlPlane()).build();
    }

    @Test
    void brokersRegisterAndOneControllerLoadsAndLeadsEveryPartition() {
        KafkaCluster kafka = cluster(1, 60).start();
        kafka.runFor(20 * Time.SECOND);
        kafka.assertNoViolation();
        NodeId controller = kafka.controlPlane().activeController();
        assertThat(controller).isNotNull();
        for (int p = 0; p < 60; p++) {
            PartitionState s = kafka.controlPlane().partitionStates().state(p);
            assertThat(s.hasLeader()).isTrue();
            assertThat(kafka.broker(s.leader()).isLeader(p)).as("P%d leader %d applied", p, s.leader()).isTrue();
        }
    }

    @Test
    void controllerCrashMovesControlAfterTheSessionTimeout() {
        KafkaCluster kafka = cluster(2, 60).start();
        kafka.runFor(20 * Time.SECOND);
        NodeId first = kafka.controlPlane().activeController();
        int firstId = ClusterSpec.brokerIdOf(first.name());
        kafka.crash(firstId);
        kafka.runFor(60 * Time.SECOND);
        kafka.assertNoViolation();
        NodeId second = kafka.controlPlane().activeController();
        assertThat(second).isNotNull().isNotEqualTo(first);
        FailoverMeasurement m = kafka.failover().measurements().stream()
                .filter(f -> f.kind() == FailoverMeasurement.Kind.CONTROLLER).findFirst().orElseThrow();
        System.out.println(m);
        // /controller disappears only when the leader expires the session: 18 s rounded up to a tick.
        assertThat(m.detectNanos()).isGreaterThanOrEqualTo(18 * Time.SECOND);
        assertThat(m.readyNanos()).isGreaterThanOrEqualTo(m.electNanos()).isPositive();
        for (int p = 0; p < 60; p++) {
            PartitionState s = kafka.controlPlane().partitionStates().state(p);
            assertThat(s.leader()).as("P%d", p).isNotEqualTo(firstId);
            assertThat(s.hasLeader()).isTrue();
        }
    }

    @Test
    void leadershipReturnsToPreferredReplicasAtTheNextAutoRebalanceCheck() {
        KafkaCluster kafka = cluster(3, 60).start();
        kafka.runFor(20 * Time.SECOND);
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        int victim = controller == 1 ? 2 : 1;
        kafka.crash(victim);
        kafka.runFor(40 * Time.SECOND);
        kafka.restart(victim);
        kafka.runFor(30 * Time.SECOND);
        int preferredAndLeading = 0;
        for (int p = 0; p < 60; p++) {
            PartitionState s = kafka.controlPlane().partitionStates().state(p);
            if (kafka.spec().replica(p, 0) == victim && s.leader() == victim) {
                preferredAndLeading++;
            }
        }
        assertThat(preferredAndLeading).as("before the 300 s check, the restarted broker leads nothing it prefers").isZero();
        kafka.runFor(300 * Time.SECOND);
        kafka.assertNoViolation();
        for (int p = 0; p < 60; p++) {
            if (kafka.spec().replica(p, 0) == victim) {
                PartitionState s = kafka.controlPlane().partitionStates().state(p);
                assertThat(s.leader()).as("P%d back on its preferred replica", p).isEqualTo(victim);
                assertThat(kafka.broker(victim).isLeader(p)).isTrue();
            }
        }
    }
}
