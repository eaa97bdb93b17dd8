package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkFault;
import dev.faultline.core.trace.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * KRaft mode: an AlterPartition that gets no answer within the request time-out is sent again by the
 * broker's channel (Kafka's broker-to-controller channel retries AlterPartition without bound); the
 * partition leader keeps its proposal pending, and with it the maximal ISR that holds the high
 * watermark back. The model answered the leader {@code REQUEST_TIMED_OUT} instead: the leader
 * advanced the high watermark without the follower it was adding, and the controller, reached late
 * by the first copy, still wrote that follower into the ISR with a log end offset below the high
 * watermark (DP-S6). Here the expansion is delayed 3 s on its way to the controllers (the time-out is
 * 2 s) and the joining follower, back from a crash, stops fetching right after it is proposed (it
 * stays registered and unfenced, so the controller accepts it).
 */
class KRaftAlterPartitionTimeoutTest {
    private static final long S = Time.SECOND;

    @Test
    void aTimedOutExpansionIsSentAgainAndTheHighWatermarkWaitsForTheJoiningFollower() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", 1)
                .config("replica.lag.time.max.ms", 5000).topic("orders", 1, 3).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(5).controlPlane(new KRaftControlPlane())
                .producer("producer-1", ProducerConfig.of(new int[] {0}, 100, Long.MAX_VALUE, Map.of("acks", "1")))
                .build();
        int partition = c.partition("orders-0");
        List<String> expansions = new ArrayList<>();
        List<String> resent = new ArrayList<>();
        List<String> discarded = new ArrayList<>();
        c.sim().tracer().addSink(e -> {
            if (e instanceof TraceEvent.Note n) {
                if (n.category().equals("isr-expand") && n.detail().startsWith("orders-0")) {
                    expansions.add(n.toString());
                } else if (n.detail().contains("AlterPartition for orders-0 timed out; sent again")) {
                    resent.add(n.toString());
                } else if (n.detail().contains("discards a late AlterPartition answer for orders-0")) {
                    discarded.add(n.toString());
                }
            }
        });
        c.start();
        c.runFor(10 * S);
        c.assertNoViolation();
        int leader = c.controlPlane().partitionStates().state(partition).leader();
        int follower = spec.replica(partition, 0) == leader ? spec.replica(partition, 1) : spec.replica(partition, 0);
        NodeId leaderNode = c.brokerNode(leader);
        // The follower is down until the leader has shrunk it out of the ISR, then comes back.
        c.crash(follower);
        c.runFor(8 * S);
        assertThat(List.copyOf(c.controlPlane().partitionStates().state(partition).isr())).as("ISR after the shrink").doesNotContain(follower);
        // The leader's next AlterPartition takes 3 s to reach the controllers (request time-out: 2 s).
        c.sim().network().addLinkFault(List.of(leaderNode), List.copyOf(c.controlPlane().controllerCandidates()),
                new LinkFault(3 * S, 0, 0, 0, Set.of("AlterPartitionMessage")));
        c.restart(follower);
        long waited = 0;
        while (expansions.isEmpty() && waited < 10 * S) {
            c.runFor(Time.millis(1));
            waited += Time.millis(1);
        }
        assertThat(expansions).as("the leader proposed adding the caught-up follower back").isNotEmpty();
        c.sim().network().addLinkFault(List.of(c.brokerNode(follower)), List.of(leaderNode),
                new LinkFault(0, 1.0, 0, 0, Set.of("FetchRequest")));
        c.runFor(4 * S);
        assertThat(List.copyOf(c.controlPlane().partitionStates().state(partition).isr()))
                .as("the first copy, arriving late, wrote the follower into the ISR").contains(follower);
        c.runFor(10 * S);
        c.assertNoViolation(); // DP-S6 when the leader gave up at the time-out
        assertThat(resent).as("the channel sent the expansion again after the time-out").isNotEmpty();
        assertThat(discarded).as("the first copy's late answer was not handed to the leader").isNotEmpty();
    }
}
