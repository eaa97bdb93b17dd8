package dev.faultline.core.kafka;

import dev.faultline.core.check.classify.ViolationClass;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.PartitionSpec;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Unclean leader election and the JEPSEN-2013 hazard (docs/model.md#unclean-leader-election,
 * Jepsen's 2013 Kafka analysis, docs/model.md#planted-bugs).
 */
class DurabilityHazardsTest {

    /**
     * JEPSEN-2013: RF 3, acks=all; the followers are cut off until the ISR shrinks to the leader, which
     * keeps acknowledging alone (with min.insync.replicas=1); the leader is then declared dead (the
     * oracle sees a crash), a follower is elected, the old leader returns and truncates.
     */
    private static KafkaCluster jepsen(int minIsr, boolean unclean, boolean failOnExpectedLoss) {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("events", new int[] {1, 2, 3})
                .config("min.insync.replicas", minIsr).config("unclean.leader.election.enable", unclean)
                .config("replica.lag.time.max.ms", 10_000).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(2013).failOnExpectedLoss(failOnExpectedLoss)
                .producer("producer", ProducerConfig.of(new int[] {0}, 50, Long.MAX_VALUE,
                        Map.of("acks", "all", "retries", "0", "request.timeout.ms", "5000")))
                .build().start();
        c.runFor(Time.seconds(2));
        List<NodeId> followers = List.of(c.brokerNode(2), c.brokerNode(3));
        int cut = c.sim().network().partition(new PartitionSpec.Split(List.of(followers), true));
        c.runFor(Time.seconds(23));
        c.assertIsr("events-0", 1);
        c.sim().network().heal(cut);
        c.crash(1);
        c.runFor(Time.seconds(5));
        c.restart(1);
        c.runFor(Time.seconds(5));
        return c;
    }

    @Test
    void jepsen2013LosesSoloAcknowledgedWritesAsExpectedWithUncleanElection() {
        KafkaCluster c = jepsen(1, true, false);
        c.assertNoViolation();
        c.assertLeader("events-0", 2);
        assertThat(c.controlHistory().uncleanElections()).isEqualTo(1);
        assertThat(c.losses()).hasSizeGreaterThan(100)
                .allSatisfy(l -> assertThat(l.classification()).isEqualTo(ViolationClass.EXPECTED));
        assertThat(c.checkConverged()).isNull();
    }

    @Test
    void jepsen2013LossFailsTheRunWhenExpectedLossesArePromoted() {
        KafkaCluster c = jepsen(1, true, true);
        assertThat(c.sim().violation()).isNotNull();
        assertThat(c.sim().violation().invariant()).isEqualTo("DP-S1");
        assertThat(c.sim().violation().message()).contains("EXPECTED: lost to the unclean election of leader epoch");
    }

    @Test
    void jepsen2013SafeConfigurationRejectsWritesInsteadOfLosingThem() {
        KafkaCluster c = jepsen(2, false, true);
        c.assertNoViolation();
        assertThat(c.losses()).isEmpty();
        assertThat(c.controlHistory().uncleanElections()).isZero();
        assertThat(c.history().operations()).anySatisfy(op -> assertThat(op.error()).isEqualTo(Errors.NOT_ENOUGH_REPLICAS));
        c.assertLeader("events-0", 1); // the only ISR member, re-elected when it returned
    }
}
