package dev.faultline.scenarios.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.TopicCreation;
import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import org.junit.jupiter.api.Test;

/** A topic with {@code create-at} is created during the run in every mode, measured, and judged by {@code topic-created-within}. */
class TopicCreationRunTest {

    private static Scenario scenario(String mode, String within, String faults) throws Exception {
        return ScenarioLoader.parse("t.yaml", "name: t\nduration: 30s\ncluster: {mode: " + mode + ", brokers: 3}\n"
                + "topics:\n  - {name: orders, partitions: 2, replication.factor: 3}\n"
                + "  - {name: events, partitions: 3, replication.factor: 3, create-at: 8s}\n"
                + "workload:\n  - {producer: {topic: events, rate: 50/s, acks: all, start: 20s}}\n"
                + faults
                + "expect:\n  - no-violations\n  - topic-created-within: {topic: events, within: " + within + "}\n");
    }

    @Test
    void theTopicIsCreatedInEveryModeAndItsProducerIsAcknowledged() throws Exception {
        for (String mode : new String[] {"oracle", "zookeeper", "kraft"}) {
            ScenarioResult r = ScenarioRunner.run(scenario(mode, "2s", ""));
            assertThat(r.passed()).as(r.summary()).isTrue();
            assertThat(r.topicCreations()).singleElement().satisfies(t -> {
                assertThat(t.topic()).isEqualTo("events");
                assertThat(t.requestedAtNanos()).isEqualTo(8 * Time.SECOND);
                assertThat(t.ready()).isTrue();
            });
            assertThat(r.recordsAcked()).as(mode).isPositive();
            assertThat(r.summary()).contains("topic creation: topic events requested at 8s");
        }
    }

    @Test
    void aBoundShorterThanTheControllerFailoverFailsTheExpectation() throws Exception {
        ScenarioResult r = ScenarioRunner.run(scenario("zookeeper", "5s",
                "faults:\n  - {at: 7s, crash: {target: active-controller}, for: 20s}\n"));
        assertThat(r.passed()).as(r.summary()).isFalse();
        TopicCreation t = r.topicCreations().get(0);
        assertThat(t.readyNanos()).isGreaterThan(5 * Time.SECOND);
        assertThat(r.expectations()).filteredOn(v -> !v.held()).singleElement()
                .satisfies(v -> assertThat(v.expectation()).startsWith("topic-created-within: events within 5s"));
    }
}
