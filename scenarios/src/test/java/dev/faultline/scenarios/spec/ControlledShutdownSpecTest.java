package dev.faultline.scenarios.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Time;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The {@code controlled-shutdown} fault: parsed with its {@code for}, validated with positions, written back. */
class ControlledShutdownSpecTest {
    private static final String HEAD = "name: x\nduration: 60s\ncluster: {mode: zookeeper, brokers: 3}\n"
            + "topics:\n  - {name: orders, partitions: 2, replication.factor: 3}\n";

    private static List<Problem> problems(String yaml) {
        try {
            ScenarioLoader.parse("bad.yaml", yaml);
        } catch (ScenarioException e) {
            return e.problems();
        }
        throw new AssertionError("expected the scenario to be rejected:\n" + yaml);
    }

    @Test
    void readsAndWritesBackAControlledShutdownWithItsDownTime() throws Exception {
        Scenario s = ScenarioLoader.parse("ok.yaml", HEAD + "faults:\n"
                + "  - {at: 10s, controlled-shutdown: {target: leader-of(orders-0)}, for: 5s}\n"
                + "  - {at: 20s, controlled-shutdown: {target: active-controller}}\n"
                + "  - {at: 30s, controlled-shutdown: [broker-1, broker-2]}\n");
        assertThat(s.faults()).hasSize(3);
        Scenario.FaultEntry first = s.faults().get(0);
        assertThat(first.fault()).isEqualTo(new FaultSpec.NodeFault(FaultSpec.NodeAction.CONTROLLED_SHUTDOWN, List.of("leader-of(orders-0)")));
        assertThat(first.forNanos()).isEqualTo(5 * Time.SECOND);
        assertThat(s.faults().get(2).fault()).isEqualTo(
                new FaultSpec.NodeFault(FaultSpec.NodeAction.CONTROLLED_SHUTDOWN, List.of("broker-1", "broker-2")));
        String yaml = ScenarioWriter.write(s);
        assertThat(yaml).contains("controlled-shutdown:\n      target: leader-of(orders-0)");
        Scenario again = ScenarioLoader.parse("written.yaml", yaml);
        assertThat(again).isEqualTo(s);
        assertThat(ScenarioWriter.write(again)).isEqualTo(yaml);
    }

    @Test
    void aTypoGetsASuggestion() {
        List<Problem> p = problems(HEAD + "faults:\n  - {at: 10s, controled-shutdown: {target: broker-1}}\n");
        assertThat(p.get(0).toString()).startsWith("bad.yaml:7:15: ")
                .contains("unknown key 'controled-shutdown'", "did you mean 'controlled-shutdown'?");
    }

    @Test
    void onlyBrokersShutDownCleanly() {
        List<Problem> p = problems(HEAD + "faults:\n  - {at: 10s, controlled-shutdown: {target: zk-1}}\n"
                + "  - {at: 20s, controlled-shutdown: {target: broker-7}}\n");
        assertThat(p).hasSize(2);
        assertThat(p.get(0).message()).contains("'controlled-shutdown' stops brokers cleanly", "'zk-1' is not a broker");
        assertThat(p.get(0).line()).isEqualTo(7);
        assertThat(p.get(1).message()).contains("unknown target 'broker-7'");
        assertThat(p.get(1).line()).isEqualTo(8);
        List<Problem> kraft = problems("name: x\ncluster: {mode: kraft, brokers: 3, controllers: 3}\n"
                + "faults:\n  - {at: 1s, controlled-shutdown: {target: active-controller}}\n");
        assertThat(kraft).singleElement().satisfies(x -> assertThat(x.message()).contains("'active-controller' is not a broker"));
    }
}
