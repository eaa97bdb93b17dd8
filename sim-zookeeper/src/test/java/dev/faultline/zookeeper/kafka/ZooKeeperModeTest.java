package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.mode.Setting;
import dev.faultline.zookeeper.ensemble.ZabBugs;
import dev.faultline.zookeeper.ensemble.ZkConfig;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** ZooKeeper mode's settings reach the servers' configuration; the ones it does not model are declared as such. */
class ZooKeeperModeTest {

    @Test
    void fastLeaderElectionNotificationIntervalsAreRead() {
        ZkConfig c = ZooKeeperMode.zkConfig(Map.of("zookeeper.fastleader.minNotificationInterval", "1000",
                "zookeeper.fastleader.maxNotificationInterval", "8000"), List.of());
        assertThat(c.minNotificationIntervalNanos()).isEqualTo(1000 * Time.MILLISECOND);
        assertThat(c.maxNotificationIntervalNanos()).isEqualTo(8000 * Time.MILLISECOND);
    }

    @Test
    void withoutThemTheDefaultsOfZooKeeperHold() {
        ZkConfig c = ZooKeeperMode.zkConfig(Map.of("tickTime", "3000"), List.of());
        assertThat(c.tickTimeNanos()).isEqualTo(3000 * Time.MILLISECOND);
        assertThat(c.minNotificationIntervalNanos()).isEqualTo(200 * Time.MILLISECOND);
        assertThat(c.maxNotificationIntervalNanos()).isEqualTo(60 * Time.SECOND);
        assertThat(c.bugs()).isEqualTo(ZabBugs.NONE);
        assertThat(ZooKeeperMode.zkConfig(Map.of(), List.of("zab.syncDiffWithoutTrunc")).bugs().syncDiffWithoutTrunc()).isTrue();
    }

    @Test
    void settingsItDoesNotModelAreNotAmongThoseItReads() {
        ZooKeeperMode mode = new ZooKeeperMode();
        List<String> read = Setting.keys(mode.settings());
        assertThat(mode.notModelled()).containsKeys("forceSync", "zookeeper.cnxTimeout", "zookeeper.connection.timeout.ms");
        assertThat(read).doesNotContainAnyElementsOf(mode.notModelled().keySet())
                .contains("zookeeper.fastleader.minNotificationInterval", "zookeeper.fastleader.maxNotificationInterval");
    }
}
