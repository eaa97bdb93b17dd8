package dev.faultline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * Controlled shutdown on the oracle (the shape of docs/model.md#controlled-shutdown): leadership
 * leaves the broker before its process exits, so no partition is ever led by a dead broker, even
 * with a detection delay that a hard crash has to wait out.
 */
class OracleControlledShutdownTest {
    private static final int[] ALL = {0, 1, 2, 3, 4, 5};

    private static KafkaCluster cluster(boolean controlledShutdownEnabled) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("faultline.oracle.detection.delay.ms", 2000)
                .config("controlled.shutdown.enable", controlledShutdownEnabled).topic("orders", 6, 3).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(5).producer("producer", ProducerConfig.roundRobin(ALL, 300, Long.MAX_VALUE, "all"))
                .build().start();
        c.runFor(Time.seconds(3));
        return c;
    }

    private static int ledBy(KafkaCluster c, int broker) {
        int n = 0;
        for (int p = 0; p < c.spec().partitionCount(); p++) {
            if (c.controlPlane().partitionStates().leader(p) == broker) {
                n++;
            }
        }
        return n;
    }

    @Test
    void leadershipMovesBeforeTheProcessExits() {
        KafkaCluster c = cluster(true);
        assertThat(ledBy(c, 1)).isEqualTo(2);
        assertThat(c.controlledShutdown(1, Time.seconds(5))).isTrue();
        c.runFor(Time.millis(1));
        assertThat(c.broker(1)).as("broker-1 exited").isNull();
        assertThat(ledBy(c, 1)).isZero();
        for (int p = 0; p < c.spec().partitionCount(); p++) {
            assertThat(c.state(c.spec().partitionName(p)).isr().contains(1)).as("broker-1 left every ISR").isFalse();
        }
        for (int p = 0; p < c.spec().partitionCount(); p++) {
            int leader = c.controlPlane().partitionStates().leader(p);
            assertThat(c.broker(leader).isLeader(p)).as("the new leader of partition %d applied it", p).isTrue();
        }
        var run = c.runFor(Time.seconds(10));
        c.assertNoViolation();
        assertThat(c.broker(1)).as("restarted after 5 s").isNotNull();
        KafkaRunResult result = c.result(run);
        assertThat(result.losses()).isEmpty();
        FailoverMeasurement f = result.control().failovers().get(0);
        assertThat(f.affectedPartitions()).as("it led nothing when it went down").isZero();
    }

    @Test
    void withoutControlledShutdownTheLeaderExitsLeadingAndTheDetectionDelayIsWaitedOut() {
        KafkaCluster c = cluster(false);
        c.controlledShutdown(1, 0);
        c.runFor(Time.millis(1));
        assertThat(c.broker(1)).isNull();
        assertThat(ledBy(c, 1)).as("still named leader until the oracle notices").isEqualTo(2);
        var run = c.runFor(Time.seconds(5));
        c.assertNoViolation();
        FailoverMeasurement f = c.result(run).control().failovers().get(0);
        assertThat(f.affectedPartitions()).isEqualTo(2);
        assertThat(f.detectNanos()).isEqualTo(Time.seconds(2));
    }

    @Test
    void aShuttingDownBrokerIsNotReElected() {
        KafkaCluster c = cluster(true);
        c.controlledShutdown(1, 0);
        c.controlledShutdown(2, 0);
        var run = c.runFor(Time.seconds(5));
        c.assertNoViolation();
        assertThat(ledBy(c, 1)).isZero();
        assertThat(ledBy(c, 2)).isZero();
        assertThat(ledBy(c, 3)).isEqualTo(6);
        assertThat(c.result(run).losses()).isEmpty();
    }
}
