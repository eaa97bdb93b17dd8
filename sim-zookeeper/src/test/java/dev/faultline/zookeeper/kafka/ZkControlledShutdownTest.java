package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.zookeeper.ensemble.ZkServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Controlled shutdown in ZooKeeper mode (docs/model.md#controlled-shutdown): the controller moves
 * leadership and ISR membership away before the broker exits, the broker's registration disappears
 * as soon as it exits (its session is closed, not expired), a broker that cannot reach a controller
 * retries {@code controlled.shutdown.max.retries} times and shuts down anyway, and the controller
 * rejects a ControlledShutdown from an older broker epoch
 * (docs/model.md#broker-registration-and-broker-epoch).
 */
class ZkControlledShutdownTest {
    private static final int PARTITIONS = 12;

    private static KafkaCluster cluster(ZkControlPlane plane) {
        int[] all = new int[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++) {
            all[p] = p;
        }
        ClusterSpec spec = ClusterSpec.builder().brokers(4).config("min.insync.replicas", 2).topic("t", PARTITIONS, 3).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(3).controlPlane(plane)
                .producer("producer", ProducerConfig.roundRobin(all, 200 * PARTITIONS, Long.MAX_VALUE, "all")).build().start();
        kafka.runFor(20 * Time.SECOND);
        assertThat(kafka.controlPlane().activeController()).isNotNull();
        return kafka;
    }

    private static int controllerId(KafkaCluster kafka) {
        return ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
    }

    /** A broker that is not the controller. */
    private static int notController(KafkaCluster kafka) {
        return controllerId(kafka) == 1 ? 2 : 1;
    }

    private static int ledBy(KafkaCluster kafka, int broker) {
        int n = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            if (kafka.controlPlane().partitionStates().leader(p) == broker) {
                n++;
            }
        }
        return n;
    }

    private static int isrMemberships(KafkaCluster kafka, int broker) {
        int n = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            if (kafka.controlPlane().partitionStates().state(p).inIsr(broker)) {
                n++;
            }
        }
        return n;
    }

    /** Whether the most advanced ZooKeeper server holds {@code /brokers/ids/<broker>}. */
    private static boolean registered(ZkControlPlane plane, int broker) {
        ZkServer best = null;
        for (NodeId id : plane.ensemble().servers()) {
            ZkServer s = plane.ensemble().process(id);
            if (s != null && s.dataTree() != null && (best == null || s.dataTree().lastProcessedZxid() > best.dataTree().lastProcessedZxid())) {
                best = s;
            }
        }
        return best.dataTree().exists(KafkaZnodes.brokerPath(broker));
    }

    /** Runs until the broker's process is gone (at most {@code limitNanos}); returns how long that took. */
    private static long runUntilDown(KafkaCluster kafka, int broker, long limitNanos) {
        long start = kafka.sim().now();
        while (kafka.broker(broker) != null && kafka.sim().now() - start < limitNanos) {
            kafka.runFor(Time.MILLISECOND);
        }
        assertThat(kafka.broker(broker)).as("broker-%d exited within %s", broker, Time.format(limitNanos)).isNull();
        return kafka.sim().now() - start;
    }

    @Test
    void leadershipAndIsrMembershipMoveBeforeTheBrokerExitsAndItsRegistrationGoesAtOnce() {
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = cluster(plane);
        int victim = notController(kafka);
        assertThat(ledBy(kafka, victim)).isPositive();
        kafka.controlledShutdown(victim, 0);
        long took = runUntilDown(kafka, victim, 10 * Time.SECOND);
        System.out.println("ZooKeeper mode: controlled shutdown of broker-" + victim + " took " + Time.format(took));
        assertThat(took).as("a clean shutdown needs no session timeout").isLessThan(Time.SECOND);
        assertThat(ledBy(kafka, victim)).as("it leads nothing when it exits").isZero();
        assertThat(isrMemberships(kafka, victim)).as("it is in no ISR when it exits").isZero();
        kafka.runFor(100 * Time.MILLISECOND);
        assertThat(registered(plane, victim)).as("/brokers/ids/%d deleted by closeSession", victim).isFalse();
        var run = kafka.runFor(20 * Time.SECOND);
        kafka.assertNoViolation();
        assertThat(kafka.result(run).losses()).isEmpty();
    }

    @Test
    void aCrashedBrokerKeepsItsLeadershipAndRegistrationUntilItsSessionExpires() {
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = cluster(plane);
        int victim = notController(kafka);
        int led = ledBy(kafka, victim);
        kafka.crash(victim);
        kafka.runFor(Time.SECOND);
        assertThat(ledBy(kafka, victim)).isEqualTo(led);
        assertThat(registered(plane, victim)).isTrue();
        kafka.runFor(25 * Time.SECOND);
        assertThat(registered(plane, victim)).isFalse();
        assertThat(ledBy(kafka, victim)).isZero();
        kafka.assertNoViolation();
    }

    @Test
    void theControllerItselfShutsDownCleanlyAndAnotherTakesOver() {
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = cluster(plane);
        int controller = controllerId(kafka);
        kafka.controlledShutdown(controller, 0);
        long took = runUntilDown(kafka, controller, 10 * Time.SECOND);
        assertThat(took).isLessThan(Time.SECOND);
        assertThat(ledBy(kafka, controller)).isZero();
        kafka.runFor(2 * Time.SECOND);
        assertThat(kafka.controlPlane().activeController()).as("/controller went with the session; a new one is elected at once")
                .isNotNull().isNotEqualTo(kafka.brokerNode(controller));
        kafka.runFor(10 * Time.SECOND);
        kafka.assertNoViolation();
    }

    @Test
    void withoutAReachableControllerTheBrokerRetriesThenShutsDownAnyway() {
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = cluster(plane);
        int controller = controllerId(kafka);
        int victim = controller == 1 ? 2 : 1;
        int led = ledBy(kafka, victim);
        assertThat(led).isPositive();
        // The controller's process dies; its /controller stays until its session expires (18 s), so
        // every attempt of the victim meets a connection reset: 3 attempts, 5 s apart.
        kafka.crash(controller);
        kafka.runFor(100 * Time.MILLISECOND);
        kafka.controlledShutdown(victim, 0);
        long took = runUntilDown(kafka, victim, 15 * Time.SECOND);
        assertThat(took).isBetween(10 * Time.SECOND, 11 * Time.SECOND);
        assertThat(ledBy(kafka, victim)).as("nobody moved its partitions").isEqualTo(led);
        kafka.runFor(100 * Time.MILLISECOND);
        assertThat(registered(plane, victim)).as("the session is closed even so").isFalse();
        kafka.runFor(40 * Time.SECOND);
        assertThat(ledBy(kafka, victim)).as("the next controller elected new leaders").isZero();
        kafka.assertNoViolation();
    }

    @Test
    void withControlledShutdownDisabledTheBrokerExitsLeadingButStillClosesItsSession() {
        ClusterSpec spec = ClusterSpec.builder().brokers(4).config("controlled.shutdown.enable", false).topic("t", PARTITIONS, 3).build();
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(3).controlPlane(plane).build().start();
        kafka.runFor(20 * Time.SECOND);
        int victim = notController(kafka);
        int led = ledBy(kafka, victim);
        assertThat(led).isPositive();
        kafka.controlledShutdown(victim, 0);
        assertThat(runUntilDown(kafka, victim, Time.SECOND)).isLessThan(10 * Time.MILLISECOND);
        assertThat(ledBy(kafka, victim)).as("nothing moved before the exit").isEqualTo(led);
        kafka.runFor(500 * Time.MILLISECOND);
        assertThat(registered(plane, victim)).isFalse();
        assertThat(ledBy(kafka, victim)).as("the controller saw the znode go and elected at once").isZero();
        kafka.assertNoViolation();
    }

    @Test
    void aSingleReplicaPartitionNeverMovesSoTheBrokerRetriesThenShutsDownAnyway() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("single", 3, 1).build();
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(5).controlPlane(plane).build().start();
        kafka.runFor(20 * Time.SECOND);
        int victim = notController(kafka);
        int p = spec.partitionsOf(victim)[0];
        assertThat(kafka.controlPlane().partitionStates().leader(p)).isEqualTo(victim);
        kafka.controlledShutdown(victim, 0);
        // Every answer names the partition it still leads: three attempts, 5 s apart.
        long took = runUntilDown(kafka, victim, 15 * Time.SECOND);
        assertThat(took).isBetween(10 * Time.SECOND, 11 * Time.SECOND);
        kafka.runFor(100 * Time.MILLISECOND);
        assertThat(registered(plane, victim)).isFalse();
        kafka.runFor(5 * Time.SECOND);
        assertThat(kafka.controlPlane().partitionStates().leader(p)).as("offline: its only replica is down").isEqualTo(-1);
        kafka.assertNoViolation();
    }

    /** A test client that sends one ControlledShutdown to a node and keeps the answer. */
    private static final class Probe implements Node {
        final List<ControllerRequest.ControlledShutdownResponse> answers = new ArrayList<>();
        private final NodeContext ctx;

        Probe(NodeContext ctx) {
            this.ctx = ctx;
        }

        void send(NodeId to, int brokerId, long brokerEpoch) {
            ctx.send(to, new ControllerRequest.ControlledShutdown(answers.size() + 1, brokerId, brokerEpoch));
        }

        @Override
        public void onStart() {
        }

        @Override
        public void onMessage(NodeId from, Message message) {
            if (message instanceof ControllerRequest.ControlledShutdownResponse r) {
                answers.add(r);
            }
        }

        @Override
        public void onTimer(Object tag) {
        }
    }

    @Test
    void theControllerRejectsAControlledShutdownFromAnOlderBrokerEpoch() {
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = cluster(plane);
        NodeId probeNode = kafka.sim().addNode("probe", Probe::new);
        kafka.sim().start(probeNode);
        int victim = notController(kafka);
        long oldEpoch = kafka.broker(victim).brokerEpoch();
        // Crashed and restarted: once the old session expired, a new registration, a larger broker epoch.
        kafka.restart(victim);
        kafka.runFor(40 * Time.SECOND);
        long newEpoch = kafka.broker(victim).brokerEpoch();
        assertThat(newEpoch).isGreaterThan(oldEpoch);
        int memberships = isrMemberships(kafka, victim);
        assertThat(memberships).as("back in sync").isPositive();
        Probe probe = kafka.sim().process(probeNode, Probe.class);

        probe.send(kafka.controlPlane().activeController(), victim, oldEpoch);
        kafka.runFor(Time.SECOND);
        assertThat(probe.answers).hasSize(1);
        assertThat(probe.answers.get(0).error()).isEqualTo(Errors.STALE_BROKER_EPOCH);
        assertThat(isrMemberships(kafka, victim)).as("nothing changed").isEqualTo(memberships);

        probe.send(kafka.controlPlane().activeController(), victim, newEpoch);
        kafka.runFor(Time.SECOND);
        assertThat(probe.answers).hasSize(2);
        assertThat(probe.answers.get(1).error()).isEqualTo(Errors.NONE);
        assertThat(probe.answers.get(1).partitionsRemaining().isEmpty()).isTrue();
        assertThat(isrMemberships(kafka, victim)).as("the current epoch's request takes it out of every ISR").isZero();
        kafka.assertNoViolation();
    }
}
