package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * A bounced broker (docs/model.md#broker-registration-and-broker-epoch,
 * docs/model.md#broker-failure): the leader of a partition crashes and restarts at once; its new
 * registration waits for the old session's {@code /brokers/ids/N} to expire and then re-creates it;
 * a controller whose event thread was busy meanwhile then sees, in one BrokerChange, the same id
 * with a larger broker epoch. Kafka handles that as a failure followed by a startup: the
 * partition's leadership moves away from the bounced broker (its new process holds no leadership),
 * and the broker leaves the ISR. Found by the fuzzer (seed 63): the controller removed the bounced
 * leader from the ISR but kept it as leader, writing leader 2 with ISR [1] (KZ-S4).
 */
class BouncedBrokerTest {
    private static final long SESSION = 18 * Time.SECOND;

    @Test
    void aBouncedLeaderIsHandledAsFailureThenStartup() {
        // p-0 [1, 2], p-1 [2, 3], p-2 [3, 1]: each broker leads one partition at the start.
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("p", new int[] {1, 2}, new int[] {2, 3}, new int[] {3, 1}).build();
        ZkControlPlane plane = new ZkControlPlane();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(7).controlPlane(plane).build().start();
        kafka.runFor(10 * Time.SECOND);
        int controller = Integer.parseInt(kafka.controlPlane().activeController().name().substring("broker-".length()));
        int bounced = controller % 3 + 1; // not the controller
        int partition = bounced - 1;
        int follower = bounced % 3 + 1;
        assertThat(kafka.controlPlane().partitionStates().state(partition).leader()).isEqualTo(bounced);
        kafka.crash(bounced);
        kafka.runFor(Time.SECOND);
        kafka.restart(bounced);
        // The old session expires (18 s after the crash) and the broker re-registers at once. The
        // controller's event thread is stalled over that moment, so one BrokerChange sees both: the
        // same id with a larger broker epoch.
        kafka.runFor(5 * Time.SECOND);
        plane.pauseControllerThread(controller, SESSION);
        kafka.runFor(SESSION + 10 * Time.SECOND);
        kafka.assertNoViolation();
        PartitionState s = kafka.controlPlane().partitionStates().state(partition);
        assertThat(s.leader()).as("leader after broker %s bounced: %s", bounced, s).isEqualTo(follower);
        assertThat(s.isr().contains(s.leader())).as("KZ-S4 leader in ISR: %s", s).isTrue();
    }
}
