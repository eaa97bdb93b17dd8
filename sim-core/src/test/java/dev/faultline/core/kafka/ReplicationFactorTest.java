package dev.faultline.core.kafka;

import dev.faultline.core.check.classify.ViolationClass;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.control.LeaderElection;
import dev.faultline.core.kernel.Time;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Replication factors 1, 2 and 3 under a broker crash, as Kafka behaves. */
class ReplicationFactorTest {

    private static KafkaCluster cluster(int[] assignment, int minIsr, Map<String, String> producer) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", minIsr).topic("t", assignment).build();
        return KafkaCluster.builder(spec).seed(7)
                .producer("producer", ProducerConfig.of(new int[] {0}, 100, Long.MAX_VALUE, producer))
                .consumer("consumer", "t-0").build().start();
    }

    @Test
    void replicationFactorOneGoesOfflineWhileItsBrokerIsDownAndLosesNothingOnACrash() {
        KafkaCluster c = cluster(new int[] {1}, 1, Map.of("acks", "all"));
        c.runFor(Time.seconds(2));
        long acked = c.history().ackedAllCount(0);
        c.crash(1);
        c.runFor(Time.seconds(3));
        assertThat(c.state("t-0").leader()).isEqualTo(LeaderElection.NO_LEADER);
        assertThat(c.history().ackedAllCount(0)).isEqualTo((int) acked);
        c.restart(1);
        c.runFor(Time.seconds(3));
        c.assertNoViolation();
        c.assertLeader("t-0", 1);
        assertThat(c.history().ackedAllCount(0)).isGreaterThan((int) acked + 100);
        assertThat(c.losses()).isEmpty();
    }

    @Test
    void replicationFactorTwoWithMinIsrTwoRejectsAcksAllWhileTheFollowerIsDown() {
        KafkaCluster c = cluster(new int[] {1, 2}, 2, Map.of("acks", "all", "retries", "0"));
        c.runFor(Time.seconds(2));
        c.crash(2);
        c.runFor(Time.seconds(2));
        c.assertIsr("t-0", 1);
        assertThat(c.history().operations()).anySatisfy(op -> assertThat(op.error()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS));
        c.restart(2);
        c.runFor(Time.seconds(3));
        c.assertNoViolation();
        c.assertIsr("t-0", 1, 2);
        assertThat(c.checkConverged()).isNull();
    }

    @Test
    void replicationFactorTwoFailsOverToTheFollowerWithoutLoss() {
        KafkaCluster c = cluster(new int[] {1, 2}, 1, Map.of("acks", "all"));
        c.runFor(Time.seconds(2));
        c.crash(1);
        c.runFor(Time.seconds(2));
        c.assertLeader("t-0", 2);
        c.assertIsr("t-0", 2);
        c.restart(1);
        c.runFor(Time.seconds(3));
        c.assertNoViolation();
        c.assertIsr("t-0", 1, 2);
        assertThat(c.losses()).isEmpty();
        assertThat(c.history().consumedCount()).isGreaterThan(300);
    }

    @Test
    void acksOneCanLoseRecordsTheFollowerHadNotFetched() {
        // acks=1 is acknowledged before replication: a crash of the leader right after loses the
        // unreplicated tail once the follower leads; not a DP-S1 violation (it covers acks=all only).
        KafkaCluster c = cluster(new int[] {1, 2}, 1, Map.of("acks", "1"));
        c.runFor(Time.seconds(2));
        c.sim().network().partition(new dev.faultline.core.net.PartitionSpec.Isolate(c.brokerNode(2)));
        c.runFor(Time.millis(500));
        c.crash(1);
        c.sim().network().healAll();
        c.runFor(Time.seconds(2));
        c.assertNoViolation();
        c.assertLeader("t-0", 2);
        ReplicaLogView newLeaderLog = c.broker(2).log(0);
        assertThat(c.history().operations()).anySatisfy(op -> {
            assertThat(op.kind()).isEqualTo("ack");
            assertThat(op.offset() >= newLeaderLog.logEndOffset() || newLeaderLog.recordId(op.offset()) != op.recordId()).isTrue();
        });
        assertThat(c.losses()).isEmpty();
    }

    @Test
    void powerLossOfTheOnlyReplicaLosesUnflushedRecordsUnlessEveryMessageIsFlushed() {
        for (String flushInterval : new String[] {String.valueOf(Long.MAX_VALUE), "1"}) {
            ClusterSpec spec = ClusterSpec.builder().brokers(1).topic("t", new int[] {1}).config("log.flush.interval.messages", flushInterval)
                    .config("faultline.page.cache.flush.delay.ms", 30_000)
                    .config("faultline.canary.enable", false).build(); // exact log ends: no probe writes
            KafkaCluster c = KafkaCluster.builder(spec).seed(3)
                    .producer("producer", ProducerConfig.of(new int[] {0}, 100, 100, "all")).build().start();
            c.runFor(Time.seconds(2));
            assertThat(c.history().ackedAllCount(0)).isEqualTo(100);
            c.powerLoss(1);
            c.restart(1);
            c.runFor(Time.seconds(1));
            if (flushInterval.equals("1")) {
                assertThat(c.broker(1).logEndOffsetOf(0)).isEqualTo(100);
                assertThat(c.losses()).isEmpty();
            } else {
                assertThat(c.broker(1).logEndOffsetOf(0)).isZero();
                assertThat(c.losses()).hasSize(100)
                        .allSatisfy(l -> assertThat(l.classification()).isEqualTo(ViolationClass.EXPECTED));
            }
            c.assertNoViolation();
        }
    }
}
