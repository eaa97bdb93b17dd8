package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlHistory;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.control.LeaderElection;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * What the ZooKeeper-mode controller reports to the run's accounting when the active controller's
 * broker crashes: only real leader changes count as leader elections (a partition whose leader did
 * not move, or that merely lost its leader, is not an election), and the broker failure's detect
 * phase is the moment the new controller loads {@code /brokers/ids} without it.
 */
class ZkFailoverAccountingTest {

    @Test
    void controllerBrokerCrashCountsOnlyRealLeaderChangesAndReportsDetection() {
        // "t": 12 partitions at RF 3; "solo": one single-replica partition per broker, which can only go offline.
        ClusterSpec spec = ClusterSpec.builder().brokers(6).topic("t", 12, 3)
                .topic("solo", new int[] {1}, new int[] {2}, new int[] {3}, new int[] {4}, new int[] {5}, new int[] {6}).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(11).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(30 * Time.SECOND);
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        int[] leaderBefore = new int[spec.partitionCount()];
        int movable = 0;
        for (int p = 0; p < spec.partitionCount(); p++) {
            leaderBefore[p] = kafka.controlPlane().partitionStates().state(p).leader();
            if (leaderBefore[p] == controller && spec.replicas(p).length > 1) {
                movable++;
            }
        }
        long crashAt = kafka.sim().now();
        kafka.crash(controller);
        kafka.runFor(60 * Time.SECOND);
        kafka.assertNoViolation();

        List<ControlHistory.Decision> elections = kafka.controlHistory().decisions().stream()
                .filter(d -> d.kind() == ControlHistory.Kind.LEADER_ELECTED && d.timeNanos() >= crashAt).toList();
        assertThat(elections).as("elections after the crash of controller broker %s", controller)
                .allSatisfy(d -> {
                    assertThat(d.state().leader()).isNotEqualTo(LeaderElection.NO_LEADER);
                    assertThat(d.state().leader()).isNotEqualTo(leaderBefore[d.state().partition()]);
                })
                .hasSize(movable);
        assertThat(movable).isPositive();

        FailoverMeasurement broker = kafka.failover().measurements().stream()
                .filter(f -> f.kind() == FailoverMeasurement.Kind.BROKER && f.target().equals("broker-" + controller)).findFirst().orElseThrow();
        FailoverMeasurement ctl = kafka.failover().measurements().stream()
                .filter(f -> f.kind() == FailoverMeasurement.Kind.CONTROLLER).findFirst().orElseThrow();
        assertThat(broker.detectNanos()).as("broker failure detect phase: %s", broker).isPositive();
        // The new controller learns of the dead broker while loading, after it won /controller.
        assertThat(broker.detectNanos()).isGreaterThanOrEqualTo(ctl.electNanos()).isLessThanOrEqualTo(ctl.readyNanos());
    }
}
