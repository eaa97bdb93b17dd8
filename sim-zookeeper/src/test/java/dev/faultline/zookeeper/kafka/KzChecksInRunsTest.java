package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * KZ-S1, KZ-S3, KZ-S5, KZ-S7 and KZ-L2 (docs/invariants.md) fire in a real run with a misbehaving controller, one of
 * the test switches of {@link ZkModeBugs} (docs/model.md#planted-bugs), and the same run passes
 * with the switch off. Each run is small: three brokers, one crash, a minute of virtual time.
 */
class KzChecksInRunsTest {
    private static final long SESSION = 18 * Time.SECOND;

    /** Three brokers, 6 partitions of replication factor 3; the active controller's broker crashes. */
    private static KafkaCluster crashTheController(String bug, boolean on) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("t", 6, 3).config(bug, on).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(4).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(20 * Time.SECOND);
        kafka.assertNoViolation();
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        kafka.crash(controller);
        kafka.runFor(SESSION + 20 * Time.SECOND);
        return kafka;
    }

    /**
     * As above, but a broker that is not the controller crashes: the controller elects new leaders for
     * its partitions. (The controller's first offline-partition elections come earlier, at its startup,
     * for partitions whose replicas have not registered yet; a switch that breaks the election rule
     * may already fire there, and then the run stops before the crash.)
     */
    private static KafkaCluster crashALeader(String bug, boolean on) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("t", 6, 3).config(bug, on).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(4).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(20 * Time.SECOND);
        if (kafka.sim().violation() != null) {
            return kafka;
        }
        int controller = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        kafka.crash(controller % 3 + 1);
        kafka.runFor(SESSION + 20 * Time.SECOND);
        return kafka;
    }

    @Test
    void kzS1FiresWhenTheNextControllerReusesTheControllerEpoch() {
        KafkaCluster kafka = crashTheController(ZkModeBugs.REUSE_CONTROLLER_EPOCH, true);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-S1");
        assertThat(kafka.sim().violation().message()).matches("controller epoch 0 claimed by brokers \\d and \\d");
    }

    @Test
    void kzS1HoldsWhenTheNextControllerIncrementsTheEpoch() {
        KafkaCluster kafka = crashTheController(ZkModeBugs.REUSE_CONTROLLER_EPOCH, false);
        kafka.assertNoViolation();
        assertThat(kafka.controlHistory().controllerChanges()).isEqualTo(2);
    }

    @Test
    void kzS3FiresWhenAnElectionKeepsTheLeaderEpoch() {
        KafkaCluster kafka = crashALeader(ZkModeBugs.KEEP_LEADER_EPOCH_ON_ELECTION, true);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-S3");
        assertThat(kafka.sim().violation().message()).matches("t-\\d leader epoch (\\d+) -> \\1 on a controller change");
    }

    @Test
    void kzS3HoldsWhenElectionsRaiseTheLeaderEpoch() {
        KafkaCluster kafka = crashALeader(ZkModeBugs.KEEP_LEADER_EPOCH_ON_ELECTION, false);
        kafka.assertNoViolation();
        int victim = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name()) % 3 + 1;
        for (int p = 0; p < 6; p++) {
            PartitionState s = kafka.controlPlane().partitionStates().state(p);
            assertThat(s.hasLeader() && s.leader() != victim).as("t-%d %s", p, s).isTrue();
        }
    }

    @Test
    void kzS7FiresWhenTheCacheKeepsTheOldZkVersionAfterAWrite() {
        KafkaCluster kafka = crashALeader(ZkModeBugs.CACHE_KEEPS_OLD_ZK_VERSION, true);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-S7");
        assertThat(kafka.sim().violation().message()).contains("but ZooKeeper has");
    }

    @Test
    void kzS7HoldsWhenTheCacheTakesTheWrittenZkVersion() {
        KafkaCluster kafka = crashALeader(ZkModeBugs.CACHE_KEEPS_OLD_ZK_VERSION, false);
        kafka.assertNoViolation();
        assertThat(kafka.controlHistory().isrChanges() + kafka.controlHistory().leaderElections()).isGreaterThan(0);
    }

    /**
     * Partition [1, 2] with unclean leader election off: broker 2 crashes (ISR [1]), broker 1 crashes
     * (no candidate: no leader, ISR [1]), broker 2 returns. Only broker 1 may lead again.
     */
    private static KafkaCluster lastIsrMemberGoneOtherReplicaReturns(boolean bug) {
        return bothReplicasDownThenOneReturns(ClusterSpec.builder().brokers(3).topic("p", new int[] {1, 2})
                .config(ZkModeBugs.UNCLEAN_IGNORES_TOPIC_CONFIG, bug).build(), 2, 20 * Time.SECOND);
    }

    /**
     * Partition [1, 2] of {@code spec}: broker 2 crashes (ISR [1]), broker 1 crashes (no leader, ISR
     * [1]), then broker {@code returning} restarts and the run goes on for {@code after}.
     */
    private static KafkaCluster bothReplicasDownThenOneReturns(ClusterSpec spec, int returning, long after) {
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(5).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(20 * Time.SECOND);
        kafka.crash(2);
        kafka.runFor(SESSION + 10 * Time.SECOND);
        kafka.crash(1);
        kafka.runFor(SESSION + 10 * Time.SECOND);
        kafka.restart(returning);
        kafka.runFor(after);
        return kafka;
    }

    @Test
    void kzS5FiresWhenTheControllerElectsOutsideTheIsrAgainstTheTopicSetting() {
        KafkaCluster kafka = lastIsrMemberGoneOtherReplicaReturns(true);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-S5");
        assertThat(kafka.sim().violation().message()).isEqualTo("p-0 clean election of 2 outside the ISR [1]");
    }

    @Test
    void kzS5HoldsAndThePartitionWaitsForItsLastIsrMember() {
        KafkaCluster kafka = lastIsrMemberGoneOtherReplicaReturns(false);
        kafka.assertNoViolation();
        PartitionState s = kafka.controlPlane().partitionStates().state(0);
        assertThat(s.hasLeader()).as("p-0 %s", s).isFalse();
        assertThat(s.isr().toIntArray()).containsExactly(1);
    }

    /**
     * Partition [1, 2], the timed KZ-L2 check on: broker 2 crashes (ISR [1]), broker 1 crashes (no
     * leader, ISR [1]), broker 1 returns with its data. The controller must elect it again.
     */
    private static KafkaCluster lastIsrMemberReturns(boolean bug) {
        return bothReplicasDownThenOneReturns(ClusterSpec.builder().brokers(3).topic("p", new int[] {1, 2})
                .config(ZkModeBugs.NO_ELECTION_ON_BROKER_STARTUP, bug).config("faultline.check.kz.l2", "true").build(),
                1, 60 * Time.SECOND);
    }

    @Test
    void kzL2FiresWhenTheControllerElectsNobodyAtBrokerStartup() {
        KafkaCluster kafka = lastIsrMemberReturns(true);
        assertThat(kafka.sim().violation()).isNotNull();
        assertThat(kafka.sim().violation().invariant()).isEqualTo("KZ-L2");
        assertThat(kafka.sim().violation().message()).startsWith("p-0 has had no applied leader");
    }

    @Test
    void kzL2HoldsWhenTheReturningLastIsrMemberIsElected() {
        KafkaCluster kafka = lastIsrMemberReturns(false);
        kafka.assertNoViolation();
        assertThat(kafka.broker(1).isLeader(0)).isTrue();
    }
}
