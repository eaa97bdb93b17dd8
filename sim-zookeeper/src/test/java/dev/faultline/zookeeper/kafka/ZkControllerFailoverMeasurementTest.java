package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * ZooKeeper-mode controller failover phases (detect, elect, ready, propagate) for 6 brokers and 3
 * ZooKeeper servers, replication factor 3: the active controller's process crashes.
 */
class ZkControllerFailoverMeasurementTest {

    @ParameterizedTest(name = "{0} partitions")
    @ValueSource(ints = {1_000, 10_000, 100_000})
    void controllerFailoverPhases(int partitions) {
        ClusterSpec spec = ClusterSpec.builder().brokers(6).topic("t", partitions, 3).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(7).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(30 * Time.SECOND);
        NodeId first = kafka.controlPlane().activeController();
        assertThat(first).isNotNull();
        kafka.crash(ClusterSpec.brokerIdOf(first.name()));
        kafka.runFor(90 * Time.SECOND);
        kafka.assertNoViolation();
        FailoverMeasurement m = kafka.failover().measurements().stream()
                .filter(f -> f.kind() == FailoverMeasurement.Kind.CONTROLLER).findFirst().orElseThrow();
        System.out.println("ZK-mode controller failover, 6 brokers, 3 ZooKeeper servers, " + partitions + " partitions x RF 3: " + m);
        assertThat(m.readyNanos()).isPositive();
        // Brokers learn the new controller from its first UpdateMetadata, which Kafka sends once the
        // context is loaded and before the state machines start (so before "ready").
        assertThat(m.propagateNanos()).isGreaterThanOrEqualTo(m.electNanos());
    }

    @org.junit.jupiter.api.Test
    void brokerFailurePhasesAt1000Partitions() {
        ClusterSpec spec = ClusterSpec.builder().brokers(6).topic("t", 1_000, 3).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(7).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(30 * Time.SECOND);
        NodeId controller = kafka.controlPlane().activeController();
        int victim = ClusterSpec.brokerIdOf(controller.name()) == 1 ? 2 : 1;
        kafka.crash(victim);
        kafka.runFor(60 * Time.SECOND);
        kafka.assertNoViolation();
        FailoverMeasurement m = kafka.failover().measurements().stream()
                .filter(f -> f.kind() == FailoverMeasurement.Kind.BROKER).findFirst().orElseThrow();
        System.out.println("ZK-mode broker failure, 6 brokers, 3 ZooKeeper servers, 1000 partitions x RF 3: " + m);
        assertThat(m.electedPartitions()).isEqualTo(m.affectedPartitions()).isPositive();
        assertThat(m.propagatedPartitions()).isEqualTo(m.affectedPartitions());
        // Detection waits for the session to expire at the ZooKeeper leader (at most 18 s after the last touch).
        assertThat(m.detectNanos()).isGreaterThan(6 * Time.SECOND);
        assertThat(m.propagateNanos()).isGreaterThanOrEqualTo(m.electNanos());
    }

    @org.junit.jupiter.api.Test
    void controllerFailoverPhasesOver20SeedsAt1000Partitions() {
        java.util.List<Long> detect = new java.util.ArrayList<>();
        java.util.List<Long> elect = new java.util.ArrayList<>();
        java.util.List<Long> ready = new java.util.ArrayList<>();
        java.util.List<Long> propagate = new java.util.ArrayList<>();
        for (long seed = 1; seed <= 20; seed++) {
            ClusterSpec spec = ClusterSpec.builder().brokers(6).topic("t", 1_000, 3).build();
            KafkaCluster kafka = KafkaCluster.builder(spec).seed(seed).controlPlane(new ZkControlPlane()).build().start();
            kafka.runFor(30 * Time.SECOND);
            kafka.crash(ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name()));
            kafka.runFor(60 * Time.SECOND);
            kafka.assertNoViolation();
            FailoverMeasurement m = kafka.failover().measurements().stream()
                    .filter(f -> f.kind() == FailoverMeasurement.Kind.CONTROLLER).findFirst().orElseThrow();
            detect.add(m.detectNanos());
            elect.add(m.electNanos());
            ready.add(m.readyNanos());
            propagate.add(m.propagateNanos());
        }
        System.out.println("ZK-mode controller failover over 20 seeds, 6 brokers, 3 ZooKeeper servers, 1000 partitions x RF 3:");
        System.out.println("  detect:    " + dev.faultline.zookeeper.measure.LeaderFailover.Summary.of(detect));
        System.out.println("  elect:     " + dev.faultline.zookeeper.measure.LeaderFailover.Summary.of(elect));
        System.out.println("  ready:     " + dev.faultline.zookeeper.measure.LeaderFailover.Summary.of(ready));
        System.out.println("  propagate: " + dev.faultline.zookeeper.measure.LeaderFailover.Summary.of(propagate));
        // Detection is session expiry: at most the 18 s session timeout (rounded up to a tick) after the crash.
        assertThat(java.util.Collections.max(detect)).isLessThanOrEqualTo(20 * Time.SECOND + Time.SECOND / 10);
    }
}
