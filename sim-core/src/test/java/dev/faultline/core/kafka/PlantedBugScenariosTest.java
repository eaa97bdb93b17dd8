package dev.faultline.core.kafka;

import dev.faultline.core.check.classify.ViolationClass;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkFault;
import dev.faultline.core.net.PartitionSpec;
import dev.faultline.core.trace.RunResult;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The data-plane planted bugs of docs/model.md#planted-bugs (PB-REP-1, PB-REP-2) on the oracle
 * control plane: with the switch on the named invariant fires; with it off the same schedule
 * passes.
 */
class PlantedBugScenariosTest {
    private static final long MS = Time.MILLISECOND;

    // ------------------------------------------------------------------ KIP-101 scenario 1

    /**
     * KIP-101 scenario 1: B (broker-1) leads, A (broker-2) follows; m1, m2 committed; the fetch response
     * carrying HW = 2 to A is dropped; A restarts and B dies at once; the oracle (1 s detection delay,
     * so A's quick restart keeps it in the ISR) elects A cleanly. With {@code oldLeaderLosesPower} B
     * loses power instead of crashing, its page cache never written back (ScopedExemptionsTest).
     */
    private static KafkaCluster kip101Scenario1(boolean truncateToHighWatermark) {
        return kip101Scenario1(truncateToHighWatermark, false);
    }

    static KafkaCluster kip101Scenario1(boolean truncateToHighWatermark, boolean oldLeaderLosesPower) {
        ClusterSpec spec = ClusterSpec.builder().brokers(2).topic("t", new int[] {1, 2})
                .config("replication.truncateToHighWatermark", truncateToHighWatermark)
                .config("faultline.oracle.detection.delay.ms", 1000)
                .config("faultline.canary.enable", false).build(); // exact logs: no probe writes
        KafkaClusterBuilder b = KafkaCluster.builder(spec).seed(101);
        if (oldLeaderLosesPower) {
            b.brokerConfig(1, "faultline.page.cache.flush.delay.ms", 60_000);
        }
        KafkaCluster c = b.producer("producer", ProducerConfig.of(new int[] {0}, 100, 2, "all")).build();
        Triggers.when(c.sim(), "A has m2", () -> c.broker(2) != null && c.broker(2).logEndOffsetOf(0) == 2,
                () -> c.sim().network().addLinkFault(List.of(c.brokerNode(1)), List.of(c.brokerNode(2)),
                        new LinkFault(0, 1.0, 0, 0, Set.of("FetchResponse"))));
        c.start();
        c.runFor(Time.seconds(6)); // A checkpoints HW = 1 at 5 s
        assertThat(c.history().ackedAllCount(0)).isEqualTo(2);
        assertThat(c.broker(2).highWatermark(0)).isEqualTo(1);
        c.sim().schedule(c.sim().now(), () -> {
            c.restart(2);
            if (oldLeaderLosesPower) {
                c.powerLoss(1);
            } else {
                c.crash(1);
            }
        });
        c.runFor(Time.seconds(3));
        return c;
    }

    @Test
    void kip101Scenario1LosesACommittedRecordWhenFollowersTruncateToTheirHighWatermark() {
        KafkaCluster c = kip101Scenario1(true);
        assertThat(c.sim().violation()).isNotNull();
        assertThat(c.sim().violation().invariant()).isEqualTo("DP-S1");
        assertThat(c.losses()).singleElement().satisfies(l -> {
            assertThat(l.offset()).isEqualTo(1);
            assertThat(l.classification()).isEqualTo(ViolationClass.BUG);
        });
    }

    @Test
    void kip101Scenario1KeepsTheCommittedRecordWithLeaderEpochs() {
        KafkaCluster c = kip101Scenario1(false);
        c.assertNoViolation();
        c.assertLeader("t-0", 2);
        assertThat(c.broker(2).log(0).logEndOffset()).isEqualTo(2);
        assertThat(c.losses()).isEmpty();
    }

    // ------------------------------------------------------------------ KIP-101 scenario 2

    /**
     * KIP-101 scenario 2: A (broker-1) leads with writeback at once, B (broker-2) follows with an 8 s
     * page-cache writeback delay; m1 at 10 s, m2 at 20 s (both committed); both lose power (A first,
     * so B is the last ISR member); B restarts first, leads and takes m3 at offset 1; A restarts.
     */
    private static KafkaCluster kip101Scenario2(boolean truncateToHighWatermark, boolean dps2) {
        ClusterSpec spec = ClusterSpec.builder().brokers(2).topic("t", new int[] {1, 2})
                .config("replication.truncateToHighWatermark", truncateToHighWatermark)
                .config("faultline.canary.enable", false).build(); // exact logs: no probe writes
        KafkaClusterBuilder b = KafkaCluster.builder(spec).seed(102)
                .brokerConfig(1, "faultline.page.cache.flush.delay.ms", 0)
                .brokerConfig(2, "faultline.page.cache.flush.delay.ms", 8000)
                .producer("producer", ProducerConfig.of(new int[] {0}, 0.1, 2, "all"))
                .producer("late-producer", ProducerConfig.of(new int[] {0}, 1, 1, java.util.Map.of("acks", "all", "bootstrap.servers", "broker-2")).startingAfter(Time.millis(27_500 - 1000)));
        if (!dps2) {
            b.disableInvariant("DP-S2");
        }
        KafkaCluster c = b.build().start();
        c.sim().run(Time.seconds(26), Long.MAX_VALUE);
        assertThat(c.history().ackedAllCount(0)).isEqualTo(2);
        c.powerLoss(1);
        c.runFor(MS);
        c.powerLoss(2);
        c.runFor(Time.seconds(1));
        c.restart(2);
        c.runFor(Time.seconds(2)); // m3 acknowledged by B at offset 1
        c.restart(1);
        c.runFor(Time.seconds(5));
        return c;
    }

    @Test
    void kip101Scenario2DivergesWhenFollowersTruncateToTheirHighWatermark() {
        KafkaCluster c = kip101Scenario2(true, true);
        assertThat(c.sim().violation()).isNotNull();
        assertThat(c.sim().violation().invariant()).isEqualTo("DP-S2");
    }

    @Test
    void kip101Scenario2LogsNeverConvergeWhenFollowersTruncateToTheirHighWatermark() {
        KafkaCluster c = kip101Scenario2(true, false);
        c.assertNoViolation();
        assertThat(c.checkConverged()).contains("first difference at offset 1");
        assertThat(c.sim().violation().invariant()).isEqualTo("DP-L3");
    }

    @Test
    void kip101Scenario2ConvergesWithLeaderEpochsAndTheLossIsExpected() {
        KafkaCluster c = kip101Scenario2(false, true);
        c.assertNoViolation();
        assertThat(c.checkConverged()).isNull();
        c.assertIsr("t-0", 1, 2);
        assertThat(c.broker(1).log(0).logEndOffset()).isEqualTo(2);
        assertThat(c.losses()).singleElement().satisfies(l -> {
            assertThat(l.offset()).isEqualTo(1);
            assertThat(l.classification()).isEqualTo(ViolationClass.EXPECTED);
        });
    }

    // ------------------------------------------------------------------ KIP-279 (KAFKA-6361)

    /**
     * KIP-279 (KAFKA-6361) / PB-REP-2: A (broker-1) leads epoch 0 with [0..10] replicated and [11..20] not (B
     * isolated); A dies and B leads epoch 1, appending [11..15]; B dies; A returns and is elected
     * uncleanly at epoch 2 straight away (it never became a follower, so never truncated) and appends
     * from 21; B returns as follower.
     */
    private static KafkaCluster kip279(boolean singleRoundEpochLookup) {
        ClusterSpec spec = ClusterSpec.builder().brokers(2).topic("t", new int[] {1, 2})
                .config("min.insync.replicas", 1).config("unclean.leader.election.enable", true)
                .config("replication.singleRoundEpochLookup", singleRoundEpochLookup)
                .config("faultline.canary.enable", false).build(); // exact logs: no probe writes
        KafkaCluster c = KafkaCluster.builder(spec).seed(279)
                .producer("p-replicated", ProducerConfig.of(new int[] {0}, 100, 11, "1"))
                .producer("p-unreplicated", ProducerConfig.of(new int[] {0}, 100, 10, "1").startingAfter(Time.millis(1000)))
                .producer("p-on-b", ProducerConfig.of(new int[] {0}, 100, 5, "1").startingAfter(Time.millis(2500)))
                .producer("p-on-a-again", ProducerConfig.of(new int[] {0}, 100, 5, "1").startingAfter(Time.millis(4500)))
                .build().start();
        c.runFor(Time.seconds(1));
        assertThat(c.broker(2).logEndOffsetOf(0)).isEqualTo(11);
        int cut = c.sim().network().partition(new PartitionSpec.Isolate(c.brokerNode(2)));
        c.runFor(Time.seconds(1));
        assertThat(c.broker(1).logEndOffsetOf(0)).isEqualTo(21);
        c.crash(1);
        c.sim().network().heal(cut);
        c.runFor(Time.seconds(1));
        c.assertLeader("t-0", 2);
        assertThat(c.broker(2).logEndOffsetOf(0)).isEqualTo(16);
        c.crash(2);
        c.runFor(Time.seconds(1));
        c.restart(1);
        c.runFor(Time.seconds(1));
        c.assertLeader("t-0", 1);
        assertThat(c.controlHistory().everUnclean(0)).isTrue();
        assertThat(c.broker(1).logEndOffsetOf(0)).isEqualTo(26);
        c.restart(2);
        c.runFor(Time.seconds(3));
        return c;
    }

    @Test
    void kip279SingleRoundEpochLookupLeavesDivergedLogs() {
        KafkaCluster c = kip279(true);
        assertThat(c.sim().violation()).isNotNull();
        assertThat(c.sim().violation().invariant()).isEqualTo("DP-S2");
        assertThat(c.sim().violation().message()).contains("offset 11");
    }

    @Test
    void kip279MultiRoundLineageConverges() {
        KafkaCluster c = kip279(false);
        c.assertNoViolation();
        assertThat(c.checkConverged()).isNull();
        c.assertIsr("t-0", 1, 2);
        assertThat(c.broker(2).logEndOffsetOf(0)).isEqualTo(26);
    }
}
