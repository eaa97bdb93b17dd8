package dev.faultline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * Failover phases (docs/architecture.md#failover-phases) of a broker crash on the oracle, with and
 * without a detection delay.
 */
class OracleFailoverTest {

    private static FailoverMeasurement crashBroker1(long detectionDelayMs) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("faultline.oracle.detection.delay.ms", detectionDelayMs)
                .topic("orders", 6, 3).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(11)
                .producer("producer", ProducerConfig.roundRobin(new int[] {0, 1, 2, 3, 4, 5}, 300, Long.MAX_VALUE, "all")).build().start();
        c.runFor(Time.seconds(3));
        c.crash(1);
        var run = c.runFor(Time.seconds(10));
        c.assertNoViolation();
        KafkaRunResult result = c.result(run);
        assertThat(result.losses()).isEmpty();
        assertThat(result.control().failovers()).hasSize(1);
        return result.control().failovers().get(0);
    }

    @Test
    void zeroDetectionDelayLeavesOnlyTheClientsShare() {
        FailoverMeasurement f = crashBroker1(0);
        assertThat(f.affectedPartitions()).isEqualTo(2); // broker-1 is the preferred leader of 2 of 6 partitions
        assertThat(f.detectNanos()).isZero();
        assertThat(f.electNanos()).isZero();
        assertThat(f.propagateNanos()).isZero();
        assertThat(f.unavailability().count()).isEqualTo(2);
        assertThat(f.clientNanos()).isPositive().isLessThan(Time.millis(500));
    }

    @Test
    void detectionDelayShiftsEveryPhase() {
        FailoverMeasurement f = crashBroker1(2000);
        assertThat(f.detectNanos()).isEqualTo(Time.seconds(2));
        assertThat(f.electNanos()).isEqualTo(Time.seconds(2));
        assertThat(f.propagateNanos()).isEqualTo(Time.seconds(2));
        // The canary's writes to broker-1 fail from the crash on and back off exponentially (KIP-580) up to
        // retry.backoff.max.ms (1 s): the first retry after the election is at most that late.
        assertThat(f.clientNanos()).isGreaterThanOrEqualTo(Time.seconds(2)).isLessThan(Time.seconds(2) + Time.seconds(1) + Time.millis(100));
        assertThat(f.complete()).isTrue();
    }

    @Test
    void anAckAlreadyOnTheWireWhenTheLeaderCrashesDoesNotEndTheUnavailability() {
        // Responses from broker-1 to the producer take 300 ms: when broker-1 crashes, the acks it sent
        // just before are still on their way. They answer requests decided before the fault; the
        // partition is unavailable until the oracle notices (1 s) and the new leader acks a retry.
        ClusterSpec spec = ClusterSpec.builder().brokers(2).config("faultline.oracle.detection.delay.ms", 1000)
                .topic("t", new int[] {1, 2}).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(3)
                .producer("producer", ProducerConfig.of(new int[] {0}, 100, Long.MAX_VALUE, "all")).build().start();
        c.sim().network().addLinkFault(java.util.List.of(c.brokerNode(1)), java.util.List.of(c.sim().node("producer")),
                new dev.faultline.core.net.LinkFault(Time.millis(300), 0, 0, 0));
        c.runFor(Time.seconds(3));
        int acked = c.history().ackedAllCount(0);
        c.crash(1);
        var run = c.runFor(Time.millis(200));
        assertThat(c.history().ackedAllCount(0)).as("acks on the wire arrive after the crash").isGreaterThan(acked);
        run = c.runFor(Time.seconds(5));
        c.assertNoViolation();
        FailoverMeasurement f = c.result(run).control().failovers().get(0);
        assertThat(f.detectNanos()).isEqualTo(Time.seconds(1));
        // The retries back off exponentially (KIP-580) up to retry.backoff.max.ms (1 s), and each answer
        // from broker-1's side (a connection reset) takes the 300 ms delay.
        assertThat(f.clientNanos()).isGreaterThanOrEqualTo(f.propagateNanos()).isLessThan(Time.seconds(1) + Time.seconds(1) + Time.millis(600));
        assertThat(f.unavailability().minNanos()).isGreaterThanOrEqualTo(Time.seconds(1));
    }
}
