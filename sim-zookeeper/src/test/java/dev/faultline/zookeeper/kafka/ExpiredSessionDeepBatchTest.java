package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.PartitionSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * A controller whose ZooKeeper session expires in the middle of a long pipelined batch: when it
 * reconnects, its client fails the queued requests with {@code SESSIONEXPIRED} and answers every
 * later call at once with the same error, so the rest of the batch (here the failover's reads of
 * 20,000 partition states) completes synchronously inside the first failed callback. Issuing the
 * next operation from the completion nested one level per operation and overflowed the stack
 * (a StackOverflowError in {@code ZkController.processAlterPartition} at 100,000 partitions); the
 * pipeline and the controller's event loop now issue from a loop. The controller then resigns on
 * {@code Expired} and a controller (the same broker on its new session, or another) loads again.
 */
class ExpiredSessionDeepBatchTest {
    private static final int PARTITIONS = 20_000;

    @Test
    void aSessionExpiringDuringAFailoverLoadOfManyPartitionsDoesNotOverflowTheStack() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("t", PARTITIONS, 3).build();
        // DP-L1 off: the isolated controller's broker is a partition leader cut off from the cluster.
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(5).controlPlane(new ZkControlPlane()).disableInvariant("DP-L1").build();
        kafka.start();
        ZkControlPlane plane = (ZkControlPlane) kafka.controlPlane();
        NodeId controller = null;
        for (int step = 0; step < 20_000 && controller == null; step++) {
            kafka.runFor(Time.MILLISECOND);
            NodeId active = plane.activeController();
            if (active != null && plane.agent(ClusterSpec.brokerIdOf(active.name())).isActiveController()) {
                controller = active;
            }
        }
        assertThat(controller).as("a controller was elected").isNotNull();
        ZkBrokerAgent agent = plane.agent(ClusterSpec.brokerIdOf(controller.name()));
        int epoch = agent.controllerEpoch();
        assertThat(agent.isReadyController()).as("still loading %d partition states", PARTITIONS).isFalse();
        // Cut the controller's broker off from the ensemble past zookeeper.session.timeout.ms (18 s).
        int cut = kafka.sim().network().partition(new PartitionSpec.Split(List.of(List.of(controller), plane.zkServers()), false));
        kafka.runFor(25 * Time.SECOND);
        assertThat(agent.isReadyController()).as("the load cannot finish while cut off").isFalse();
        kafka.sim().network().heal(cut);
        kafka.runFor(30 * Time.SECOND);
        assertThat(agent.isActiveController() && agent.controllerEpoch() == epoch).as("the controller resigned on its expired session").isFalse();
        NodeId next = plane.activeController();
        assertThat(next).as("a controller took over").isNotNull();
        assertThat(plane.agent(ClusterSpec.brokerIdOf(next.name())).isReadyController()).as("the new controller loaded").isTrue();
    }
}
