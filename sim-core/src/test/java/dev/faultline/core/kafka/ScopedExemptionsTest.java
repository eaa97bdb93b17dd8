package dev.faultline.core.kafka;

import dev.faultline.core.check.classify.ViolationClass;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkFault;
import dev.faultline.core.net.PartitionSpec;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Exemptions excuse only what they name (docs/invariants.md): a bug in a run that also has power
 * losses and unclean elections is still reported, and the same run without the bug passes. Each
 * test is a case the earlier, partition-wide or run-wide exemptions let through.
 */
class ScopedExemptionsTest {

    // ------------------------------------------------------------------ DP-S1 and a power loss elsewhere

    /**
     * KIP-101 scenario 1 (PlantedBugScenariosTest) with the old leader losing power instead of
     * crashing: its page cache never wrote back, so the power loss cuts m1 and m2 from broker-1 after
     * their acks. broker-2, restarted with the planted switch, truncates m2 away itself and is
     * elected cleanly. A power loss cut m2, but from another replica than the leader that lacks it:
     * the earlier rule (any replica's cut, and no ISR member holding it) called this loss EXPECTED.
     */
    private static KafkaCluster kip101WithPowerLoss(boolean truncateToHighWatermark) {
        return PlantedBugScenariosTest.kip101Scenario1(truncateToHighWatermark, true);
    }

    @Test
    void aPlantedKip101LossIsABugAlthoughAPowerLossCutTheRecordFromAnotherReplica() {
        KafkaCluster c = kip101WithPowerLoss(true);
        assertThat(c.sim().violation()).isNotNull();
        assertThat(c.sim().violation().invariant()).isEqualTo("DP-S1");
        assertThat(c.losses()).singleElement().satisfies(l -> {
            assertThat(l.offset()).isEqualTo(1);
            assertThat(l.classification()).isEqualTo(ViolationClass.BUG);
        });
    }

    @Test
    void withoutThePlantedBugThePowerLossOfTheOldLeaderLosesNothing() {
        KafkaCluster c = kip101WithPowerLoss(false);
        c.assertNoViolation();
        c.assertLeader("t-0", 2);
        assertThat(c.broker(2).log(0).logEndOffset()).isEqualTo(2);
        assertThat(c.losses()).isEmpty();
    }

    // ------------------------------------------------------------------ DP-S3 after an unclean election

    /**
     * Two brokers, unclean election on: broker-2 is isolated and leaves the ISR, broker-1 (the
     * leader) crashes, broker-2 is elected uncleanly and broker-1 returns as its follower, truncating
     * below its old high watermark (excused: it learned that high watermark before the election).
     * Later, with {@code buggyTruncation}, broker-1 truncates below its high watermark again, long
     * after it fetched from the new leader: the earlier rule switched DP-S3 off for the partition
     * for the rest of the run after any unclean election.
     */
    private static KafkaCluster uncleanThenTruncation(boolean buggyTruncation) {
        ClusterSpec spec = ClusterSpec.builder().brokers(2).topic("t", new int[] {1, 2})
                .config("min.insync.replicas", 1).config("unclean.leader.election.enable", true)
                .config("replica.lag.time.max.ms", 1000)
                .config("faultline.canary.enable", false).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(7)
                .producer("producer", ProducerConfig.of(new int[] {0}, 50, Long.MAX_VALUE, Map.of("acks", "1", "request.timeout.ms", "3000")))
                .build().start();
        c.runFor(Time.seconds(1));
        int cut = c.sim().network().partition(new PartitionSpec.Isolate(c.brokerNode(2)));
        c.runFor(Time.seconds(4));
        c.assertIsr("t-0", 1);
        c.crash(1);
        c.sim().network().heal(cut);
        c.runFor(Time.seconds(3));
        c.assertLeader("t-0", 2);
        assertThat(c.controlHistory().everUnclean(0)).isTrue();
        c.restart(1);
        c.runFor(Time.seconds(5));
        c.assertNoViolation();
        KafkaBroker follower = c.broker(1);
        assertThat(follower.validated(0)).isTrue();
        assertThat(follower.highWatermark(0)).isGreaterThan(20);
        if (buggyTruncation) {
            c.sim().schedule(c.sim().now(), () -> follower.truncate(follower.replicas.local(0), follower.highWatermark(0) - 10, "a buggy truncation"));
        }
        c.runFor(Time.seconds(2));
        return c;
    }

    @Test
    void aTruncationBelowTheHighWatermarkLongAfterAnUncleanElectionIsReported() {
        KafkaCluster c = uncleanThenTruncation(true);
        assertThat(c.sim().violation()).isNotNull();
        assertThat(c.sim().violation().invariant()).isEqualTo("DP-S3");
    }

    @Test
    void theTruncationThatFollowsTheUncleanElectionItselfIsExcused() {
        KafkaCluster c = uncleanThenTruncation(false);
        c.assertNoViolation();
    }

    // ------------------------------------------------------------------ DP-S5 after old power losses

    /**
     * Three brokers, acks=all, min.insync.replicas 2; broker-2 and broker-3 lose power once early
     * (unflushed records cut) and rejoin the ISR. Later they stop fetching and, with {@code lie},
     * the leader is made to believe they hold records they do not, and answers acks=all. The earlier
     * rule excused any member whose log a power loss had ever cut below the offset.
     */
    private static KafkaCluster oldPowerLossesThenAckWithoutTheIsr(boolean lie) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("t", new int[] {1, 2, 3})
                .config("min.insync.replicas", 2).config("replica.lag.time.max.ms", 5000).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(5)
                .brokerConfig(2, "faultline.page.cache.flush.delay.ms", 30_000)
                .brokerConfig(3, "faultline.page.cache.flush.delay.ms", 30_000)
                .producer("producer", ProducerConfig.of(new int[] {0}, 50, Long.MAX_VALUE, Map.of("acks", "all", "request.timeout.ms", "3000")))
                .build().start();
        c.runFor(Time.seconds(2));
        c.powerLoss(2);
        c.powerLoss(3);
        c.runFor(Time.millis(100));
        c.restart(2);
        c.restart(3);
        c.runFor(Time.seconds(8));
        c.assertNoViolation();
        c.assertIsr("t-0", 1, 2, 3);
        for (int f : new int[] {2, 3}) {
            c.sim().network().addLinkFault(List.of(c.brokerNode(f)), List.of(c.brokerNode(1)), new LinkFault(0, 1.0, 0, 0, Set.of("FetchRequest")));
        }
        c.runFor(Time.millis(600));
        if (lie) {
            KafkaBroker leader = c.broker(1);
            c.sim().schedule(c.sim().now(), () -> {
                int local = leader.replicas.local(0);
                LeaderState ls = leader.replicas.leaderStates[local];
                ls.onFollowerFetch(1, 1_000_000, 0, leader.brokerEpoch, leader.ctx.now()); // the leader believes a lie
                ls.onFollowerFetch(2, 1_000_000, 0, leader.brokerEpoch, leader.ctx.now());
                leader.leaderSide.maybeAdvanceHighWatermark(local);
            });
        }
        c.runFor(Time.millis(100));
        return c;
    }

    @Test
    void anAckBeforeTheIsrHasTheRecordIsReportedAlthoughItsMembersOnceLostPower() {
        KafkaCluster c = oldPowerLossesThenAckWithoutTheIsr(true);
        assertThat(c.sim().violation()).isNotNull();
        assertThat(c.sim().violation().invariant()).isEqualTo("DP-S5");
    }

    @Test
    void withoutTheLieTheRunPasses() {
        KafkaCluster c = oldPowerLossesThenAckWithoutTheIsr(false);
        c.assertNoViolation();
    }
}
