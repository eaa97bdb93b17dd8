package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.zookeeper.client.ZkClientNode;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * KZ-S6 (brokers apply a controller request only from a controller epoch at least the highest they
 * have seen) against a zombie controller, with the planted switch {@code zkBroker.ignoreControllerEpoch}.
 * Broker X dies and is dropped from the live set; the controller C's event thread alone is paused;
 * X comes back, so a BrokerChange waits in C's queue; an administrator deletes {@code /controller}
 * and another broker wins with the next epoch and sends its LeaderAndIsr and UpdateMetadata to
 * every live broker, X included. C resumes and handles the BrokerChange before its ControllerChange:
 * it still believes itself active, writes nothing (X's return elects nobody) and sends X
 * UpdateMetadata and LeaderAndIsr with the old controller epoch. Fixed: X rejects them
 * (STALE_CONTROLLER_EPOCH). Bug: X applies them and KZ-S6 fires.
 */
class ZombieControllerRequestTest {
    private static final long SESSION = 18 * Time.SECOND;

    /** Broker notes saying a request of a stale controller epoch was rejected. */
    private static final List<String> REJECTED = new java.util.ArrayList<>();

    private static KafkaCluster run(boolean bug) {
        REJECTED.clear();
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("p", new int[] {2, 3}, new int[] {1, 3}, new int[] {1, 2})
                .config("zkBroker.ignoreControllerEpoch", bug).build();
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(11).controlPlane(plane).build();
        List<NodeId> zk = plane.ensemble().servers();
        NodeId admin = kafka.sim().addNode("admin", ctx -> new ZkClientNode(ctx, zk, 30 * Time.SECOND, 0));
        kafka.sim().tracer().addSink(e -> {
            if (e instanceof dev.faultline.core.trace.TraceEvent.Note && e.toString().contains("rejects controller epoch")) {
                REJECTED.add(e.toString());
            }
        });
        kafka.start();
        kafka.runFor(20 * Time.SECOND);
        int c = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        int x = c % 3 + 1;
        kafka.crash(x);
        kafka.runFor(SESSION + 7 * Time.SECOND);
        assertThat(kafka.controlPlane().activeController()).isEqualTo(kafka.brokerNode(c));
        // The controller's event thread stops; X returns and its registration queues a BrokerChange.
        plane.pauseControllerThread(c, 5 * Time.SECOND);
        kafka.restart(x);
        kafka.runFor(1 * Time.SECOND);
        assertThat(plane.agent(x).isRegistered()).as("broker %d registered again", x).isTrue();
        // An administrator forces a new election; the winner loads and tells every live broker.
        kafka.sim().process(admin, ZkClientNode.class).client().delete("/controller", -1, r -> { });
        kafka.runFor(6 * Time.SECOND);
        return kafka;
    }

    @Test
    void withTheBugTheReturningBrokerObeysTheZombieControllerAndKzS6Fires() {
        KafkaCluster kafka = run(true);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-S6");
        assertThat(kafka.sim().violation().message()).contains("with controller epoch 1 after applying controller epoch 2");
        System.out.println(kafka.sim().violation().headline());
    }

    @Test
    void withTheEpochCheckTheZombiesRequestsAreRejectedAndItResigns() {
        KafkaCluster kafka = run(false);
        kafka.assertNoViolation();
        assertThat(REJECTED).as("the zombie's requests reached brokers and were rejected").isNotEmpty();
        assertThat(REJECTED.get(0)).contains("rejects controller epoch 1 < 2");
        assertThat(kafka.controlHistory().controllerChanges()).isEqualTo(2);
        NodeId controller = kafka.controlPlane().activeController();
        assertThat(controller).isNotNull();
        ZkControlPlane plane = (ZkControlPlane) kafka.controlPlane();
        for (int b = 1; b <= 3; b++) {
            assertThat(plane.agent(b).isActiveController()).as("broker %d controller", b)
                    .isEqualTo(kafka.brokerNode(b).equals(controller));
        }
    }
}
