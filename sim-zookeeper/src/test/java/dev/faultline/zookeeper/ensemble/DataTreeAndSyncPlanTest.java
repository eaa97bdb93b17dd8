package dev.faultline.zookeeper.ensemble;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.zookeeper.ensemble.WatchTrigger.EventType;
import java.util.List;
import org.junit.jupiter.api.Test;

class DataTreeAndSyncPlanTest {
    private static final long S = 0x1_0000_0001L;

    private static TxnEntry entry(long counter, long session, Txn txn) {
        return new TxnEntry(Zxid.make(1, counter), 1, session, counter, txn);
    }

    private static Txn.Ops write(Op... ops) {
        return new Txn.Ops(List.of(ops), ops.length > 1);
    }

    @Test
    void closeSessionDeletesItsEphemeralsAndFiresTheirWatchTriggers() {
        DataTree tree = new DataTree();
        tree.apply(entry(1, S, new Txn.CreateSession(S, 4_000_000_000L)));
        tree.apply(entry(2, S, write(new Op.Create("/brokers", "", CreateMode.PERSISTENT))));
        tree.apply(entry(3, S, write(new Op.Create("/brokers/1", "", CreateMode.EPHEMERAL))));
        assertThat(tree.stat("/brokers/1").ephemeralOwner()).isEqualTo(S);
        assertThat(tree.stat("/brokers/1").czxid()).isEqualTo(Zxid.make(1, 3));
        DataTree.Applied closed = tree.apply(entry(4, 0, new Txn.CloseSession(S)));
        assertThat(tree.exists("/brokers/1")).isFalse();
        assertThat(tree.ephemeralsBySession()).isEmpty();
        assertThat(closed.triggers()).extracting(WatchTrigger::type)
                .containsExactly(EventType.NodeDeleted, EventType.NodeChildrenChanged);
    }

    @Test
    void aClosedSessionCannotCreateAnEphemeral() {
        // Found by the fault property test (ZK-S6): a forwarded create applied after its session's close.
        DataTree tree = new DataTree();
        tree.apply(entry(1, S, new Txn.CreateSession(S, 4_000_000_000L)));
        tree.apply(entry(2, 0, new Txn.CloseSession(S)));
        DataTree.Applied late = tree.apply(entry(3, S, write(new Op.Create("/e", "", CreateMode.EPHEMERAL))));
        assertThat(late.code()).isEqualTo(Code.SESSIONEXPIRED);
        assertThat(tree.exists("/e")).isFalse();
    }

    @Test
    void aFailedCheckRollsBackTheWholeMulti() {
        DataTree tree = new DataTree();
        tree.apply(entry(1, S, new Txn.CreateSession(S, 4_000_000_000L)));
        tree.apply(entry(2, S, write(new Op.Create("/controller_epoch", "5", CreateMode.PERSISTENT))));
        DataTree.Applied failed = tree.apply(entry(3, S, write(new Op.Create("/p", "", CreateMode.PERSISTENT),
                new Op.SetData("/controller_epoch", "6", 0), new Op.Check("/controller_epoch", 0))));
        assertThat(failed.code()).isEqualTo(Code.BADVERSION);
        assertThat(tree.exists("/p")).isFalse();
        assertThat(tree.data("/controller_epoch")).isEqualTo("5");
        assertThat(tree.stat("/controller_epoch").version()).isZero();
        assertThat(tree.stat("/").cversion()).isEqualTo(1);
    }

    private static final List<Long> HISTORY = List.of(Zxid.make(7, 1), Zxid.make(7, 2), Zxid.make(7, 3), Zxid.make(8, 1));

    @Test
    void syncPlanDiffsAKnownZxidAndTruncatesAnUnknownOneFirst() {
        assertThat(SyncPlan.plan(Zxid.make(7, 2), HISTORY, 500, ZabBugs.NONE)).isEqualTo(new SyncPlan(SyncPlan.Kind.DIFF, 0, 2));
        assertThat(SyncPlan.plan(Zxid.make(8, 1), HISTORY, 500, ZabBugs.NONE)).isEqualTo(new SyncPlan(SyncPlan.Kind.DIFF, 0, 4));
        // ZOOKEEPER-1154: 0x700000004 was never committed.
        assertThat(SyncPlan.plan(Zxid.make(7, 4), HISTORY, 500, ZabBugs.NONE))
                .isEqualTo(new SyncPlan(SyncPlan.Kind.TRUNC, Zxid.make(7, 3), 3));
        assertThat(SyncPlan.plan(Zxid.make(7, 4), HISTORY, 500, ZabBugs.only(ZabBugs.SYNC_DIFF_WITHOUT_TRUNC)))
                .isEqualTo(new SyncPlan(SyncPlan.Kind.DIFF, 0, 3));
        // zab.truncOffByOne: the TRUNC keeps one committed zxid too few (0x700000003 is committed).
        assertThat(SyncPlan.plan(Zxid.make(7, 4), HISTORY, 500, ZabBugs.only(ZabBugs.TRUNC_OFF_BY_ONE)))
                .isEqualTo(new SyncPlan(SyncPlan.Kind.TRUNC, Zxid.make(7, 2), 3));
    }

    @Test
    void syncPlanTruncatesAPeerAheadAndSnapshotsAPeerBehindTheWindow() {
        assertThat(SyncPlan.plan(Zxid.make(8, 5), HISTORY, 500, ZabBugs.NONE))
                .isEqualTo(new SyncPlan(SyncPlan.Kind.TRUNC, Zxid.make(8, 1), 4));
        assertThat(SyncPlan.plan(Zxid.make(7, 1), HISTORY, 2, ZabBugs.NONE).kind()).isEqualTo(SyncPlan.Kind.SNAP);
        assertThat(SyncPlan.plan(Zxid.make(7, 2), HISTORY, 2, ZabBugs.NONE).kind()).isEqualTo(SyncPlan.Kind.DIFF);
    }

    @Test
    void voteOrderIsEpochThenZxidThenSid() {
        assertThat(new Vote(1, 5, 3).beats(new Vote(9, 99, 2))).isTrue();
        assertThat(new Vote(1, 6, 3).beats(new Vote(9, 5, 3))).isTrue();
        assertThat(new Vote(2, 6, 3).beats(new Vote(1, 6, 3))).isTrue();
        assertThat(new Vote(1, 6, 3).beats(new Vote(1, 6, 3))).isFalse();
    }

    @Test
    void illegalRoleTransitionsFailLoudly() {
        RoleOwner roles = new RoleOwner(3);
        roles.transitionToFollowing(1);
        org.assertj.core.api.Assertions.assertThatThrownBy(roles::transitionToLeading)
                .isInstanceOf(IllegalStateException.class).hasMessageContaining("from FOLLOWING");
    }
}
