package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Controlled shutdown in KRaft mode (docs/model.md#controlled-shutdown, KIP-841): heartbeats with
 * {@code wantShutDown} put the broker in controlled shutdown, the controller moves leadership and
 * ISR membership away at once, and the broker exits only when the controller says it may (it leads
 * nothing and the other brokers replayed the change); without a controller it gives up after the
 * shutdown deadline; a heartbeat from an older broker epoch changes nothing.
 */
class KRaftControlledShutdownTest {
    private static final int PARTITIONS = 12;

    private static KafkaCluster cluster(int brokers) {
        int[] all = new int[PARTITIONS];
        for (int p = 0; p < PARTITIONS; p++) {
            all[p] = p;
        }
        ClusterSpec spec = ClusterSpec.builder().brokers(brokers).config("min.insync.replicas", 2).topic("t", PARTITIONS, 3).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(9).controlPlane(new KRaftControlPlane())
                .producer("producer", ProducerConfig.roundRobin(all, 200 * PARTITIONS, Long.MAX_VALUE, "all")).build().start();
        c.runFor(15 * Time.SECOND);
        return c;
    }

    private static int ledBy(KafkaCluster c, int broker) {
        int n = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            if (c.controlPlane().partitionStates().leader(p) == broker) {
                n++;
            }
        }
        return n;
    }

    private static int isrMemberships(KafkaCluster c, int broker) {
        int n = 0;
        for (int p = 0; p < PARTITIONS; p++) {
            if (c.controlPlane().partitionStates().state(p).inIsr(broker)) {
                n++;
            }
        }
        return n;
    }

    /** A partition whose committed leader is not a running broker that applied its leadership, or null. */
    private static String unled(KafkaCluster c) {
        for (int p = 0; p < PARTITIONS; p++) {
            PartitionState s = c.controlPlane().partitionStates().state(p);
            if (!s.hasLeader() || c.broker(s.leader()) == null) {
                return s.toString();
            }
        }
        return null;
    }

    @Test
    void leadershipMovesAtOnceAndTheBrokerExitsWhenTheControllerLetsIt() {
        KafkaCluster c = cluster(4);
        int victim = 1;
        assertThat(ledBy(c, victim)).isPositive();
        c.controlledShutdown(victim, 0);
        long start = c.sim().now();
        long movedAfter = -1;
        while (c.broker(victim) != null && c.sim().now() - start < 20 * Time.SECOND) {
            c.runFor(Time.MILLISECOND);
            assertThat(unled(c)).as("no partition is ever without a running leader").isNull();
            if (movedAfter < 0 && ledBy(c, victim) == 0) {
                movedAfter = c.sim().now() - start;
            }
        }
        long took = c.sim().now() - start;
        System.out.println("KRaft mode: leadership moved off broker-" + victim + " after " + Time.format(movedAfter)
                + ", the broker exited after " + Time.format(took));
        assertThat(c.broker(victim)).as("exited").isNull();
        assertThat(movedAfter).isBetween(0L, 100 * Time.MILLISECOND);
        // It waits for the other brokers to replay the change (their next heartbeats).
        assertThat(took).isBetween(movedAfter, c.spec().config().getMillisAsNanos("broker.heartbeat.interval.ms") * 3);
        assertThat(isrMemberships(c, victim)).as("in no ISR when it exits (KIP-841: not added back)").isZero();
        var run = c.runFor(20 * Time.SECOND);
        c.assertNoViolation();
        assertThat(c.result(run).losses()).isEmpty();
    }

    @Test
    void aCrashedLeaderKeepsItsPartitionsUntilItsSessionExpires() {
        KafkaCluster c = cluster(4);
        int led = ledBy(c, 1);
        c.crash(1);
        c.runFor(Time.SECOND);
        assertThat(ledBy(c, 1)).isEqualTo(led);
        assertThat(unled(c)).isNotNull();
        c.runFor(15 * Time.SECOND);
        assertThat(ledBy(c, 1)).isZero();
        c.assertNoViolation();
    }

    @Test
    void withControlledShutdownDisabledTheBrokerExitsLeadingAndIsFencedOnlyAfterItsSession() {
        ClusterSpec spec = ClusterSpec.builder().brokers(4).config("controlled.shutdown.enable", false).topic("t", PARTITIONS, 3).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(9).controlPlane(new KRaftControlPlane()).build().start();
        c.runFor(15 * Time.SECOND);
        int led = ledBy(c, 1);
        assertThat(led).isPositive();
        c.controlledShutdown(1, 0);
        c.runFor(Time.MILLISECOND);
        assertThat(c.broker(1)).isNull();
        c.runFor(Time.SECOND);
        assertThat(ledBy(c, 1)).as("nothing moved before the exit").isEqualTo(led);
        c.runFor(12 * Time.SECOND);
        assertThat(ledBy(c, 1)).as("moved once broker.session.timeout.ms expired").isZero();
        c.assertNoViolation();
    }

    @Test
    void withoutControllersTheBrokerGivesUpAfterTheShutdownDeadline() {
        KafkaCluster c = cluster(3);
        for (NodeId controller : c.controlPlane().controllerCandidates()) {
            c.sim().crash(controller);
        }
        c.runFor(Time.SECOND);
        int led = ledBy(c, 2);
        c.controlledShutdown(2, 0);
        c.runFor(KRaftBrokerAgent.SHUTDOWN_WAIT_NANOS - Time.SECOND);
        assertThat(c.broker(2)).as("still waiting for the controller").isNotNull();
        c.runFor(2 * Time.SECOND);
        assertThat(c.broker(2)).as("gave up and exited").isNull();
        assertThat(ledBy(c, 2)).as("nobody moved its partitions").isEqualTo(led);
    }

    /** Sends one heartbeat with {@code wantShutDown} and keeps the answers. */
    private static final class Probe implements Node {
        final List<ControllerMessage.BrokerHeartbeatResponse> answers = new ArrayList<>();
        private final NodeContext ctx;

        Probe(NodeContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void onStart() {
        }

        @Override
        public void onMessage(NodeId from, Message message) {
            if (message instanceof ControllerMessage.BrokerHeartbeatResponse r) {
                answers.add(r);
            }
        }

        @Override
        public void onTimer(Object tag) {
        }
    }

    @Test
    void aShutdownHeartbeatFromAnOlderBrokerEpochChangesNothing() {
        KafkaCluster c = cluster(4);
        int victim = 1;
        long oldEpoch = c.broker(victim).brokerEpoch();
        c.restart(victim);
        c.runFor(20 * Time.SECOND);
        long newEpoch = c.broker(victim).brokerEpoch();
        assertThat(newEpoch).isGreaterThan(oldEpoch);
        int memberships = isrMemberships(c, victim);
        assertThat(memberships).as("back in sync").isPositive();
        NodeId probeNode = c.sim().addNode("probe", Probe::new);
        c.sim().start(probeNode);
        Probe probe = c.sim().process(probeNode, Probe.class);
        NodeId controller = c.controlPlane().activeController();

        probe.ctx.send(controller, new ControllerMessage.BrokerHeartbeatRequest(victim, oldEpoch, Long.MAX_VALUE, true));
        c.runFor(Time.SECOND);
        assertThat(probe.answers).hasSize(1);
        assertThat(probe.answers.get(0).error()).isEqualTo(Errors.STALE_BROKER_EPOCH);
        assertThat(isrMemberships(c, victim)).isEqualTo(memberships);

        probe.ctx.send(controller, new ControllerMessage.BrokerHeartbeatRequest(victim, newEpoch, Long.MAX_VALUE, true));
        c.runFor(Time.SECOND);
        assertThat(probe.answers).hasSize(2);
        assertThat(probe.answers.get(1).error()).isEqualTo(Errors.NONE);
        assertThat(isrMemberships(c, victim)).as("the current epoch's request takes it out of every ISR").isZero();
        assertThat(ledBy(c, victim)).isZero();
    }
}
