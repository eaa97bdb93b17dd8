package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.fault.Fault;
import dev.faultline.core.fault.FaultInjector;
import dev.faultline.core.fault.Target;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kafka.ProducerConfig;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Kafka in ZooKeeper mode (4 brokers, 3 ZooKeeper servers, 12 partitions, RF 3, an acks=all
 * producer and a consumer) under random crashes, pauses and isolations of brokers and ZooKeeper
 * servers: every ZK-*, KZ-* and data-plane safety invariant holds; after healing, a controller is active (KZ-L1) and every partition has a
 * leader that applied its leadership (KZ-L2).
 */
class ZkModeFaultPropertiesTest {
    private static final long MS = Time.MILLISECOND;

    record Step(int atMillis, int kind, int target, int durationMillis) {
    }

    @Provide
    Arbitrary<List<Step>> schedules() {
        return Combinators.combine(Arbitraries.integers().between(0, 30_000), Arbitraries.integers().between(0, 2),
                        Arbitraries.integers().between(0, 7), Arbitraries.integers().between(200, 25_000))
                .as(Step::new).list().ofMinSize(1).ofMaxSize(5);
    }

    @Property(tries = 15)
    void zkModeStaysSafeAndRecovers(@ForAll("schedules") List<Step> steps, @ForAll long seed) {
        ClusterSpec spec = ClusterSpec.builder().brokers(4).topic("t", 12, 3).build();
        ZkControlPlane plane = new ZkControlPlane();
        int[] partitions = new int[12];
        String[] names = new String[12];
        for (int p = 0; p < 12; p++) {
            partitions[p] = p;
            names[p] = spec.partitionName(p);
        }
        // A producer (acks=all, every partition in turn) and a consumer of every partition: DP-S1 and
        // DP-S5 judge acknowledged writes, DP-S7 what the consumer is given, through every fault.
        KafkaCluster kafka = KafkaCluster.builder(spec).seed(seed).controlPlane(plane)
                .producer("producer-1", ProducerConfig.roundRobin(partitions, 200, Long.MAX_VALUE, "all"))
                .consumer("consumer-1", names)
                .build().start();
        List<NodeId> targets = new ArrayList<>();
        for (int b = 1; b <= 4; b++) {
            targets.add(kafka.brokerNode(b));
        }
        targets.addAll(plane.ensemble().servers());
        FaultInjector faults = new FaultInjector(kafka.sim());
        for (Step s : steps) {
            Target t = s.target() >= targets.size() ? Target.of("active-controller", sim -> {
                NodeId c = kafka.controlPlane().activeController();
                return c == null ? List.of() : List.of(c);
            }) : Target.node(targets.get(s.target()).name());
            long d = s.durationMillis() * MS;
            Fault f = switch (s.kind()) {
                case 0 -> new Fault.Crash(t, d);
                case 1 -> new Fault.Pause(t, d);
                default -> new Fault.Partition(Fault.PartitionKind.ISOLATE, List.of(t), d);
            };
            faults.scheduleAt(20 * Time.SECOND + s.atMillis() * MS, f);
        }
        kafka.runFor(80 * Time.SECOND);
        String replay = "seed=" + seed + " steps=" + steps + " faults=" + faults.history();
        assertThat(kafka.sim().violation()).as(() -> kafka.sim().violation().report() + "\n" + replay).isNull();
        faults.apply(new Fault.Heal());
        for (NodeId id : targets) {
            kafka.sim().resume(id);
            if (!kafka.sim().isUp(id)) {
                kafka.sim().start(id);
            }
        }
        // Settle: sessions of restarted brokers, the controller's broker change, FLE back-off.
        kafka.runFor(120 * Time.SECOND);
        assertThat(kafka.sim().violation()).as(() -> kafka.sim().violation().report() + "\n" + replay).isNull();
        assertThat(kafka.controlPlane().activeController()).as("KZ-L1: an active controller; %s", replay).isNotNull();
        for (int p = 0; p < 12; p++) {
            PartitionState s = kafka.controlPlane().partitionStates().state(p);
            assertThat(s.hasLeader()).as("KZ-L2: P%d has a leader: %s; %s", p, s, replay).isTrue();
            assertThat(kafka.broker(s.leader()).isLeader(p)).as("KZ-L2: P%d leader %d applied; %s", p, s.leader(), replay).isTrue();
        }
    }
}
