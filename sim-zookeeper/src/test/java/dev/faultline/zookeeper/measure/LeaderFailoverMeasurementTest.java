package dev.faultline.zookeeper.measure;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.zookeeper.ensemble.ZkConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The time a 3- and a 5-server ensemble take to have an established leader (UPTODATE at a quorum)
 * after the leader's process crashes, over 100 seeds. Prints the distribution; checks that every
 * run lands between FLE's floor (finalizeWait) and the ZK-L1 bound.
 */
class LeaderFailoverMeasurementTest {
    private static final int SEEDS = 100;

    @ParameterizedTest(name = "{0} servers")
    @ValueSource(ints = {3, 5})
    void newLeaderAfterLeaderCrash(int servers) {
        ZkConfig config = ZkConfig.defaults();
        LinkConfig link = new LinkConfig(new LatencyModel.Uniform(200 * Time.MICROSECOND, 800 * Time.MICROSECOND), 0);
        List<Long> detect = new ArrayList<>();
        List<Long> elected = new ArrayList<>();
        List<Long> established = new ArrayList<>();
        for (long seed = 1; seed <= SEEDS; seed++) {
            LeaderFailover.Timing t = LeaderFailover.measure(seed, servers, config, link, 120 * Time.SECOND);
            detect.add(t.detectNanos());
            elected.add(t.electedNanos());
            established.add(t.establishedNanos());
        }
        LeaderFailover.Summary summary = LeaderFailover.Summary.of(established);
        System.out.println("ZK leader failover, " + servers + " servers, tickTime 2000 ms, one-way latency U(0.2, 0.8) ms, fsync 1 ms:");
        System.out.println("  detect (first server LOOKING): " + LeaderFailover.Summary.of(detect));
        System.out.println("  elected (new LEADING):         " + LeaderFailover.Summary.of(elected));
        System.out.println("  established (quorum UPTODATE): " + summary);
        assertThat(summary.count()).isEqualTo(SEEDS);
        assertThat(summary.minNanos()).isGreaterThanOrEqualTo(config.finalizeWaitNanos());
        assertThat(summary.maxNanos()).isLessThanOrEqualTo(config.finalizeWaitNanos() + 2 * config.initLimitNanos());
    }
}
