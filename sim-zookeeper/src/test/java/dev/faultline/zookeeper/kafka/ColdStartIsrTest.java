package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * A cold start in ZooKeeper mode: the first controller takes the brokers that have not registered
 * yet out of every ISR (Kafka's OfflineReplica at failover); once they run and fetch, every
 * replica is back in its ISR, idle partitions included (no producer here). Twin: a broker that
 * stays down stays out of every ISR it was in.
 */
class ColdStartIsrTest {
    private static final int PARTITIONS = 300;

    private static KafkaCluster run(boolean crashOne) {
        ClusterSpec spec = ClusterSpec.builder().brokers(6).topic("t", PARTITIONS, 3).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(3).controlPlane(new ZkControlPlane()).build();
        kafka.start();
        if (crashOne) {
            kafka.runFor(20 * Time.SECOND);
            kafka.crash(4);
        }
        kafka.runFor(60 * Time.SECOND);
        kafka.assertNoViolation();
        return kafka;
    }

    @Test
    void everyRunningReplicaRejoinsItsIsrAfterAColdStart() {
        KafkaCluster kafka = run(false);
        for (int p = 0; p < PARTITIONS; p++) {
            PartitionState s = kafka.controlPlane().partitionStates().state(p);
            assertThat(s.isr().size()).as("partition %d: %s", p, s).isEqualTo(3);
        }
    }

    @Test
    void aBrokerThatStaysDownStaysOutOfEveryIsr() {
        KafkaCluster kafka = run(true);
        int hosted = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            PartitionState s = kafka.controlPlane().partitionStates().state(p);
            boolean onFour = false;
            for (int r : kafka.spec().replicas(p)) {
                onFour |= r == 4;
            }
            if (onFour) {
                hosted++;
                assertThat(s.inIsr(4)).as("partition %d", p).isFalse();
                assertThat(s.isr().size()).as("partition %d: %s", p, s).isEqualTo(2);
            } else {
                assertThat(s.isr().size()).as("partition %d: %s", p, s).isEqualTo(3);
            }
        }
        assertThat(hosted).isPositive();
    }
}
