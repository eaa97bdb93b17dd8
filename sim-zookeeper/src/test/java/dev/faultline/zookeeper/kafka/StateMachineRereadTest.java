package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.TraceEvent;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The order of a new ZooKeeper-mode controller's ZooKeeper calls when the old controller's broker
 * crashed, as Kafka 3.9's {@code onControllerFailover} makes them: every partition state is read
 * (the context load); then the replica state machine's OfflineReplica transition for the dead
 * broker reads every partition state of that broker again and only then writes its ISR removals
 * ({@code ZkReplicaStateMachine.doRemoveReplicasFromIsr}); then the partition state machine reads
 * the leaderless partitions again and only then writes their elections
 * ({@code ZkPartitionStateMachine.doElectLeaderForPartitions}). Each batch's reads complete before
 * its first write. A controller that writes from its cache without these reads fails here.
 */
class StateMachineRereadTest {
    /** A state znode read or write in a request the controller sends to ZooKeeper. */
    private static final Pattern STATE_OP = Pattern.compile("(GetData|SetData)\\[path=/brokers/topics/t/partitions/(\\d+)/state");

    private record Call(boolean write, int partition, long time) {
    }

    @Test
    void offlineReplicaAndElectionBatchesReadTheirStatesBeforeWriting() {
        int partitions = 60;
        ClusterSpec spec = ClusterSpec.builder().brokers(6).topic("t", partitions, 3).build();
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(7).controlPlane(new ZkControlPlane()).build();
        ZkControlPlane plane = (ZkControlPlane) kafka.controlPlane();
        long[] crashAt = {Long.MAX_VALUE};
        List<TraceEvent.Delivered> requests = new ArrayList<>();
        kafka.sim().tracer().addSink(e -> {
            if (e instanceof TraceEvent.Delivered d && d.time() > crashAt[0] && d.from().startsWith("broker-")
                    && d.to().startsWith("zk-") && d.message().contains("body=Request[")) {
                requests.add(d);
            }
        });
        kafka.start();
        kafka.runFor(30 * Time.SECOND);
        int dead = ClusterSpec.brokerIdOf(kafka.controlPlane().activeController().name());
        crashAt[0] = kafka.sim().now();
        kafka.crash(dead);
        kafka.runFor(60 * Time.SECOND);
        kafka.assertNoViolation();
        FailoverMeasurement m = kafka.failover().measurements().stream()
                .filter(f -> f.kind() == FailoverMeasurement.Kind.CONTROLLER).findFirst().orElseThrow();
        assertThat(m.readyNanos()).isPositive();
        long readyAt = m.faultAtNanos() + m.readyNanos();
        String controller = kafka.controlPlane().activeController().name();

        List<Call> calls = new ArrayList<>();
        for (TraceEvent.Delivered d : requests) {
            if (d.from().equals(controller) && d.time() <= readyAt) {
                Matcher op = STATE_OP.matcher(d.message());
                if (op.find()) {
                    calls.add(new Call(op.group(1).equals("SetData"), Integer.parseInt(op.group(2)), d.time()));
                }
            }
        }
        TreeSet<Integer> hostedByDead = new TreeSet<>();
        TreeSet<Integer> ledByDead = new TreeSet<>();
        for (int p = 0; p < partitions; p++) {
            if (spec.isReplica(p, dead)) {
                hostedByDead.add(p);
            }
            if (spec.replica(p, 0) == dead) {
                ledByDead.add(p); // warm or cold, the preferred replica leads until the crash (no other fault)
            }
        }
        assertThat(hostedByDead).hasSize(partitions * 3 / 6);
        assertThat(ledByDead).isNotEmpty();

        // The context load reads every partition state once; the OfflineReplica reads follow it
        // at once (no write between them), so the first run of reads holds both.
        List<List<Call>> phases = phases(calls);
        assertThat(phases).as("reads, OfflineReplica writes, election reads, election writes: %s", phases).hasSize(4);
        List<Call> reads = phases.get(0);
        assertThat(reads).hasSize(partitions + hostedByDead.size());
        assertThat(partitionsOf(reads.subList(0, partitions))).containsExactlyElementsOf(range(partitions));
        // OfflineReplica for the dead broker: every replica it holds is read again, then its ISR removals are written.
        assertThat(partitionsOf(reads.subList(partitions, reads.size()))).containsExactlyElementsOf(hostedByDead);
        assertThat(partitionsOf(phases.get(1))).containsExactlyElementsOf(hostedByDead);
        // The partition state machine's startup: the partitions the dead broker led (now leaderless) are read again, then elected.
        assertThat(partitionsOf(phases.get(2))).containsExactlyElementsOf(ledByDead);
        assertThat(partitionsOf(phases.get(3))).containsExactlyElementsOf(ledByDead);
    }

    /** Splits the calls into maximal runs of reads and of writes, in order. */
    private static List<List<Call>> phases(List<Call> calls) {
        List<List<Call>> phases = new ArrayList<>();
        for (Call c : calls) {
            if (phases.isEmpty() || phases.get(phases.size() - 1).get(0).write() != c.write()) {
                phases.add(new ArrayList<>());
            }
            phases.get(phases.size() - 1).add(c);
        }
        return phases;
    }

    private static TreeSet<Integer> partitionsOf(List<Call> phase) {
        TreeSet<Integer> out = new TreeSet<>();
        for (Call c : phase) {
            out.add(c.partition());
        }
        assertThat(out).as("each partition once per phase").hasSize(phase.size());
        return out;
    }

    private static List<Integer> range(int n) {
        List<Integer> out = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            out.add(i);
        }
        return out;
    }
}
