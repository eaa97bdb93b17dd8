package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/**
 * A restarted broker replays {@code __cluster_metadata} from the start; it must act only on the
 * image it has once registered and caught up past its own registration, never on the stale states
 * on the way there (fuzz findings kraft DP-S1 seed 8 and DP-S3 seed 49).
 */
class KRaftRestartReplayTest {
    private static final long S = Time.SECOND;

    private static KafkaCluster cluster(ClusterSpec spec, long seed) {
        return KafkaCluster.builder(spec).seed(seed).controlPlane(new KRaftControlPlane())
                .producer("producer-1", ProducerConfig.of(new int[] {0}, 20, Long.MAX_VALUE, "all"))
                .build().start();
    }

    @Test
    void aLeaderThatLostPowerDuringAQuorumOutageDoesNotLeadAgainWithItsEmptyLog() {
        ClusterSpec spec = ClusterSpec.builder().brokers(2).config("min.insync.replicas", 2)
                .config("faultline.page.cache.flush.delay.ms", 60_000).topic("t", new int[] {1, 2}).build();
        KafkaCluster c = cluster(spec, 8);
        c.runFor(5 * S);
        c.assertNoViolation();
        assertThat(c.history().ackedAllCount(0)).isGreaterThan(20);
        // The controllers lose their majority: nobody can fence broker-1 or move its leadership.
        c.sim().crash(c.sim().node("controller-2"));
        c.sim().crash(c.sim().node("controller-3"));
        c.powerLoss(1);
        c.runFor(S);
        c.restart(1); // its log is gone; the metadata it replays still names it leader of t-0 at epoch 0
        c.runFor(5 * S);
        c.assertNoViolation();
        assertThat(c.broker(1).isLeader(0)).as("broker-1 leads nothing before it has registered").isFalse();

        c.sim().restart(c.sim().node("controller-2"));
        c.sim().restart(c.sim().node("controller-3"));
        c.runFor(30 * S);
        c.assertNoViolation();
        assertThat(c.losses()).isEmpty();
        assertThat(c.checkConverged()).isNull();
    }

    @Test
    void aRestartedFollowerDoesNotReplayItsOldLeadershipIntoItsEpochCache() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", 1).topic("t", new int[] {2, 3, 1}).build();
        KafkaCluster c = cluster(spec, 49);
        c.runFor(5 * S);
        c.crash(2); // fenced after broker.session.timeout.ms: broker-3 leads t-0 at epoch 1
        c.runFor(15 * S);
        c.restart(2);
        c.runFor(15 * S); // broker-2 follows broker-3 and fetches epoch-1 records
        c.assertNoViolation();
        assertThat(c.broker(2).isFollower(0)).isTrue();
        assertThat(c.broker(2).log(0).epochCache().length).isEqualTo(2);
        c.crash(2);
        c.runFor(S);
        c.restart(2); // its replay starts with "broker-2 leads t-0 at epoch 0"
        c.runFor(5 * S);
        c.assertNoViolation();
        assertThat(c.broker(2).isFollower(0)).isTrue();
        assertThat(c.broker(2).log(0).epochCache().length).isEqualTo(2);
        assertThat(c.losses()).isEmpty();
        assertThat(c.checkConverged()).isNull();
    }
}
