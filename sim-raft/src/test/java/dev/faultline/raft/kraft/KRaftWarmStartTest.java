package dev.faultline.raft.kraft;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaBroker;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.MetadataLogFile;
import dev.faultline.raft.quorum.QuorumConfig;
import dev.faultline.raft.quorum.RaftNode;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * KRaft warm start ({@link ClusterSpec#warmStart()}), the control-plane side: the committed prefix is
 * one snapshot on every disk, controller-1 leads epoch 1 from the start and claims at once, brokers
 * are registered, unfenced and caught up, nothing is replayed and no start-up election is held; the
 * cluster then behaves like any other (broker crash, controller failover, restart from the snapshot).
 */
class KRaftWarmStartTest {
    private static final long S = Time.SECOND;
    private static final long MS = Time.MILLISECOND;

    private static ClusterSpec spec(int partitions, boolean warm) {
        return ClusterSpec.builder().brokers(6).config("min.insync.replicas", 2).topic("orders", partitions, 3)
                .topic("later", 3, 3).createdAtRuntime("later").warmStart(warm).build();
    }

    private static KafkaCluster warm(int partitions, long seed) {
        return KafkaCluster.builder(spec(partitions, true)).seed(seed).controlPlane(new KRaftControlPlane()).build().start();
    }

    private static KRaftControlPlane plane(KafkaCluster c) {
        return (KRaftControlPlane) c.controlPlane();
    }

    @Test
    void theQuorumLeaderAndTheBrokersAreEstablishedFromTheFirstInstant() {
        KafkaCluster c = warm(600, 1);
        c.runFor(MS);
        NodeId controller1 = c.sim().node("controller-1");
        assertThat(plane(c).activeController()).as("controller-1 claimed at once").isEqualTo(controller1);
        RaftNode leader = plane(c).process(controller1.index());
        assertThat(leader.state()).isInstanceOf(LeaderState.class);
        assertThat(leader.epoch()).isEqualTo(1);
        long end = plane(c).warm().snapshot.endOffset();
        assertThat(end).as("1 LeaderChange + 6 registrations + 6 unfencings + 1 topic + 600 partitions").isEqualTo(614);
        for (int b = 1; b <= 6; b++) {
            assertThat(c.broker(b).brokerEpoch()).as("broker-%d registered with its epoch", b).isEqualTo(plane(c).committedBrokerEpoch(b));
            assertThat(plane(c).brokerAgent(b).loadedOffset()).isEqualTo(end);
        }
        c.runFor(10 * S);
        c.assertNoViolation();
        assertThat(leader.epoch()).as("no election").isEqualTo(1);
        assertThat(c.controlHistory().leaderElections()).as("no partition election").isZero();
        for (int b = 1; b <= 6; b++) {
            KRaftBrokerAgent agent = plane(c).brokerAgent(b);
            assertThat(agent.snapshotsLoaded()).as("broker-%d replayed nothing", b).isZero();
            assertThat(agent.loadedOffset()).isGreaterThan(end);
            assertThat(c.sim().storage(c.brokerNode(b)).find(RaftNode.LOG_FILE, MetadataLogFile.class).startOffset()).isEqualTo(end);
        }
        for (int v = 1; v <= 3; v++) {
            assertThat(plane(c).controllerAt(c.sim().node("controller-" + v)).snapshotsLoaded()).isZero();
        }
        for (int p = 0; p < 600; p += 97) {
            c.assertLeader("orders-" + p, c.spec().replica(p, 0));
        }
    }

    @Test
    void startUpWorkDoesNotGrowWithThePartitionCount() {
        long small = eventsInFirstSeconds(300);
        long large = eventsInFirstSeconds(30_000);
        assertThat(large).as("events in the first 5 s with 30,000 partitions vs %d with 300", small).isLessThan(small + small / 10);
    }

    private static long eventsInFirstSeconds(int partitions) {
        KafkaCluster c = warm(partitions, 2);
        RunResult r = c.runFor(5 * S);
        c.assertNoViolation();
        return r.events();
    }

    @Test
    void aBrokerCrashIsDetectedAfterTheSessionTimeoutAndItsRestartLoadsTheSnapshot() {
        KafkaCluster c = warm(600, 3);
        c.runFor(3 * S);
        c.crash(2);
        c.runFor(15 * S);
        c.assertNoViolation();
        for (int p = 0; p < 600; p++) {
            assertThat(c.state("orders-" + p).leader()).isNotEqualTo(2);
        }
        c.restart(2);
        c.runFor(10 * S);
        c.assertNoViolation();
        assertThat(plane(c).brokerAgent(2).snapshotsLoaded()).as("the restarted broker loads its snapshot").isEqualTo(1);
        assertThat(plane(c).committedBrokerEpoch(2)).as("and registers again").isGreaterThan(plane(c).warm().snapshot.endOffset());
    }

    /**
     * Combined mode: a restarted voter-broker's controller and broker agent both load the snapshot
     * its log starts after (one Raft listener each, behind one node). The controller used to miss it
     * and claim later with an image that had no broker registered, so it never fenced a broker that
     * crashed (KM-L1 in scenarios/library/scale/shape-combined.yaml started warm).
     */
    @Test
    void aRestartedCombinedVoterLoadsTheSnapshotInItsControllerAndItsBrokerAndFencesACrashedBroker() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", 2).topic("orders", 60, 3).warmStart(true).build();
        KafkaCluster c = KafkaCluster.builder(spec).seed(6).controlPlane(KRaftControlPlane.combined(3, QuorumConfig.defaults())).build().start();
        c.runFor(3 * S);
        NodeId first = c.brokerNode(1);
        assertThat(plane(c).activeController()).as("broker-1 leads the warm quorum").isEqualTo(first);
        c.crash(1);
        c.runFor(10 * S);
        c.restart(1);
        c.runFor(10 * S);
        c.assertNoViolation();
        assertThat(plane(c).brokerAgent(1).snapshotsLoaded()).as("the restarted broker agent loads the snapshot").isEqualTo(1);
        assertThat(plane(c).controllerAt(first).snapshotsLoaded()).as("and so does its controller").isEqualTo(1);
        // The active controller (not broker-1) crashes; broker-1 may claim: it must fence that broker.
        NodeId active = plane(c).activeController();
        assertThat(active).isNotEqualTo(first);
        c.crash(active.equals(c.brokerNode(2)) ? 2 : 3);
        c.runFor(30 * S);
        c.assertNoViolation();
    }

    @Test
    void aControllerFailoverElectsANewLeaderWithoutFencingAnyBroker() {
        KafkaCluster c = warm(600, 4);
        c.runFor(5 * S);
        c.sim().crash(c.sim().node("controller-1"));
        c.runFor(15 * S);
        c.assertNoViolation();
        NodeId active = plane(c).activeController();
        assertThat(active).isNotNull().isNotEqualTo(c.sim().node("controller-1"));
        assertThat(plane(c).controllerAt(active).claimEpoch()).isGreaterThan(1);
        List<FailoverMeasurement> failovers = c.result(c.runFor(S)).control().failovers();
        assertThat(failovers).hasSize(1);
        assertThat(failovers.get(0).complete()).isTrue();
        assertThat(c.controlHistory().leaderElections()).as("no broker fenced: no partition moved").isZero();
    }

    private static KafkaCluster cluster(int partitions, long seed, boolean warm) {
        return KafkaCluster.builder(spec(partitions, warm)).seed(seed).controlPlane(new KRaftControlPlane()).build().start();
    }

    /** Everything a settled cluster agrees on, minus what depends on history (offsets, broker epochs, which voter leads). */
    private static String steadyState(KafkaCluster c) {
        StringBuilder out = new StringBuilder();
        KRaftControlPlane plane = plane(c);
        NodeId active = plane.activeController();
        out.append("active controller: ").append(active != null).append('\n');
        long committedEnd = plane.process(active.index()).highWatermark();
        for (int b = 1; b <= 6; b++) {
            KRaftBrokerAgent agent = plane.brokerAgent(b);
            out.append("broker-").append(b).append(" active ").append(plane.committedBrokerActive(b)).append(" epoch known ")
                    .append(c.broker(b).brokerEpoch() == plane.committedBrokerEpoch(b)).append(" caught up ")
                    .append(agent.loaderBacklog() == 0 && agent.loadedOffset() >= committedEnd - 1).append('\n');
        }
        for (int p = 0; p < c.spec().partitionCount(); p++) {
            String name = c.spec().partitionName(p);
            out.append(name).append(' ').append(c.state(name)).append(" |");
            for (int b = 1; b <= 6; b++) {
                KafkaBroker broker = c.broker(b);
                out.append(' ').append(broker.metadataLeader(p));
                if (broker.hosts(p)) {
                    out.append(broker.isLeader(p) ? "L" : broker.isFollower(p) ? "F" : "-").append(broker.leaderEpoch(p))
                            .append(java.util.Arrays.toString(broker.isr(p)));
                }
            }
            out.append('\n');
        }
        return out.toString();
    }

    @Test
    void aWarmStartIsTheSteadyStateAColdStartSettlesInto() {
        KafkaCluster cold = cluster(300, 7, false);
        cold.runFor(30 * S);
        cold.assertNoViolation();
        KafkaCluster warm = cluster(300, 7, true);
        warm.runFor(30 * S);
        warm.assertNoViolation();
        String settled = steadyState(cold);
        assertThat(settled).as("the cold run settled").doesNotContain("active false").doesNotContain("caught up false")
                .contains("orders-299 ");
        assertThat(steadyState(warm)).isEqualTo(settled);
        KafkaCluster justStarted = cluster(300, 7, true);
        justStarted.runFor(MS);
        assertThat(steadyState(justStarted)).as("and it is there from the first millisecond").isEqualTo(settled);
    }

    /** Broker-2 crashes {@code after} a warm start, or 30 s after a cold start (a settled cluster). */
    private static KafkaCluster brokerCrash(boolean warm, long after, long seed) {
        KafkaCluster c = cluster(300, seed, warm);
        c.runFor(warm ? after : 30 * S);
        c.crash(2);
        c.runFor(20 * S);
        c.assertNoViolation();
        return c;
    }

    @ParameterizedTest
    @ValueSource(longs = {11, 12, 13})
    void aBrokerCrashRightAfterAWarmStartFailsOverAsInASettledCluster(long seed) {
        KafkaCluster settled = brokerCrash(false, 0, seed);
        KafkaCluster warm = brokerCrash(true, MS, seed);
        FailoverMeasurement expected = settled.result(settled.runFor(MS)).control().failovers().get(0);
        FailoverMeasurement actual = warm.result(warm.runFor(MS)).control().failovers().get(0);
        long session = 9 * S;
        long interval = 2 * S;
        for (FailoverMeasurement f : List.of(expected, actual)) {
            assertThat(f.complete()).as("%s", f).isTrue();
            // Fenced a session timeout after its last heartbeat, which left up to one interval before the crash.
            assertThat(f.detectNanos()).as("%s", f).isBetween(session - interval, session + S);
        }
        assertThat(actual.affectedPartitions()).isEqualTo(expected.affectedPartitions()).isPositive();
        assertThat(actual.electedPartitions()).isEqualTo(expected.electedPartitions());
        for (int p = 0; p < 300; p++) {
            PartitionState w = warm.state("orders-" + p);
            PartitionState s = settled.state("orders-" + p);
            assertThat(w.leader()).as("orders-%d", p).isEqualTo(s.leader());
            assertThat(w.isr().toString()).as("orders-%d", p).isEqualTo(s.isr().toString());
        }
    }

    @Test
    void theBrokersHeartbeatPhasesAreDrawnNotAligned() {
        KafkaCluster c = warm(60, 14);
        long[] first = plane(c).warm().firstHeartbeatNanos;
        java.util.Set<Long> distinct = new java.util.TreeSet<>();
        for (int b = 1; b <= 6; b++) {
            assertThat(first[b]).isBetween(1L, 2 * S);
            distinct.add(first[b]);
        }
        assertThat(distinct).as("six brokers, six phases").hasSize(6);
        // Broker-2 crashes before its first heartbeat of the run: the established controller fences it a
        // session timeout after the heartbeat it sent one interval before that one (not 9 s after the start).
        c.runFor(MS);
        assertThat(first[2]).isGreaterThan(MS);
        c.crash(2);
        c.runFor(20 * S);
        c.assertNoViolation();
        FailoverMeasurement f = c.result(c.runFor(MS)).control().failovers().get(0);
        long expected = first[2] - 2 * S + 9 * S - MS;
        assertThat(f.detectNanos()).as("%s, first heartbeat at %s", f, Time.format(first[2])).isBetween(expected, expected + 100 * MS);
    }

    @Test
    void aControllerCrashRightAfterAWarmStartIsAnOrdinaryFailover() {
        KafkaCluster c = warm(600, 15);
        c.runFor(MS);
        c.sim().crash(c.sim().node("controller-1"));
        c.runFor(15 * S);
        c.assertNoViolation();
        NodeId active = plane(c).activeController();
        assertThat(active).isNotNull().isNotEqualTo(c.sim().node("controller-1"));
        FailoverMeasurement f = c.result(c.runFor(S)).control().failovers().get(0);
        assertThat(f.complete()).as("%s", f).isTrue();
        assertThat(f.readyNanos()).as("%s", f).isLessThan(5 * S);
        assertThat(c.controlHistory().leaderElections()).as("no broker fenced: the new controller gives every broker a fresh session")
                .isZero();
        for (int b = 1; b <= 6; b++) {
            assertThat(plane(c).committedBrokerActive(b)).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void warmAndColdRunsAreDeterministicAndTheTopicCreatedAtRuntimeStillComes(boolean warmStart) {
        long[] fingerprints = new long[2];
        for (int i = 0; i < 2; i++) {
            KafkaCluster c = KafkaCluster.builder(spec(200, warmStart)).seed(5).controlPlane(new KRaftControlPlane())
                    .producer("producer-1", ProducerConfig.of(new int[] {0, 1, 2}, 50, Long.MAX_VALUE, "all")).build().start();
            c.runFor(15 * S);
            c.createTopic("later");
            RunResult r = c.runFor(10 * S);
            c.assertNoViolation();
            c.assertLeader("later-0", c.state("later-0").leader());
            assertThat(c.history().ackedAllCount(0) + c.history().ackedAllCount(1) + c.history().ackedAllCount(2))
                    .as("acks=all writes acknowledged").isPositive();
            fingerprints[i] = r.fingerprint();
        }
        assertThat(fingerprints[1]).isEqualTo(fingerprints[0]);
    }

    @Test
    void combinedModeStartsWarmToo() {
        ClusterSpec spec = spec(300, true);
        KafkaCluster c = KafkaCluster.builder(spec).seed(6).controlPlane(KRaftControlPlane.combined(3, QuorumConfig.defaults())).build().start();
        c.runFor(10 * S);
        c.assertNoViolation();
        assertThat(plane(c).activeController()).isEqualTo(c.brokerNode(1));
        assertThat(plane(c).process(c.brokerNode(1).index()).epoch()).isEqualTo(1);
        assertThat(c.controlHistory().leaderElections()).isZero();
        c.crash(1); // the active controller and a broker at once
        c.runFor(20 * S);
        c.assertNoViolation();
        assertThat(plane(c).activeController()).isNotNull().isNotEqualTo(c.brokerNode(1));
    }
}
