package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaBroker;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.TraceEvent;
import dev.faultline.zookeeper.client.ClientState;
import dev.faultline.zookeeper.ensemble.DataTree;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import org.junit.jupiter.api.Test;

/**
 * Warm start in ZooKeeper mode ({@link ClusterSpec#warmStart()}): the ensemble, the brokers'
 * sessions and registrations, the controller and its loaded context exist before the run, so no
 * partition is read or sent before the first fault; a controller crash then fails over as usual.
 */
class ZkWarmStartTest {
    private static KafkaCluster cluster(long seed, boolean warm) {
        ClusterSpec spec = ClusterSpec.builder().brokers(6).topic("t", 300, 3).warmStart(warm).build();
        return KafkaCluster.builder(spec).seed(seed).controlPlane(new ZkControlPlane()).build();
    }

    /** Controller requests (LeaderAndIsr, UpdateMetadata) delivered, and partition state reads answered. */
    private static List<String> controllerTraffic(KafkaCluster kafka) {
        List<String> seen = new ArrayList<>();
        kafka.sim().tracer().addSink(e -> {
            if (e instanceof TraceEvent.Delivered d && (d.type().equals("Envelope") || d.message().contains("/state"))) {
                seen.add(d.type() + " at " + Time.format(d.time()));
            }
        });
        return seen;
    }

    @Test
    void theClusterIsEstablishedWithinASecondAndNoPartitionIsReadOrSent() {
        KafkaCluster kafka = cluster(1, true);
        List<String> traffic = controllerTraffic(kafka);
        kafka.start();
        kafka.runFor(3 * Time.SECOND);
        kafka.assertNoViolation();
        ZkControlPlane plane = (ZkControlPlane) kafka.controlPlane();
        assertThat(plane.ensemble().establishedLeader()).isNotNull();
        NodeId controller = plane.activeController();
        assertThat(controller).isNotNull();
        assertThat(plane.agent(ClusterSpec.brokerIdOf(controller.name())).isReadyController()).isTrue();
        assertThat(kafka.controlHistory().controllerChanges()).isEqualTo(1);
        DataTree tree = plane.authoritativeTree();
        for (ClusterSpec.BrokerSpec b : kafka.spec().brokers()) {
            ZkBrokerAgent agent = plane.agent(b.id());
            assertThat(agent.isRegistered()).isTrue();
            assertThat(agent.zk().state()).isEqualTo(ClientState.CONNECTED);
            assertThat(agent.brokerEpoch()).isEqualTo(tree.stat(KafkaZnodes.brokerPath(b.id())).czxid());
            assertThat(tree.stat(KafkaZnodes.brokerPath(b.id())).ephemeralOwner()).isEqualTo(agent.zk().sessionId());
        }
        for (int p = 0; p < 300; p++) {
            PartitionState s = plane.partitionStates().state(p);
            assertThat(s.leader()).isEqualTo(kafka.spec().replica(p, 0));
            assertThat(s.leaderEpoch()).isZero();
            KafkaBroker leader = kafka.broker(s.leader());
            assertThat(leader.isLeader(p)).isTrue();
            assertThat(leader.metadataLeader(p)).isEqualTo(s.leader());
        }
        assertThat(traffic).as("no failover load, no LeaderAndIsr or UpdateMetadata before the first fault").isEmpty();
        // The session survives its first timeout: the resumed clients ping the new leader.
        kafka.runFor(40 * Time.SECOND);
        kafka.assertNoViolation();
        assertThat(kafka.controlHistory().controllerChanges()).isEqualTo(1);
        assertThat(traffic).isEmpty();
    }

    @Test
    void aColdStartReadsEveryPartitionAndSendsThem() {
        KafkaCluster kafka = cluster(1, false);
        List<String> traffic = controllerTraffic(kafka);
        kafka.start();
        kafka.runFor(3 * Time.SECOND);
        assertThat(traffic).isNotEmpty();
    }

    @Test
    void aCrashOfTheWarmControllerFailsOverAsUsual() {
        KafkaCluster kafka = cluster(2, true).start();
        kafka.runFor(5 * Time.SECOND);
        NodeId first = kafka.controlPlane().activeController();
        int firstId = ClusterSpec.brokerIdOf(first.name());
        kafka.crash(firstId);
        kafka.runFor(40 * Time.SECOND);
        kafka.assertNoViolation();
        NodeId second = kafka.controlPlane().activeController();
        assertThat(second).isNotNull().isNotEqualTo(first);
        FailoverMeasurement m = kafka.failover().measurements().stream()
                .filter(f -> f.kind() == FailoverMeasurement.Kind.CONTROLLER).findFirst().orElseThrow();
        assertThat(m.readyNanos()).isPositive();
        for (int p = 0; p < 300; p++) {
            PartitionState s = kafka.controlPlane().partitionStates().state(p);
            assertThat(s.hasLeader()).as("P%d", p).isTrue();
            assertThat(s.leader()).isNotEqualTo(firstId);
            assertThat(kafka.broker(s.leader()).isLeader(p)).isTrue();
        }
    }

    @Test
    void theControllerAndTheSessionsDependOnTheSeed() {
        TreeSet<String> controllers = new TreeSet<>();
        TreeSet<Long> sessions = new TreeSet<>();
        for (long seed = 1; seed <= 8; seed++) {
            KafkaCluster kafka = cluster(seed, true).start();
            kafka.runFor(2 * Time.SECOND);
            controllers.add(kafka.controlPlane().activeController().name());
            sessions.add(((ZkControlPlane) kafka.controlPlane()).agent(1).zk().sessionId());
        }
        assertThat(controllers).hasSizeGreaterThan(1);
        assertThat(sessions).hasSize(8);
    }
}
