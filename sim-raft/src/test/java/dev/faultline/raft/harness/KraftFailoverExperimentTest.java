package dev.faultline.raft.harness;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.raft.quorum.QuorumConfig;
import org.junit.jupiter.api.Test;

class KraftFailoverExperimentTest {
    private static final long MS = Time.MILLISECOND;

    @Test
    void withKafkaDefaultsDetectionIsTheFetchTimeoutAfterTheLastFetchResponse() {
        QuorumConfig defaults = QuorumConfig.defaults();
        KraftFailoverExperiment.Result r = KraftFailoverExperiment.run(new KraftFailoverExperiment.Config(3, defaults,
                LatencyModel.constant(500 * Time.MICROSECOND), 1 * MS, 40, 1));
        assertThat(r.failures()).isZero();
        // Followers hear from the leader at least every MAX_FETCH_WAIT_MS (500) plus a round trip, so a
        // fixed 2000 ms fetch timeout expires between about 1500 and 2000 ms after the crash.
        assertThat(r.detect().min()).isGreaterThanOrEqualTo(defaults.fetchTimeoutNanos() - defaults.maxFetchWaitNanos() - 2 * MS);
        assertThat(r.detect().max()).isLessThanOrEqualTo(defaults.fetchTimeoutNanos() + 2 * MS);
        assertThat(r.elect().min()).isGreaterThanOrEqualTo(r.detect().min());
        assertThat(r.commit().median()).isGreaterThanOrEqualTo(r.elect().median());
        assertThat(r.heard().max()).isLessThan(20 * Time.SECOND);
        assertThat(r.summary()).contains("detect").contains("commit");
    }
}
