package dev.faultline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import org.junit.jupiter.api.Test;

class OracleClusterTest {

    private static KafkaCluster cluster(int rf, int minIsr, String acks) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", minIsr).topic("orders", 1, rf).build();
        return KafkaCluster.builder(spec).seed(42)
                .producer("producer-1", ProducerConfig.of(new int[] {0}, 200, 4000, acks))
                .consumer("consumer-1", "orders-0")
                .build().start();
    }

    @Test
    void leaderCrashLosesNoCommittedRecordAndIsrShrinksThenReexpandsAfterRestart() {
        KafkaCluster c = cluster(3, 2, "all");
        c.runFor(Time.seconds(5));
        c.assertNoViolation();
        c.assertLeader("orders-0", 1);
        c.assertIsr("orders-0", 1, 2, 3);
        long ackedBefore = c.history().ackedAllCount(0);
        assertThat(ackedBefore).isGreaterThan(500);

        c.crash(1);
        c.runFor(Time.seconds(5));
        c.assertNoViolation();
        c.assertLeader("orders-0", 2);
        c.assertIsr("orders-0", 2, 3);
        assertThat(c.history().ackedAllCount(0)).isGreaterThan((int) ackedBefore + 500);

        c.restart(1);
        RunResult run = c.runFor(Time.seconds(5));
        c.assertNoViolation();
        c.assertIsr("orders-0", 1, 2, 3);
        assertThat(c.checkConverged()).isNull();
        KafkaRunResult result = c.result(run);
        assertThat(result.losses()).isEmpty();
        assertThat(result.control().failovers()).hasSize(1);
        FailoverMeasurement f = result.control().failovers().get(0);
        assertThat(f.kind()).isEqualTo(FailoverMeasurement.Kind.BROKER);
        assertThat(f.affectedPartitions()).isEqualTo(1);
        assertThat(f.detectNanos()).isZero();
        assertThat(f.electNanos()).isZero();
        assertThat(f.propagateNanos()).isZero();
        assertThat(f.clientNanos()).isPositive().isLessThan(Time.seconds(2));
        System.out.println(f);
    }

    @Test
    void leaderOfTargetFollowsLeadershipAndConvergenceIsArmedAfterFaults() {
        KafkaCluster c = cluster(3, 2, "all");
        c.runFor(Time.seconds(2));
        assertThat(c.leaderOf("orders-0").resolve(c.sim())).containsExactly(c.brokerNode(1));
        c.crash(1);
        c.runFor(Time.seconds(1));
        assertThat(c.leaderOf("orders-0").resolve(c.sim())).containsExactly(c.brokerNode(2));
        c.restart(1);
        c.checkConvergedAt(c.sim().now() + Time.seconds(5));
        c.runFor(Time.seconds(6));
        c.assertNoViolation();
        assertThat(c.randomBroker().resolve(c.sim())).hasSize(1);
    }
}
