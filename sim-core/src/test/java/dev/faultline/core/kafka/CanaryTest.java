package dev.faultline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/** The failover canary measures the client phase of a broker failover whatever the workload's traffic. */
class CanaryTest {

    private static KafkaCluster crashWithSparseTraffic(boolean canary) {
        int n = 900;
        int[] all = new int[n];
        for (int p = 0; p < n; p++) {
            all[p] = p;
        }
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", 2).config("faultline.canary.enable", canary)
                .topic("orders", n, 3).build();
        // 10 records a second, sticky: one partition at a time gets them.
        KafkaCluster c = KafkaCluster.builder(spec).seed(3).producer("producer", ProducerConfig.of(all, 10, Long.MAX_VALUE, "all")).build().start();
        c.runFor(Time.seconds(5));
        c.crash(2);
        c.runFor(Time.seconds(5));
        c.assertNoViolation();
        return c;
    }

    @Test
    void theCanaryEndsTheClientPhaseOnEveryPartitionTheFailedBrokerLed() {
        KafkaCluster c = crashWithSparseTraffic(true);
        FailoverMeasurement f = c.failover().measurements().get(0);
        assertThat(f.affectedPartitions()).isEqualTo(300);
        assertThat(f.unavailability().count()).isEqualTo(300);
        assertThat(f.clientNanos()).isPositive().isLessThan(Time.millis(50));
        KafkaProducer canary = c.sim().process(c.sim().node(KafkaCluster.CANARY), KafkaProducer.class);
        assertThat(canary.probing()).as("nothing left to probe").isZero();
        long produced = c.sim().process(c.sim().node("producer"), KafkaProducer.class).producedRecords();
        assertThat(c.history().sentCount()).as("the canary's writes are not counted as the workload's").isEqualTo(produced);
        assertThat(c.losses()).isEmpty();
    }

    @Test
    void withoutTheCanarySparseTrafficLeavesTheClientPhaseUnmeasured() {
        KafkaCluster c = crashWithSparseTraffic(false);
        FailoverMeasurement f = c.failover().measurements().get(0);
        assertThat(f.affectedPartitions()).isEqualTo(300);
        assertThat(f.unavailability().count()).isLessThan(10);
    }

    @Test
    void aPartitionProbedAgainWhileItsWriteIsOnTheWayIsWrittenOnceMore() {
        // broker-1 crashes; before the canary's writes to its partitions are answered, broker-2 crashes
        // too: the partitions that moved to broker-2 must be written after the second fault as well.
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("t", 30, 3).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(9).build().start();
        c.runFor(Time.seconds(1));
        c.crash(1);
        c.runFor(Time.millis(1)); // the canary's first writes to the new leaders are on their way
        c.crash(2);
        c.runFor(Time.seconds(5));
        c.assertNoViolation();
        for (FailoverMeasurement f : c.failover().measurements()) {
            assertThat(f.unavailability().count()).as(f.toString()).isEqualTo(f.affectedPartitions());
        }
        assertThat(c.failover().measurements().get(1).affectedPartitions()).as("broker-2 led its own and some of broker-1's").isGreaterThan(10);
    }
}
