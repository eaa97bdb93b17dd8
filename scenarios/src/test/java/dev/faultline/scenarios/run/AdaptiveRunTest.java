package dev.faultline.scenarios.run;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioLoader;
import org.junit.jupiter.api.Test;

/**
 * Adaptive timing: faults wait until the cluster has settled and earlier failovers completed, and
 * the run lasts until every failover completed plus the margin, within the limit.
 */
class AdaptiveRunTest {
    /** Cold: these tests study faults written before a starting cluster has settled. */
    private static final String ZOOKEEPER = "{mode: zookeeper, brokers: 4, zookeeper: 3, start: cold}";

    private static Scenario scenario(String adaptive, String topics, String faults) throws Exception {
        return scenario(ZOOKEEPER, adaptive, topics, faults);
    }

    private static Scenario scenario(String cluster, String adaptive, String topics, String faults) throws Exception {
        String yaml = "name: a\nseed: 3\nduration: 20s\n" + adaptive
                + "cluster: " + cluster + "\n"
                + "topics:\n" + topics
                + "workload:\n  - {producer: {topic: t, rate: 400/s, acks: all}}\n"
                + "faults:\n" + faults
                + "expect: [no-violations, failovers-complete]\n";
        return ScenarioLoader.parse("a.yaml", yaml);
    }

    private static final String TOPIC = "  - {name: t, partitions: 40, replication.factor: 3}\n";
    /** At 100 ms the ZooKeeper-mode cluster is still starting: no controller has sent LeaderAndIsr yet. */
    private static final String EARLY = "  - {at: 100ms, crash: {target: leader-of(t-0)}}\n";

    @Test
    void aFaultWrittenBeforeTheClusterSettledWaitsForItAndTheRunLastsUntilTheFailoverCompleted() throws Exception {
        ScenarioResult fixed = ScenarioRunner.run(scenario("", TOPIC, EARLY));
        assertThat(fixed.faultTimes().get(0).firedAtNanos()).isEqualTo(100 * Time.MILLISECOND);
        Scenario s = scenario("adaptive: {margin: 5s, limit: 5m}\n", TOPIC, EARLY);
        ScenarioResult r = ScenarioRunner.run(s);
        assertThat(r.passed()).as(r.summary()).isTrue();
        ScenarioResult.FaultTime t = r.faultTimes().get(0);
        assertThat(t.writtenAtNanos()).isEqualTo(100 * Time.MILLISECOND);
        assertThat(t.firedAtNanos()).isGreaterThan(t.writtenAtNanos());
        assertThat(t.firedAtNanos() % ScenarioRunner.CHECK_INTERVAL).isZero();
        FailoverMeasurement f = r.failovers().get(0);
        assertThat(f.faultAtNanos()).isEqualTo(t.firedAtNanos());
        assertThat(f.affectedPartitions()).isPositive();
        long completed = f.faultAtNanos() + Math.max(f.propagateNanos(), f.unavailability().maxNanos());
        // The written duration is shifted by the delay; the run also covers completion plus the margin.
        assertThat(r.simulatedNanos()).isGreaterThanOrEqualTo(Math.max(20 * Time.SECOND + t.firedAtNanos() - t.writtenAtNanos(),
                completed + 5 * Time.SECOND));
        assertThat(r.simulatedNanos()).isLessThan(Math.max(20 * Time.SECOND + t.firedAtNanos() - t.writtenAtNanos(),
                completed + 5 * Time.SECOND) + 2 * ScenarioRunner.CHECK_INTERVAL);
        ScenarioResult again = ScenarioRunner.run(s);
        assertThat(again.fingerprint()).isEqualTo(r.fingerprint());
    }

    @Test
    void aFaultWrittenAfterTheClusterSettledFiresAtItsWrittenTime() throws Exception {
        ScenarioResult r = ScenarioRunner.run(scenario("adaptive: true\n", TOPIC, "  - {at: 10s, crash: {target: leader-of(t-0)}, for: 5s}\n"));
        assertThat(r.passed()).as(r.summary()).isTrue();
        assertThat(r.faultTimes().get(0).firedAtNanos()).isEqualTo(10 * Time.SECOND);
        assertThat(r.summary()).doesNotContain("written at");
    }

    @Test
    void theNextFaultWaitsForTheFailoverBeforeItButFaultsWrittenTogetherFireTogether() throws Exception {
        String faults = "  - {at: 5s, crash: {target: broker-1}}\n  - {at: 5s, crash: {target: broker-2}}\n"
                + "  - {at: 6s, crash: {target: broker-3}, for: 5s}\n";
        String oracle = "{mode: oracle, brokers: 4, config: {faultline.oracle.detection.delay.ms: 3000}}";
        ScenarioResult r = ScenarioRunner.run(scenario(oracle, "adaptive: true\n", "  - {name: t, partitions: 40, replication.factor: 4}\n", faults));
        assertThat(r.faultTimes().get(0).firedAtNanos()).isEqualTo(5 * Time.SECOND);
        assertThat(r.faultTimes().get(1).firedAtNanos()).isEqualTo(5 * Time.SECOND);
        // The oracle notices the crashes of broker-1 and broker-2 after 3 s: broker-3 waits for their failovers.
        assertThat(r.faultTimes().get(2).firedAtNanos()).isGreaterThan(5 * Time.SECOND + 3 * Time.SECOND);
        assertThat(r.passed()).as(r.summary()).isTrue();
    }

    @Test
    void aFailoverThatCanNeverCompleteEndsTheRunAtTheLimitAndSaysSo() throws Exception {
        // Replication factor 1: the crashed broker's partitions have no other replica to elect.
        Scenario s = scenario("adaptive: {margin: 5s, limit: 40s}\n", "  - {name: t, partitions: 8, replication.factor: 1}\n",
                "  - {at: 10s, crash: {target: leader-of(t-0)}}\n");
        ScenarioResult r = ScenarioRunner.run(s);
        assertThat(r.simulatedNanos()).isEqualTo(40 * Time.SECOND);
        assertThat(r.passed()).isFalse();
        assertThat(r.incomplete()).anyMatch(x -> x.contains("never completed") && x.contains("elect (0/"));
    }
}
