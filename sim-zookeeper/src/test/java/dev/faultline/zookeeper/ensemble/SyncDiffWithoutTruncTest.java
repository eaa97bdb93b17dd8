package dev.faultline.zookeeper.ensemble;

import static dev.faultline.zookeeper.ZkTestContext.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.Violation;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.zookeeper.ZkTestContext;
import dev.faultline.zookeeper.client.ClientState;
import dev.faultline.zookeeper.client.ZkClient;
import dev.faultline.zookeeper.client.ZkClientNode;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * PB-ZK-1 {@code zab.syncDiffWithoutTrunc} (ZOOKEEPER-1154), the planted-bug sequence
 * (docs/model.md#planted-bugs): a leader logs a proposal nobody else got, the whole ensemble
 * crashes, the others elect a new leader and commit in a new epoch, then the old leader rejoins.
 * With the bug it keeps its uncommitted txn under a DIFF and ZK-S3 fires; with the fix it is
 * truncated first and the run passes. The same sequence with the test switch {@code zab.truncOffByOne}
 * instead truncates the old leader one committed transaction too far, and ZK-S5 fires.
 */
class SyncDiffWithoutTruncTest {

    /** What the sequence leaves behind. */
    record Outcome(Violation violation, boolean oldLeaderHasX, SyncPlan.Kind lastSync, ZkTestContext zk) {
    }

    private static Outcome runSequence(ZabBugs bugs) {
        ZkTestContext zk = ZkTestContext.of(11, 3, ZkConfig.defaults().withBugs(bugs));
        zk.start();
        NodeId a = zk.awaitLeader(5 * Time.SECOND);
        List<NodeId> others = new ArrayList<>(zk.ensemble.servers());
        others.remove(a);
        NodeId b = others.get(0);
        NodeId c = others.get(1);
        NodeId clientOfA = zk.sim.addNode("client-a", ctx -> new ZkClientNode(ctx, List.of(a), 6 * Time.SECOND, 0));
        NodeId clientOfBc = zk.sim.addNode("client-bc", ctx -> new ZkClientNode(ctx, List.of(b, c), 6 * Time.SECOND, 0));
        zk.sim.start(clientOfA);
        zk.runFor(2 * Time.SECOND);
        ZkClient writerA = zk.sim.process(clientOfA, ZkClientNode.class).client();
        assertThat(writerA.state()).isEqualTo(ClientState.CONNECTED);
        for (String p : List.of("/p1", "/p2")) {
            zk.sim.schedule(zk.sim.now(), () -> writerA.create(p, "", CreateMode.PERSISTENT, r -> { }));
            zk.runFor(100 * MS);
        }
        long committedEnd = zk.server(a).dataTree().lastProcessedZxid();
        assertThat(Zxid.counter(committedEnd)).isEqualTo(3); // createSession, /p1, /p2

        // 1. B and C stop taking A's proposals. 2. A logs /x alone.
        zk.sim.pause(b);
        zk.sim.pause(c);
        zk.sim.schedule(zk.sim.now(), () -> writerA.create("/x", "lost", CreateMode.PERSISTENT, r -> { }));
        zk.runFor(100 * MS);
        assertThat(zk.server(a).lastLoggedZxid()).isEqualTo(committedEnd + 1);
        // 3. Everything crashes. 4. B and C come back and commit /y in a new epoch.
        zk.sim.crash(a);
        zk.sim.crash(b);
        zk.sim.crash(c);
        zk.sim.restart(b);
        zk.sim.restart(c);
        zk.sim.start(clientOfBc);
        NodeId newLeader = zk.awaitLeader(10 * Time.SECOND);
        assertThat(newLeader).isIn(b, c);
        zk.runFor(2 * Time.SECOND);
        ZkClient writerBc = zk.sim.process(clientOfBc, ZkClientNode.class).client();
        zk.sim.schedule(zk.sim.now(), () -> writerBc.create("/y", "new", CreateMode.PERSISTENT, r -> { }));
        zk.runFor(500 * MS);
        assertThat(zk.server(newLeader).dataTree().exists("/y")).isTrue();
        // 5. A restarts and follows the new leader, reporting its uncommitted zxid.
        zk.withNotes();
        zk.sim.restart(a);
        zk.sim.runFor(5 * Time.SECOND);
        ZkServer oldLeader = zk.server(a);
        SyncPlan.Kind lastSync = null;
        for (String note : zk.notes) {
            for (SyncPlan.Kind k : SyncPlan.Kind.values()) {
                if (note.contains("sync learner " + a.name().substring(3) + " ") && note.contains("-> " + k)) {
                    lastSync = k;
                }
            }
        }
        return new Outcome(zk.sim.violation(), oldLeader != null && oldLeader.dataTree().exists("/x"), lastSync, zk);
    }

    @Test
    void withTheBugTheOldLeaderKeepsItsUncommittedTxnAndZkS3Fires() {
        Outcome outcome = runSequence(ZabBugs.only(ZabBugs.SYNC_DIFF_WITHOUT_TRUNC));
        assertThat(outcome.violation()).isNotNull();
        assertThat(outcome.violation().invariant()).isEqualTo("ZK-S3");
        assertThat(outcome.violation().message()).contains("applied");
        assertThat(outcome.lastSync()).isEqualTo(SyncPlan.Kind.DIFF);
    }

    @Test
    void withTruncOffByOneTheTruncRemovesACommittedTxnAndZkS5Fires() {
        Outcome outcome = runSequence(ZabBugs.only(ZabBugs.TRUNC_OFF_BY_ONE));
        assertThat(outcome.violation()).isNotNull();
        assertThat(outcome.violation().invariant()).isEqualTo("ZK-S5");
        assertThat(outcome.violation().message()).contains("to 0x100000002, removing committed");
        assertThat(outcome.lastSync()).isEqualTo(SyncPlan.Kind.TRUNC);
    }

    @Test
    void withTheFixTheOldLeaderIsTruncatedThenDiffedAndTheRunPasses() {
        Outcome outcome = runSequence(ZabBugs.NONE);
        assertThat(outcome.violation()).as(() -> outcome.violation().report()).isNull();
        assertThat(outcome.lastSync()).isEqualTo(SyncPlan.Kind.TRUNC);
        assertThat(outcome.oldLeaderHasX()).isFalse();
        assertThat(outcome.zk().ensemble.servingServers()).hasSize(3);
    }
}
