package dev.faultline.zookeeper.ensemble;

import static dev.faultline.zookeeper.ZkTestContext.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.zookeeper.ZkTestContext;
import org.junit.jupiter.api.Test;

class ElectionTest {

    @Test
    void threeFreshServersElectTheHighestSidAfterFinalizeWait() {
        ZkTestContext zk = ZkTestContext.of(1, 3).start();
        NodeId leader = zk.awaitLeader(5 * Time.SECOND);
        // All logs empty and epochs 0: the sid breaks the tie.
        assertThat(leader.name()).isEqualTo("zk-3");
        assertThat(zk.sim.now()).isGreaterThanOrEqualTo(200 * MS);
        assertThat(zk.server(leader).epoch()).isEqualTo(1);
        zk.runFor(10 * Time.SECOND);
        assertThat(zk.ensemble.servingServers()).hasSize(3);
    }

    @Test
    void aNewLeaderIsElectedAfterTheLeaderCrashes() {
        ZkTestContext zk = ZkTestContext.of(2, 5).start();
        NodeId first = zk.awaitLeader(5 * Time.SECOND);
        zk.runFor(1 * Time.SECOND);
        zk.sim.crash(first);

        NodeId second = zk.awaitLeader(10 * Time.SECOND);
        assertThat(second).isNotEqualTo(first);
        assertThat(zk.server(second).epoch()).isEqualTo(2);
        zk.sim.restart(first);
        zk.runFor(5 * Time.SECOND);
        assertThat(zk.server(first).role()).isEqualTo(ServerRole.FOLLOWING);
        assertThat(zk.ensemble.servingServers()).hasSize(5);
    }
}
