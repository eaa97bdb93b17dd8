package dev.faultline.scenarios.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import org.junit.jupiter.api.Test;

/**
 * The runner maps {@code controlled-shutdown} to a clean stop: on the oracle with a 3 s detection
 * delay, partitions stay led through a controlled shutdown, while the same scenario with a hard
 * {@code crash} leaves them led by a dead broker past the bound.
 */
class ControlledShutdownRunTest {
    private static String yaml(String fault) {
        return "name: cs\nseed: 3\nduration: 20s\n"
                + "cluster: {mode: oracle, brokers: 3, config: {faultline.oracle.detection.delay.ms: 3000, min.insync.replicas: 2}}\n"
                + "topics:\n  - {name: orders, partitions: 6, replication.factor: 3}\n"
                + "workload:\n  - {producer: {topic: orders, rate: 300/s, acks: all}}\n"
                + "faults:\n  - {at: 5s, " + fault + ": {target: leader-of(orders-0)}, for: 5s}\n"
                + "expect:\n  - no-violations\n  - no-data-loss\n  - all-partitions-led-within: 1s\n";
    }

    @Test
    void aControlledShutdownKeepsEveryPartitionLedWhereACrashDoesNot() throws Exception {
        Scenario clean = ScenarioLoader.parse("clean.yaml", yaml("controlled-shutdown"));
        ScenarioResult r = ScenarioRunner.run(clean);
        assertThat(r.passed()).as(r.summary()).isTrue();
        Scenario crash = ScenarioLoader.parse("crash.yaml", yaml("crash"));
        ScenarioResult c = ScenarioRunner.run(crash);
        assertThat(c.passed()).as(c.summary()).isFalse();
        assertThat(c.summary()).contains("all-partitions-led-within");
        assertThat(r.recordsAcked()).isPositive();
    }
}
