package dev.faultline.zookeeper.check;

import static dev.faultline.zookeeper.ZkTestContext.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.zookeeper.ZkTestContext;
import dev.faultline.zookeeper.ensemble.DataTree;
import dev.faultline.zookeeper.ensemble.ZabBugs;
import dev.faultline.zookeeper.ensemble.ZkConfig;
import dev.faultline.zookeeper.ensemble.ZkHistory;
import org.junit.jupiter.api.Test;

/**
 * ZK-S1, ZK-S2, ZK-S4, ZK-S6 and ZK-S7 (docs/invariants.md) fire in a real run of a 3-server ensemble with
 * one of the servers' test switches on ({@link ZabBugs}, docs/model.md#planted-bugs), and the same run
 * passes with the switch off. (ZK-S5's pair runs PB-ZK-1's sequence, in SyncDiffWithoutTruncTest.)
 */
class ZabChecksInRunsTest {

    /** Three servers and a client writing every 100 ms (persistent and ephemeral znodes), not started. */
    private static ZkTestContext ensemble(long seed, String bug, boolean on) {
        ZkTestContext zk = ZkTestContext.of(seed, 3, ZkConfig.defaults().withBugs(on ? ZabBugs.only(bug) : ZabBugs.NONE));
        zk.addClient("client-1", 6 * Time.SECOND, 100 * MS);
        return zk;
    }

    /** The established leader crashes; the other two elect a leader among them. */
    private static ZkTestContext leaderCrashes(String bug, boolean on) {
        ZkTestContext zk = ensemble(21, bug, on).start();
        NodeId first = zk.awaitLeader(5 * Time.SECOND);
        zk.runFor(2 * Time.SECOND);
        zk.sim.crash(first);
        zk.sim.runFor(10 * Time.SECOND);
        return zk;
    }

    @Test
    void zkS1FiresWhenTheNextLeaderReusesTheAcceptedEpoch() {
        ZkTestContext zk = leaderCrashes(ZabBugs.REUSE_ACCEPTED_EPOCH, true);
        assertThat(zk.sim.violation()).isNotNull();
        assertThat(zk.sim.violation().invariant()).isEqualTo("ZK-S1");
        assertThat(zk.sim.violation().message()).matches("epoch 0 has established leaders \\d and \\d");
    }

    @Test
    void zkS1HoldsWhenTheNextLeaderProposesANewEpoch() {
        ZkTestContext zk = leaderCrashes(ZabBugs.REUSE_ACCEPTED_EPOCH, false);
        zk.assertNoViolation();
        assertThat(zk.ensemble.history().establishedLeaders()).extracting(ZkHistory.Established::epoch).containsExactly(1L, 2L);
    }

    /** A follower of the established ensemble loses power, then comes back. */
    private static ZkTestContext followerLosesPower(boolean bug) {
        ZkTestContext zk = ensemble(25, ZabBugs.ACCEPTED_EPOCH_WITHOUT_FSYNC, bug).start();
        NodeId leader = zk.awaitLeader(5 * Time.SECOND);
        zk.runFor(2 * Time.SECOND);
        NodeId follower = zk.ensemble.servers().get(0).equals(leader) ? zk.ensemble.servers().get(1) : zk.ensemble.servers().get(0);
        zk.sim.powerLoss(follower);
        zk.sim.runFor(1 * Time.SECOND);
        zk.sim.restart(follower);
        zk.sim.runFor(5 * Time.SECOND);
        return zk;
    }

    @Test
    void zkS2FiresWhenAnAcceptedEpochWrittenWithoutFsyncIsLostToAPowerLoss() {
        ZkTestContext zk = followerLosesPower(true);
        assertThat(zk.sim.violation()).isNotNull();
        assertThat(zk.sim.violation().invariant()).isEqualTo("ZK-S2");
        assertThat(zk.sim.violation().message()).endsWith("epochs went back: acceptedEpoch 1 -> 0, currentEpoch 1 -> 1");
    }

    @Test
    void zkS2HoldsWhenTheAcceptedEpochIsSyncedAndTheFollowerRejoins() {
        ZkTestContext zk = followerLosesPower(false);
        zk.assertNoViolation();
        assertThat(zk.ensemble.servingServers()).hasSize(3);
    }

    /** The ensemble runs for three seconds: the client's session and its first writes commit. */
    private static ZkTestContext writes(String bug, boolean on) {
        ZkTestContext zk = ensemble(22, bug, on).start();
        zk.sim.runFor(3 * Time.SECOND);
        return zk;
    }

    @Test
    void zkS4FiresWhenTheLeaderCommitsWithoutAQuorum() {
        ZkTestContext zk = writes(ZabBugs.COMMIT_WITHOUT_QUORUM, true);
        assertThat(zk.sim.violation()).isNotNull();
        assertThat(zk.sim.violation().invariant()).isEqualTo("ZK-S4");
        assertThat(zk.sim.violation().message()).matches("leader \\d committed 0x\\w+ with acks \\[\\d\\]");
    }

    @Test
    void zkS4FiresWhenTheLeaderCountsAnAckThatIsNotOnDisk() {
        ZkTestContext zk = writes(ZabBugs.ACK_WITHOUT_FSYNC, true);
        assertThat(zk.sim.violation()).isNotNull();
        assertThat(zk.sim.violation().invariant()).isEqualTo("ZK-S4");
        assertThat(zk.sim.violation().message()).contains("but that server's log does not hold it durably");
    }

    @Test
    void zkS4HoldsWithQuorumsOfSyncedAcks() {
        ZkTestContext zk = writes(ZabBugs.COMMIT_WITHOUT_QUORUM, false);
        zk.assertNoViolation();
        assertThat(zk.ensemble.history().committed()).hasSizeGreaterThan(20);
    }

    /** The client, which owns ephemeral znodes, crashes; its session expires. */
    private static ZkTestContext clientCrashes(String bug, boolean on) {
        ZkTestContext zk = ensemble(23, bug, on).start();
        zk.awaitLeader(5 * Time.SECOND);
        zk.runFor(3 * Time.SECOND);
        NodeId leader = zk.ensemble.establishedLeader();
        assertThat(zk.server(leader).dataTree().ephemeralsBySession()).isNotEmpty();
        zk.sim.crash(zk.clients.get(0));
        // Session timeout 6 s, expiry at a tick boundary (2 s), the close committed: 10 s is ample.
        zk.sim.runFor(10 * Time.SECOND);
        return zk;
    }

    @Test
    void zkS6FiresWhenASessionsCloseLeavesItsEphemerals() {
        ZkTestContext zk = clientCrashes(ZabBugs.CLOSE_SESSION_KEEPS_EPHEMERALS, true);
        assertThat(zk.sim.violation()).isNotNull();
        assertThat(zk.sim.violation().invariant()).isEqualTo("ZK-S6");
        assertThat(zk.sim.violation().message()).contains("of closed session 0x");
    }

    @Test
    void zkS7FiresWhenTheLeaderExpiresASessionBeforeItsTimeout() {
        ZkTestContext zk = clientCrashes(ZabBugs.SESSION_EXPIRY_ROUNDS_DOWN, true);
        assertThat(zk.sim.violation()).isNotNull();
        assertThat(zk.sim.violation().invariant()).isEqualTo("ZK-S7");
        assertThat(zk.sim.violation().message()).contains("after its last touch or activation (timeout 6000000000 ns)");
    }

    @Test
    void zkS6AndZkS7HoldWhenTheSessionExpiresOnTimeAndTakesItsEphemerals() {
        ZkTestContext zk = clientCrashes(ZabBugs.CLOSE_SESSION_KEEPS_EPHEMERALS, false);
        zk.assertNoViolation();
        DataTree tree = zk.server(zk.ensemble.establishedLeader()).dataTree();
        assertThat(tree.sessions()).isEmpty();
        assertThat(tree.ephemeralsBySession()).isEmpty();
    }
}
