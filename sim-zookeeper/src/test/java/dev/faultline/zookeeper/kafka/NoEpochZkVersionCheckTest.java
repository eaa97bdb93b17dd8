package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.zookeeper.client.ZkClientNode;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.longs.LongList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PB-ZKC-1 {@code zkController.noEpochZkVersionCheck} (KAFKA-6082), the planted-bug sequence
 * (docs/model.md#planted-bugs) with one substitution: the event queued behind the paused controller
 * thread is an AlterPartition from the partition leader instead of a ControlledShutdown (controlled
 * shutdown is not modelled). Controller C's event thread is paused (its session stays alive); the
 * leader of P asks C to shrink P's ISR; an administrator deletes {@code /controller}; another
 * broker wins with epoch + 1 and loads P without rewriting it; C resumes and handles the
 * AlterPartition before its ControllerChange event. Bug: the write carries only P's own zkVersion
 * and succeeds (KZ-S2). Fixed: the {@code CheckOp(/controller_epoch)} fails, C resigns, nothing is
 * written.
 */
class NoEpochZkVersionCheckTest {

    private static KafkaCluster run(boolean bug) {
        return run(bug, false);
    }

    private static KafkaCluster run(boolean bug, boolean kzS2Off) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("p", new int[] {2, 3}, new int[] {1, 3}, new int[] {1, 2})
                .config("zkController.noEpochZkVersionCheck", bug).build();
        ZkControlPlane plane = new ZkControlPlane();
        if (kzS2Off) {
            plane.disableInvariant("KZ-S2");
        }
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(9).controlPlane(plane).build();
        List<NodeId> zk = plane.ensemble().servers();
        NodeId admin = kafka.sim().addNode("admin", ctx -> new ZkClientNode(ctx, zk, 30 * Time.SECOND, 0));
        kafka.start();
        kafka.runFor(20 * Time.SECOND);
        int c = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        int p = c - 1; // the partition whose replicas exclude the controller
        PartitionState before = kafka.controlPlane().partitionStates().state(p);
        int leader = before.leader();
        int follower = before.isr().getInt(0) == leader ? before.isr().getInt(1) : before.isr().getInt(0);
        // 1. The controller's event thread stops for 5 s.
        plane.pauseControllerThread(c, 5 * Time.SECOND);
        // 2. P's leader asks it to shrink the ISR; the request waits in its queue.
        ZkBrokerAgent leaderAgent = plane.agent(leader);
        leaderAgent.alterPartition(new AlterPartitionRequest(leader, leaderAgent.brokerEpoch(), p, before.leaderEpoch(),
                IntList.of(leader), LongList.of(leaderAgent.brokerEpoch()), before.partitionEpoch()));
        kafka.runFor(100 * Time.MILLISECOND);
        // 3. /controller is deleted; another broker wins with the next epoch.
        kafka.sim().process(admin, ZkClientNode.class).client().delete("/controller", -1, r -> { });
        kafka.runFor(6 * Time.SECOND);
        // 4. The old controller resumed and processed the AlterPartition first.
        assertThat(follower).isNotEqualTo(leader);
        return kafka;
    }

    @Test
    void withTheBugTheResumedControllerWritesAsAZombieAndKzS2Fires() {
        KafkaCluster kafka = run(true);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-S2");
        assertThat(kafka.sim().violation().message()).contains("while /controller_epoch was already 2");
        System.out.println(kafka.sim().violation().headline());
    }

    @Test
    void withTheCheckOpTheResumedControllerResignsWithoutWriting() {
        KafkaCluster kafka = run(false);
        kafka.assertNoViolation();
        NodeId controller = kafka.controlPlane().activeController();
        assertThat(controller).isNotNull();
        assertThat(kafka.controlHistory().controllerChanges()).isEqualTo(2);
        for (int p = 0; p < 3; p++) {
            assertThat(kafka.controlPlane().partitionStates().state(p).isr().size()).as("P%d ISR untouched", p).isEqualTo(2);
        }
    }

    @Test
    void withTheBugAndKzS2OffTheNewControllersCacheDisagreesWithZooKeeper() {
        KafkaCluster kafka = run(true, true);
        assertThat(kafka.sim().violation()).isNull();
        // Any event of the new controller over that partition now ends with a cache that differs from
        // ZooKeeper: here a (rejected) AlterPartition from the partition's leader.
        ZkControlPlane plane = (ZkControlPlane) kafka.controlPlane();
        int p = -1;
        for (int q = 0; q < 3; q++) {
            if (kafka.controlPlane().partitionStates().state(q).isr().size() == 1) {
                p = q;
            }
        }
        PartitionState s = kafka.controlPlane().partitionStates().state(p);
        ZkBrokerAgent leaderAgent = plane.agent(s.leader());
        kafka.sim().schedule(kafka.sim().now(), () -> leaderAgent.alterPartition(new AlterPartitionRequest(s.leader(),
                leaderAgent.brokerEpoch(), s.partition(), s.leaderEpoch() + 1, s.isr(), LongList.of(leaderAgent.brokerEpoch()),
                s.partitionEpoch())));
        kafka.runFor(1 * Time.SECOND);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-S7");
        System.out.println(kafka.sim().violation().headline());
    }
}
