package dev.faultline.scenarios.spec;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Time;
import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code create-at} on a topic and the {@code topic-created-within} expectation: parsed, validated with positions, written back. */
class TopicCreationSpecTest {
    private static final String HEAD = "name: x\nduration: 30s\ncluster: {mode: zookeeper, brokers: 3}\n";

    private static List<Problem> problems(String yaml) {
        try {
            ScenarioLoader.parse("bad.yaml", yaml);
        } catch (ScenarioException e) {
            return e.problems();
        }
        throw new AssertionError("expected the scenario to be rejected:\n" + yaml);
    }

    @Test
    void aTopicWithCreateAtIsCreatedAtRuntimeAndTheExpectationNamesIt() throws Exception {
        Scenario s = ScenarioLoader.parse("ok.yaml", HEAD
                + "topics:\n  - {name: orders, partitions: 2, replication.factor: 3}\n"
                + "  - {name: events, partitions: 4, replication.factor: 2, create-at: 11s}\n"
                + "expect:\n  - topic-created-within: {topic: events, within: 25s}\n");
        assertThat(s.topics().get(0).createdAtRuntime()).isFalse();
        assertThat(s.topics().get(1).createAtNanos()).isEqualTo(11 * Time.SECOND);
        assertThat(s.expectations()).containsExactly(new Expectation.TopicCreatedWithin("events", 25 * Time.SECOND));
        String yaml = ScenarioWriter.write(s);
        assertThat(yaml).contains("create-at: 11s", "topic-created-within:\n      topic: events\n      within: 25s");
        Scenario again = ScenarioLoader.parse("written.yaml", yaml);
        assertThat(again).isEqualTo(s);
        assertThat(ScenarioWriter.write(again)).isEqualTo(yaml);
    }

    @Test
    void createAtMustFallInsideTheRun() {
        List<Problem> p = problems(HEAD + "topics:\n  - {name: events, partitions: 1, replication.factor: 1, create-at: 45s}\n");
        assertThat(p).singleElement().satisfies(x -> {
            assertThat(x.line()).isEqualTo(5);
            assertThat(x.column()).isEqualTo(69); // the value 45s
            assertThat(x.message()).contains("create-at 45s is not before the end of the run");
        });
        assertThat(problems(HEAD + "topics:\n  - {name: events, create-at: soon}\n")).singleElement()
                .extracting(Problem::message).asString().contains("'create-at'");
    }

    @Test
    void theExpectationNeedsAKnownTopicCreatedDuringTheRunAndBothKeys() {
        String topics = "topics:\n  - {name: orders, partitions: 1, replication.factor: 1}\n"
                + "  - {name: events, partitions: 1, replication.factor: 1, create-at: 5s}\n";
        List<Problem> unknown = problems(HEAD + topics + "expect:\n  - topic-created-within: {topic: event, within: 5s}\n");
        assertThat(unknown).singleElement().satisfies(x -> {
            assertThat(x.toString()).startsWith("bad.yaml:8:35: ");
            assertThat(x.message()).contains("unknown topic 'event'", "did you mean 'events'?");
        });
        assertThat(problems(HEAD + topics + "expect:\n  - topic-created-within: {topic: orders, within: 5s}\n")).singleElement()
                .extracting(Problem::message).asString().contains("topic 'orders' exists from the start");
        assertThat(problems(HEAD + topics + "expect:\n  - topic-created-within: {topic: events}\n")).singleElement()
                .extracting(Problem::message).asString().contains("needs 'topic' and 'within'");
        assertThat(problems(HEAD + topics + "expect:\n  - topic-created-within: {topic: events, within: 5s, after: 1s}\n"))
                .singleElement().extracting(Problem::message).asString().contains("unknown key 'after'");
    }
}
