package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.Violation;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.LeaderElection;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.Time;
import java.util.Map;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KM-S1, KM-S3 and KM-S7 fire in a real run with a misbehaving active controller (a test switch,
 * no historical fix) and only then: each run is repeated without the misbehaviour and passes.
 */
class ControllerChecksFireTest {
    private static final long S = Time.SECOND;

    private static KafkaCluster cluster(String bugSwitch, boolean bug, int brokers, ClusterSpec.Builder topics) {
        ClusterSpec spec = topics.brokers(brokers).config("min.insync.replicas", 1).config(bugSwitch, bug).build();
        return KafkaCluster.builder(spec).seed(7).controlPlane(new KRaftControlPlane())
                .producer("producer-1", ProducerConfig.of(new int[] {0}, 50, Long.MAX_VALUE, Map.of("acks", "1")))
                .build().start();
    }

    private static void assertOnly(KafkaCluster c, boolean bug, String id, String contains) {
        Violation v = c.sim().violation();
        if (bug) {
            assertThat(v).as("violation").isNotNull();
            assertThat(v.invariant()).as(v.toString()).isEqualTo(id);
            assertThat(v.message()).contains(contains);
        } else {
            c.assertNoViolation();
        }
    }

    /**
     * KM-S7: the controller's heartbeats no longer renew a broker's session, so it fences a running,
     * heartbeating broker {@code broker.session.timeout.ms} after its registration. Judged against
     * the plane's own record of heartbeat arrivals at that controller (the check used to take the
     * controller's numbers, so it could not fire).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aControllerWhoseHeartbeatsDoNotRenewSessionsFencesALiveBrokerAndKmS7Fires(boolean bug) {
        KafkaCluster c = cluster("kraftController.heartbeatsDoNotRenewSessions", bug, 3,
                ClusterSpec.builder().topic("orders", 1, 3));
        c.runFor(20 * S);
        assertOnly(c, bug, KRaftControlPlane.KM_S7, "after its session was last renewed there");
    }

    /**
     * KM-S1: the first Raft leader's controller claims before it has replayed its epoch's
     * LeaderChange record (its image may miss committed records).
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aControllerClaimingBeforeItsEpochStartBreaksKmS1(boolean bug) {
        KafkaCluster c = cluster("kraftController.claimBeforeEpochStart", bug, 3, ClusterSpec.builder().topic("orders", 1, 3));
        c.runFor(10 * S);
        assertOnly(c, bug, KRaftControlPlane.KM_S1, "epoch start");
    }

    /**
     * KM-S3: the partition "solo-0" lives on broker-1 alone; broker-1 crashes and is fenced. With the
     * misbehaviour the controller removes the last ISR member and leaves an empty ISR; without it the
     * ISR keeps broker-1 and the partition has no leader.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void aControllerThatEmptiesTheIsrOfALeaderlessPartitionBreaksKmS3(boolean bug) {
        KafkaCluster c = cluster("kraftController.fenceEmptiesIsr", bug, 2, ClusterSpec.builder().topic("solo", new int[] {1}));
        c.runFor(10 * S);
        c.assertNoViolation();
        c.crash(1);
        c.runFor(15 * S);
        assertOnly(c, bug, KRaftControlPlane.KM_S3, "solo-0 has an empty ISR");
        if (!bug) {
            assertThat(c.controlPlane().partitionStates().leader(c.partition("solo-0"))).isEqualTo(LeaderElection.NO_LEADER);
        }
    }
}
