package dev.faultline.zookeeper;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import dev.faultline.zookeeper.kafka.ZkControlPlane;
import org.junit.jupiter.api.Test;

/** Same seed, same run: the trace fingerprints of two runs agree (and differ for another seed). */
class DeterminismTest {

    private static long ensembleRun(long seed) {
        ZkTestContext zk = ZkTestContext.of(seed, 5);
        zk.addClient("client-1", 6 * Time.SECOND, 100 * ZkTestContext.MS);
        zk.start();
        zk.sim.runFor(5 * Time.SECOND);
        zk.sim.crash(zk.ensemble.establishedLeader());
        return zk.sim.runFor(20 * Time.SECOND).fingerprint();
    }

    private static long kafkaRun(long seed) {
        ClusterSpec spec = ClusterSpec.builder().brokers(4).topic("t", 24, 3).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(seed).controlPlane(new ZkControlPlane()).build().start();
        kafka.runFor(20 * Time.SECOND);
        kafka.crash(ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name()));
        return kafka.runFor(40 * Time.SECOND).fingerprint();
    }

    @Test
    void anEnsembleRunRepeatsExactly() {
        assertThat(ensembleRun(42)).isEqualTo(ensembleRun(42)).isNotEqualTo(ensembleRun(43));
    }

    @Test
    void aZooKeeperModeKafkaRunRepeatsExactly() {
        assertThat(kafkaRun(42)).isEqualTo(kafkaRun(42)).isNotEqualTo(kafkaRun(43));
    }
}
