package dev.faultline.core.kafka;

import dev.faultline.core.check.classify.ViolationClass;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkFault;
import dev.faultline.core.net.PartitionSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Power losses the leader cannot see coming: acks already on the wire when the leader loses power
 * (DP-S1 classification), and an ISR member that lost its tail and has not fetched since (DP-S5).
 * Both were fuzzer findings with every planted bug off (oracle seed 88, ZooKeeper seed 81).
 */
class PowerLossClassificationTest {

    @Test
    void anAckOnTheWireWhenItsOnlyReplicaLosesPowerIsAnExpectedLoss() {
        ClusterSpec spec = ClusterSpec.builder().brokers(1).topic("t", new int[] {1})
                .config("faultline.page.cache.flush.delay.ms", 30_000).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(5)
                .producer("producer", ProducerConfig.of(new int[] {0}, 100, Long.MAX_VALUE, "all")).build().start();
        // Responses to the producer take 300 ms: at the power loss the producer's in-flight window of
        // acks (max.in.flight.requests.per.connection) is still on its way.
        c.sim().network().addLinkFault(List.of(c.brokerNode(1)), List.of(c.sim().node("producer")),
                new LinkFault(Time.millis(300), 0, 0, 0));
        c.runFor(Time.seconds(2));
        int ackedBefore = c.history().ackedAllCount(0);
        c.powerLoss(1);
        c.runFor(Time.seconds(1)); // the in-flight acks arrive after the loss
        assertThat(c.history().ackedAllCount(0)).isGreaterThan(ackedBefore);
        c.restart(1); // re-elected as the only ISR member with an empty log
        c.runFor(Time.seconds(1));

        c.assertNoViolation();
        assertThat(c.losses()).hasSizeGreaterThan(ackedBefore)
                .allSatisfy(l -> assertThat(l.classification()).isEqualTo(ViolationClass.EXPECTED));
    }

    @Test
    void anIsrMemberThatLostItsTailAndHasNotFetchedSinceIsNoLeaderError() {
        // The oracle notices a dead broker only after 5 s, like a ZooKeeper session: a quick bounce goes unseen.
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("t", new int[] {1, 2, 3})
                .config("faultline.page.cache.flush.delay.ms", 30_000).config("faultline.oracle.detection.delay.ms", 5_000).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(11)
                .producer("producer", ProducerConfig.of(new int[] {0}, 100, Long.MAX_VALUE, "all")).build().start();
        c.runFor(Time.seconds(2));
        // broker-3's fetches reach the leader 1.5 s late: the HW trails broker-2's log end by that much.
        c.sim().network().addLinkFault(List.of(c.brokerNode(3)), List.of(c.brokerNode(1)), new LinkFault(Time.millis(1500), 0, 0, 0));
        c.runFor(Time.seconds(1));
        // broker-2 loses power (its unflushed log is gone) and comes straight back, but cannot reach the leader,
        // which still counts the log end broker-2 last fetched from.
        c.powerLoss(2);
        c.restart(2);
        int cut2 = c.sim().network().partition(new PartitionSpec.OneWay(List.of(c.brokerNode(2)), List.of(c.brokerNode(1))));
        int acked = c.history().ackedAllCount(0);
        c.runFor(Time.seconds(2)); // broker-3's late fetches move the HW up towards broker-2's old log end: acks go out
        c.assertNoViolation();
        assertThat(c.broker(2).logEndOffsetOf(0)).isZero();
        assertThat(c.broker(1).isr(0)).containsExactly(1, 2, 3);
        assertThat(c.history().ackedAllCount(0)).isGreaterThan(acked);

        c.sim().network().heal(cut2);
        c.sim().network().clearLinkFaults();
        c.runFor(Time.seconds(40)); // broker-2 re-sends its lost fetch after replica.socket.timeout.ms and catches up
        c.assertNoViolation();
        assertThat(c.losses()).isEmpty();
        assertThat(c.checkConverged()).isNull();
    }

    @Test
    void aFollowerMayTruncateBelowItsHighWatermarkWhenTheSoleIsrMemberLostCommittedRecordsToPowerLoss() {
        // Fuzz kraft seed 49 (combined mode): committed records that were never acknowledged with
        // acks=all (here acks=1) were lost by the sole ISR member's power loss; the out-of-sync follower
        // had learned their high watermark and must truncate below it to follow the re-elected member.
        ClusterSpec spec = ClusterSpec.builder().brokers(2).topic("t", new int[] {1, 2})
                .config("faultline.page.cache.flush.delay.ms", 60_000).config("replica.lag.time.max.ms", 1_000).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(49)
                .producer("producer", ProducerConfig.of(new int[] {0}, 200, Long.MAX_VALUE, "1")).build().start();
        c.runFor(Time.seconds(1));
        // broker-2's fetches arrive 2 s late: it falls out of the ISR for good but keeps fetching and learning the HW.
        c.sim().network().addLinkFault(List.of(c.brokerNode(2)), List.of(c.brokerNode(1)), new LinkFault(Time.seconds(2), 0, 0, 0));
        c.runFor(Time.seconds(8));
        c.assertIsr("t-0", 1);
        assertThat(c.broker(2).highWatermark(0)).isGreaterThan(100);
        c.powerLoss(1); // nothing was flushed: the sole ISR member loses every record
        c.runFor(Time.seconds(1));
        c.sim().network().clearLinkFaults();
        c.restart(1); // re-elected cleanly as the last ISR member, with an empty log
        c.runFor(Time.seconds(40)); // broker-2's fetch lost in the power loss times out (replica.socket.timeout.ms), then it truncates
        c.assertNoViolation();
        c.assertLeader("t-0", 1);
        assertThat(c.losses()).isEmpty(); // acks=1: nothing acknowledged with acks=all was lost
        assertThat(c.checkConverged()).isNull();
    }
}
