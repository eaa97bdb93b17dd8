package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.mode.KafkaVersion;
import dev.faultline.core.mode.MetadataMode;
import dev.faultline.core.trace.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The KRaft mode's version profiles, built through the mode SPI as a scenario builds them: Kafka 3.9
 * has no pre-vote and fences a silent broker at its exact session deadline; Kafka 4.0 goes through
 * Prospective (KIP-996) and fences from a periodic task every {@code broker.session.timeout.ms / 8}
 * (KAFKA-17793).
 */
class VersionProfileTest {
    private static final long S = Time.SECOND;
    private static final long MS = Time.MILLISECOND;

    /** A warm 6-broker cluster with 3 dedicated voters, its control plane made by {@link KRaftMode} for {@code version}. */
    private static KafkaCluster cluster(KafkaVersion version, long seed, List<String> transitions) {
        ClusterSpec spec = ClusterSpec.builder().brokers(6).config("min.insync.replicas", 2).topic("orders", 30, 3).warmStart(true).build();
        MetadataMode.Run run = new KRaftMode().build(new MetadataMode.Layout(3, false), version, Map.of(), List.of());
        KafkaCluster c = KafkaCluster.builder(spec).seed(seed).controlPlane(run.controlPlane()).build();
        c.sim().tracer().addSink(e -> {
            if (e instanceof TraceEvent.Note n && n.category().equals("raft") && n.detail().contains(" -> ")) {
                transitions.add(Time.format(n.time()) + " " + n.node() + " " + n.detail());
            }
        });
        return c.start();
    }

    /** The Raft state transitions of the voters after the active controller crashes at 10 s. */
    private static List<String> controllerCrash(KafkaVersion version, long seed) {
        List<String> transitions = new ArrayList<>();
        KafkaCluster c = cluster(version, seed, transitions);
        c.runFor(10 * S);
        NodeId active = ((KRaftControlPlane) c.controlPlane()).activeController();
        transitions.clear();
        c.sim().crash(active);
        c.runFor(10 * S);
        c.assertNoViolation();
        assertThat(((KRaftControlPlane) c.controlPlane()).activeController()).as("a new controller").isNotNull().isNotEqualTo(active);
        return transitions;
    }

    @Test
    void kafka39ControllerCrashGoesStraightToCandidateWithoutPreVote() {
        for (long seed = 1; seed <= 3; seed++) {
            List<String> t = controllerCrash(KafkaVersion.V3_9, seed);
            assertThat(t).as("seed %d", seed).anyMatch(s -> s.contains("-> Candidate"));
            assertThat(t).as("seed %d: 3.9 has no Prospective state", seed).noneMatch(s -> s.contains("Prospective"));
        }
    }

    @Test
    void kafka40ControllerCrashGoesThroughProspectiveFirst() {
        for (long seed = 1; seed <= 3; seed++) {
            List<String> t = controllerCrash(KafkaVersion.V4_0, seed);
            assertThat(t).as("seed %d", seed).isNotEmpty();
            assertThat(t.get(0)).as("seed %d: the first voter to time out pre-votes (%s)", seed, t).contains("-> Prospective");
            assertThat(t).as("seed %d", seed).anyMatch(s -> s.contains("Prospective") && s.contains("-> Candidate"));
        }
    }

    /**
     * Broker-2 crashes 1 ms into a warm run, before its first heartbeat of the run: how long after
     * the deadline (the heartbeat one interval before that one, plus the session timeout) it is fenced.
     */
    private static long fenceLateness(KafkaVersion version, long seed) {
        KafkaCluster c = cluster(version, seed, new ArrayList<>());
        long[] first = ((KRaftControlPlane) c.controlPlane()).warm().firstHeartbeatNanos;
        c.runFor(MS);
        assertThat(first[2]).isGreaterThan(MS);
        c.crash(2);
        c.runFor(20 * S);
        c.assertNoViolation();
        FailoverMeasurement f = c.result(c.runFor(MS)).control().failovers().get(0);
        long deadline = first[2] - 2 * S + 9 * S - MS;
        return f.detectNanos() - deadline;
    }

    @Test
    void kafka39FencesAtTheDeadlineAndKafka40UpToOnePeriodOfItsCheckLater() {
        long period = 9 * S / 8;
        long latest40 = 0;
        for (long seed = 14; seed <= 21; seed++) {
            long late39 = fenceLateness(KafkaVersion.V3_9, seed);
            long late40 = fenceLateness(KafkaVersion.V4_0, seed);
            // Detection ends when the fence commits: a few ms of linger, fsync and replication after the decision.
            assertThat(late39).as("seed %d, 3.9", seed).isBetween(0L, 100 * MS);
            assertThat(late40).as("seed %d, 4.0", seed).isBetween(0L, period + 100 * MS);
            latest40 = Math.max(latest40, late40);
        }
        assertThat(latest40).as("4.0's check runs at its own phase, often well after the deadline").isGreaterThan(300 * MS);
    }
}
