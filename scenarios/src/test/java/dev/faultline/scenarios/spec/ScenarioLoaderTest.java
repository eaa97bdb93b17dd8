package dev.faultline.scenarios.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.core.fault.Fault;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import java.util.List;
import org.junit.jupiter.api.Test;

class ScenarioLoaderTest {
    static final String FULL = String.join("\n",
            "name: controller-crash",
            "description: The active controller dies; a new one takes over.",
            "seed: 42",
            "duration: 120s",
            "cluster:",
            "  mode: kraft",
            "  version: \"4.0\"",
            "  brokers: 6",
            "  racks: [a, b, c]",
            "  controllers: 3",
            "  config:",
            "    broker.session.timeout.ms: 9000",
            "    min.insync.replicas: 2",
            "  network: {latency: {lognormal: {median: 0.5ms, p99: 3ms}}, bandwidth: 10Gbps}",
            "  broker-config: {broker-2: {faultline.page.cache.flush.delay.ms: 8000}}",
            "topics:",
            "  - {name: orders, partitions: 64, replication.factor: 3}",
            "workload:",
            "  - {producer: {topic: orders, rate: 2000/s, acks: all, start: 1s, records: 500}}",
            "  - {consumer: {topic: orders}}",
            "faults:",
            "  - {at: 30s, crash: {target: active-controller}}",
            "  - {at: 60s, partition: {groups: [[broker-1, broker-2], rest]}, for: 20s}",
            "  - {at: 90s, pause: {target: leader-of(orders-0)}, for: 25s}",
            "  - {at: 95s, delay: {from: broker-1, to: all, by: 200ms, both-ways: true}, for: 5s}",
            "  - {at: 96s, drop: {from: [broker-2], to: controllers, probability: 0.1, messages: [FetchRequest]}}",
            "  - {at: 97s, partition: {one-way: {from: broker-3, to: raft-leader}}}",
            "  - {at: 98s, partition: {majority-minority: controllers}, for: 1s}",
            "  - {at: 99s, clock: {target: broker-4, offset: -5s, drift-ppm: 200}}",
            "  - {at: 99s, slow: {target: rack(b), factor: 4}, for: 3s}",
            "  - {at: 100s, restart: {target: random-broker}, every: 5s, until: 110s}",
            "  - {at: 110s, heal: {}}",
            "expect:",
            "  - no-violations",
            "  - controller-elected-within: 10s",
            "  - all-partitions-led-within: 30s",
            "bugs: [raft.noPreVote]",
            "");

    @Test
    void readsTheDesignExample() throws Exception {
        Scenario s = ScenarioLoader.parse("example.yaml", FULL);
        assertThat(s.name()).isEqualTo("controller-crash");
        assertThat(s.seed()).isEqualTo(42);
        assertThat(s.durationNanos()).isEqualTo(120 * Time.SECOND);
        assertThat(s.cluster().mode()).isEqualTo(Scenario.Mode.KRAFT);
        assertThat(s.cluster().brokers()).isEqualTo(6);
        assertThat(s.cluster().config()).containsEntry("min.insync.replicas", "2");
        assertThat(s.cluster().network().latency()).isEqualTo(new LatencyModel.LogNormal(500_000, 3_000_000));
        assertThat(s.cluster().network().bandwidthBitsPerSecond()).isEqualTo(10_000_000_000L);
        assertThat(s.topics()).containsExactly(new Scenario.Topic("orders", 64, 3, java.util.Map.of()));
        assertThat(s.workload()).hasSize(2);
        assertThat(s.faults()).hasSize(11);
        assertThat(s.faults().get(1).fault()).isEqualTo(new FaultSpec.PartitionFault(Fault.PartitionKind.SPLIT,
                List.of(List.of("broker-1", "broker-2"), List.of("rest"))));
        assertThat(s.faults().get(1).forNanos()).isEqualTo(20 * Time.SECOND);
        assertThat(s.faults().get(7).fault()).isEqualTo(new FaultSpec.ClockFault(List.of("broker-4"), -5 * Time.SECOND, 200));
        assertThat(s.faults().get(9).everyNanos()).isEqualTo(5 * Time.SECOND);
        assertThat(s.expectations()).containsExactly(new Expectation.NoViolations(),
                new Expectation.ControllerElectedWithin(10 * Time.SECOND), new Expectation.AllPartitionsLedWithin(30 * Time.SECOND));
        assertThat(s.bugs()).containsExactly("raft.noPreVote");
        assertThat(s.cluster().version()).isEqualTo(dev.faultline.core.mode.KafkaVersion.V4_0);
    }

    @Test
    void writerOutputReadsBackToAnEqualScenario() throws Exception {
        Scenario s = ScenarioLoader.parse("example.yaml", FULL);
        String yaml = ScenarioWriter.write(s);
        Scenario again = ScenarioLoader.parse("written.yaml", yaml);
        assertThat(again).isEqualTo(s);
        assertThat(ScenarioWriter.write(again)).isEqualTo(yaml);
    }

    private static List<Problem> problems(String yaml) {
        try {
            ScenarioLoader.parse("bad.yaml", yaml);
        } catch (ScenarioException e) {
            return e.problems();
        }
        throw new AssertionError("expected the scenario to be rejected:\n" + yaml);
    }

    private static final String MINIMAL = "name: x\ncluster: {mode: oracle, brokers: 3}\n";

    @Test
    void unknownKeyGetsLocationAndSuggestion() {
        List<Problem> p = problems("name: x\ncluster:\n  mode: oracle\n  brokrs: 3\n");
        assertThat(p).hasSize(1);
        assertThat(p.get(0).line()).isEqualTo(4);
        assertThat(p.get(0).column()).isEqualTo(3);
        assertThat(p.get(0).message()).contains("unknown key 'brokrs'", "did you mean 'brokers'?");
        assertThat(p.get(0).toString()).startsWith("bad.yaml:4:3: ");
    }

    @Test
    void unknownConfigKeyIsATypo() {
        List<Problem> p = problems("name: x\ncluster:\n  mode: kraft\n  config:\n    min.insync.replica: 2\n");
        assertThat(p).singleElement().satisfies(x -> {
            assertThat(x.line()).isEqualTo(5);
            assertThat(x.message()).contains("unknown configuration key 'min.insync.replica'", "did you mean 'min.insync.replicas'?");
        });
    }

    @Test
    void badDurationsWrongTypesAndBadModes() {
        List<Problem> p = problems("name: x\nduration: 30 parsecs\ncluster: {mode: kafka, brokers: three}\n");
        assertThat(p).extracting(Problem::message).anySatisfy(m -> assertThat(m).contains("'duration'", "unknown unit 'parsecs'"))
                .anySatisfy(m -> assertThat(m).contains("unknown mode 'kafka'", "kraft, zookeeper, oracle"))
                .anySatisfy(m -> assertThat(m).contains("'brokers' must be a whole number, not 'three'"));
        assertThat(p).extracting(Problem::line).contains(2, 3);
    }

    @Test
    void unknownNodesAndRolesAreRejectedPerMode() {
        List<Problem> p = problems(MINIMAL + "faults:\n  - {at: 1s, crash: {target: broker-9}}\n  - {at: 2s, crash: {target: zk-leader}}\n"
                + "  - {at: 3s, pause: {target: leader-of(nope-0)}}\n");
        assertThat(p).hasSize(3);
        assertThat(p.get(0).message()).contains("unknown target 'broker-9'", "broker-1, broker-2, broker-3");
        assertThat(p.get(1).message()).contains("unknown target 'zk-leader'", "only in mode zookeeper");
        assertThat(p.get(2).message()).contains("no topic named 'nope'");
        assertThat(p).extracting(Problem::line).containsExactly(4, 5, 6);
    }

    @Test
    void impossibleSettingsAreRejected() {
        List<Problem> p = problems("name: x\ncluster: {mode: oracle, brokers: 2}\ntopics:\n  - {name: t, partitions: 4, replication.factor: 3}\n"
                + "faults:\n  - {at: 90s, crash: broker-1}\nduration: 60s\n");
        assertThat(p).extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).contains("replication.factor 3 is above the number of brokers (2)"))
                .anySatisfy(m -> assertThat(m).contains("after the scenario ends"));
    }

    @Test
    void aFaultNeedsExactlyOneActionAndItsTime() {
        List<Problem> p = problems(MINIMAL + "faults:\n  - {at: 1s, crash: broker-1, restart: broker-2}\n  - {crash: broker-1}\n  - {at: 1s, crsh: broker-1}\n");
        assertThat(p).extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).contains("both 'crash' and 'restart'"))
                .anySatisfy(m -> assertThat(m).contains("needs 'at'"))
                .anySatisfy(m -> assertThat(m).contains("unknown key 'crsh'", "did you mean 'crash'?"));
    }

    @Test
    void syntaxErrorsCarryTheirPosition() {
        List<Problem> p = problems("name: x\ncluster: {mode: oracle\n");
        assertThat(p).singleElement().satisfies(x -> {
            assertThat(x.message()).startsWith("not valid YAML");
            assertThat(x.line()).isGreaterThanOrEqualTo(2);
        });
    }

    @Test
    void unknownPlantedBugAndExpectation() {
        List<Problem> p = problems(MINIMAL + "bugs: [raft.noCheckQuorom]\nexpect: [no-violation]\n");
        assertThat(p).extracting(Problem::message)
                .anySatisfy(m -> assertThat(m).contains("unknown planted bug 'raft.noCheckQuorom'", "did you mean 'raft.noCheckQuorum'?"))
                .anySatisfy(m -> assertThat(m).contains("unknown expectation 'no-violation'", "did you mean 'no-violations'?"));
    }

    @Test
    void emptyFileAndMissingClusterSayWhatIsNeeded() {
        assertThat(problems("")).singleElement().extracting(Problem::message).asString().contains("the file is empty");
        assertThat(problems("name: x\n")).singleElement().extracting(Problem::message).asString().contains("missing 'cluster'");
    }

    @Test
    void missingFileIsAProblemNotAStackTrace() {
        assertThatThrownBy(() -> ScenarioLoader.load(java.nio.file.Path.of("no/such/file.yaml")))
                .isInstanceOf(ScenarioException.class).hasMessage("no/such/file.yaml:1:1: no such file");
    }
}
