package dev.faultline.scenarios.spec;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/** {@code cluster.start}, {@code adaptive} and the expectations that make a run that measured nothing fail. */
class ScaleSpecTest {
    private static final String BASE = "name: s\nduration: 60s\ncluster: {mode: oracle, brokers: 3%s}\n"
            + "topics:\n  - {name: t, partitions: 3, replication.factor: 3}\n%s";

    private static Scenario parse(String cluster, String rest) throws ScenarioException {
        return ScenarioLoader.parse("s.yaml", String.format(BASE, cluster, rest));
    }

    @Test
    void startIsWarmByDefaultColdWhenAskedAndTheWriterWritesOnlyCold() throws Exception {
        Scenario byDefault = parse("", "");
        assertThat(byDefault.cluster().warmStart()).isTrue();
        assertThat(parse(", start: warm", "")).isEqualTo(byDefault);
        assertThat(ScenarioWriter.write(byDefault)).doesNotContain("start:");
        Scenario cold = parse(", start: cold", "");
        assertThat(cold.cluster().warmStart()).isFalse();
        assertThat(ScenarioWriter.write(cold)).contains("start: cold");
        assertThat(ScenarioLoader.parse("c", ScenarioWriter.write(cold))).isEqualTo(cold);
        assertThat(ScenarioLoader.parse("w", ScenarioWriter.write(byDefault))).isEqualTo(byDefault);
    }

    @Test
    void aStartThatIsNeitherWarmNorColdIsRejectedWithItsPlace() {
        assertThatThrownBy(() -> parse(", start: wram", "")).isInstanceOf(ScenarioException.class)
                .hasMessageContaining("s.yaml:3:").hasMessageContaining("'start' is warm").hasMessageContaining("did you mean 'warm'");
    }

    @Test
    void adaptiveTakesTrueOrMarginAndLimitAndRoundTrips() throws Exception {
        assertThat(parse("", "").adaptive()).isNull();
        assertThat(parse("", "adaptive: false\n").adaptive()).isNull();
        Scenario t = parse("", "adaptive: true\n");
        assertThat(t.adaptive()).isEqualTo(new Scenario.Adaptive(10 * Time.SECOND, Time.HOUR));
        Scenario m = parse("", "adaptive: {margin: 5s, limit: 20m}\n");
        assertThat(m.adaptive()).isEqualTo(new Scenario.Adaptive(5 * Time.SECOND, 20 * Time.MINUTE));
        assertThat(ScenarioLoader.parse("w", ScenarioWriter.write(m))).isEqualTo(m);
    }

    @Test
    void anAdaptiveLimitShorterThanTheDurationIsRejected() {
        assertThatThrownBy(() -> parse("", "adaptive: {limit: 30s}\n")).isInstanceOf(ScenarioException.class)
                .hasMessageContaining("shorter than the duration");
        assertThatThrownBy(() -> parse("", "adaptive: {margin: 5s, lmit: 20m}\n")).isInstanceOf(ScenarioException.class)
                .hasMessageContaining("unknown key 'lmit'");
    }

    @Test
    void theCompletenessExpectationsParseAndRoundTrip() throws Exception {
        Scenario s = parse("", "expect: [no-violations, failovers-complete, produce-acknowledged]\n");
        assertThat(s.expectations()).containsExactly(new Expectation.NoViolations(), new Expectation.FailoversComplete(),
                new Expectation.ProduceAcknowledged());
        assertThat(ScenarioLoader.parse("w", ScenarioWriter.write(s))).isEqualTo(s);
        assertThatThrownBy(() -> parse("", "expect: [failover-complete]\n")).hasMessageContaining("did you mean 'failovers-complete'");
    }
}
