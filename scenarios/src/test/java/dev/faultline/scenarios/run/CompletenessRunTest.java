package dev.faultline.scenarios.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import org.junit.jupiter.api.Test;

/**
 * A run that measured nothing never passes silently: a failover that never completed and a
 * producer that got no acknowledgement are stated in the summary and fail
 * {@code failovers-complete} / {@code produce-acknowledged}, where the same scenario given time
 * (or traffic) passes.
 */
class CompletenessRunTest {
    private static ScenarioResult run(String duration, String faults, String workload) throws Exception {
        String yaml = "name: c\nseed: 2\nduration: " + duration + "\n"
                + "cluster: {mode: kraft, brokers: 3, controllers: 3}\n"
                + "topics:\n  - {name: t, partitions: 6, replication.factor: 3}\n"
                + "workload:\n  - {producer: {topic: t, rate: 120/s, acks: all" + workload + "}}\n"
                + "faults:\n" + faults
                + "expect: [no-violations, failovers-complete, produce-acknowledged]\n";
        return ScenarioRunner.run(ScenarioLoader.parse("c.yaml", yaml));
    }

    @Test
    void aBrokerFailoverCutShortByTheEndOfTheRunFailsFailoversComplete() throws Exception {
        // broker.session.timeout.ms is 9 s: a run that ends 4 s after the crash never sees the broker fenced.
        ScenarioResult cut = run("14s", "  - {at: 10s, crash: {target: leader-of(t-0)}}\n", "");
        assertThat(cut.passed()).as(cut.summary()).isFalse();
        assertThat(cut.summary()).contains("FAILED failovers-complete", "INCOMPLETE: broker failover of", "detect");
        assertThat(cut.incomplete()).hasSize(1);
        ScenarioResult whole = run("40s", "  - {at: 10s, crash: {target: leader-of(t-0)}}\n", "");
        assertThat(whole.passed()).as(whole.summary()).isTrue();
        assertThat(whole.incomplete()).isEmpty();
        assertThat(whole.summary()).doesNotContain("INCOMPLETE");
    }

    @Test
    void failoversCompleteFailsWhenNoFailoverBegan() throws Exception {
        ScenarioResult r = run("20s", "  - {at: 10s, delay: {from: broker-1, to: broker-2, by: 1ms}}\n", "");
        assertThat(r.passed()).isFalse();
        assertThat(r.summary()).contains("no failover began");
    }

    @Test
    void aProducerThatNeverGotAnAcknowledgementFailsProduceAcknowledged() throws Exception {
        // Every broker crashes at once and stays down: the producer sends, nothing is acknowledged.
        ScenarioResult dead = run("30s", "  - {at: 0s, crash: {target: brokers}}\n", "");
        assertThat(dead.passed()).isFalse();
        assertThat(dead.summary()).contains("FAILED produce-acknowledged");
        assertThat(dead.incomplete()).anyMatch(s -> s.matches("producer-1 sent \\d+ record\\(s\\), none acknowledged"));
        ScenarioResult busy = run("30s", "  - {at: 10s, crash: {target: leader-of(t-0)}}\n", "");
        assertThat(busy.summary()).contains("ok     produce-acknowledged");
        assertThat(busy.incomplete()).noneMatch(s -> s.startsWith("producer"));
    }

    @Test
    void warmStartReachesTheClusterDescription() throws Exception {
        String yaml = "name: w\ncluster: {mode: oracle, brokers: 3, start: cold}\ntopics:\n  - {name: t, partitions: 3, replication.factor: 3}\n";
        Scenario cold = ScenarioLoader.parse("c.yaml", yaml);
        assertThat(ScenarioRunner.clusterSpec(cold).warmStart()).isFalse();
        assertThat(ScenarioRunner.clusterSpec(cold.withSeed(3)).warmStart()).isFalse();
        Scenario s = ScenarioLoader.parse("w.yaml", yaml.replace(", start: cold", ""));
        assertThat(ScenarioRunner.clusterSpec(s).warmStart()).isTrue();
        assertThat(ScenarioRunner.clusterSpec(s.withSeed(3)).warmStart()).isTrue();
    }
}
