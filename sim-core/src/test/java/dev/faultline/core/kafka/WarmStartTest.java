package dev.faultline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import org.junit.jupiter.api.Test;

/** Warm start, data-plane part and the oracle's ({@link ClusterSpec#warmStart()}). */
class WarmStartTest {

    private static ClusterSpec spec(boolean warm) {
        return ClusterSpec.builder().brokers(3).config("min.insync.replicas", 2).topic("orders", 6, 3).topic("later", 2, 3)
                .createdAtRuntime("later").warmStart(warm).build();
    }

    private static KafkaCluster cluster(boolean warm) {
        return KafkaCluster.builder(spec(warm)).seed(7)
                .producer("producer-1", ProducerConfig.roundRobin(new int[] {0, 1, 2, 3, 4, 5}, 600, 6000, "all")).build();
    }

    @Test
    void warmBrokersHoldTheEstablishedRolesBeforeAnyEventRuns() {
        KafkaCluster c = cluster(true).start(); // starts every process; no event has run yet
        assertThat(c.sim().now()).isZero();
        for (int p = 0; p < 6; p++) {
            String name = "orders-" + p;
            PartitionState s = c.state(name);
            int preferred = c.spec().replica(p, 0);
            assertThat(s.leader()).isEqualTo(preferred);
            c.assertLeader(name, preferred);
            c.assertIsr(name, c.spec().replicas(p));
            for (int r = 1; r < 3; r++) {
                KafkaBroker follower = c.broker(c.spec().replica(p, r));
                assertThat(follower.isFollower(p)).isTrue();
                assertThat(follower.leaderEpoch(p)).isEqualTo(s.leaderEpoch());
                assertThat(follower.isr(p)).containsExactlyInAnyOrder(c.spec().replicas(p));
                assertThat(follower.metadataLeader(p)).isEqualTo(preferred);
            }
        }
        for (int b = 1; b <= 3; b++) {
            assertThat(c.broker(b).brokerEpoch()).as("broker-%d registered inside its start", b).isPositive();
            int later = c.partition("later-0");
            assertThat(c.broker(b).isLeader(later) || c.broker(b).isFollower(later)).as("a topic created at runtime does not exist yet").isFalse();
        }
    }

    @Test
    void coldBrokersLearnTheirRolesOnlyFromTheControlPlaneAfterStarting() {
        KafkaCluster c = cluster(false).start();
        for (int b = 1; b <= 3; b++) {
            assertThat(c.broker(b).brokerEpoch()).isEqualTo(-1);
            assertThat(c.broker(b).isLeader(0) || c.broker(b).isFollower(0)).isFalse();
        }
        c.runFor(Time.millis(1));
        c.assertLeader("orders-0", c.spec().replica(0, 0));
    }

    @Test
    void aWarmClusterReplicatesAndFailsOverAndARestartedBrokerRecoversColdFromItsDisk() {
        KafkaCluster c = cluster(true).start();
        c.runFor(Time.seconds(5));
        c.assertNoViolation();
        assertThat(c.controlHistory().leaderElections()).as("no start-up election in a warm run").isZero();
        long acked = c.history().ackedAllCount(0);
        assertThat(acked).isGreaterThan(100);

        int leader = c.state("orders-0").leader();
        c.crash(leader);
        c.runFor(Time.seconds(5));
        c.assertNoViolation();
        PartitionState after = c.state("orders-0");
        assertThat(after.leader()).isNotEqualTo(leader);
        c.assertLeader("orders-0", after.leader());
        assertThat(c.history().ackedAllCount(0)).isGreaterThan((int) acked + 100);

        c.restart(leader); // a second process: recovers from its disk and is told its roles, as in a cold run
        RunResult run = c.runFor(Time.seconds(5));
        c.assertNoViolation();
        assertThat(c.broker(leader).isFollower(0)).isTrue();
        assertThat(c.broker(leader).leaderEpoch(0)).isEqualTo(after.leaderEpoch());
        c.assertIsr("orders-0", c.spec().replicas(0));
        assertThat(c.checkConverged()).isNull();
        KafkaRunResult result = c.result(run);
        assertThat(result.losses()).isEmpty();
        FailoverMeasurement f = result.control().failovers().get(0);
        assertThat(f.affectedPartitions()).isEqualTo(2);
        assertThat(f.clientNanos()).isPositive();
    }

    @Test
    void warmRunsAreDeterministicAndDrawTheirTimerPhasesFromTheSeed() {
        assertThat(fingerprint(true, 7)).isEqualTo(fingerprint(true, 7));
        // Constant latency and no faults: a cold oracle run draws nothing, so the seed does not show;
        // a warm one draws the phases of each broker's periodic tasks from it.
        assertThat(fingerprint(false, 7)).isEqualTo(fingerprint(false, 8));
        assertThat(fingerprint(true, 7)).isNotEqualTo(fingerprint(true, 8));
    }

    private static String fingerprint(boolean warm, long seed) {
        KafkaCluster c = KafkaCluster.builder(spec(warm)).seed(seed)
                .producer("producer-1", ProducerConfig.roundRobin(new int[] {0, 1, 2, 3, 4, 5}, 600, 6000, "all")).build().start();
        RunResult r = c.runFor(Time.seconds(20));
        c.assertNoViolation();
        return r.fingerprintHex();
    }
}
