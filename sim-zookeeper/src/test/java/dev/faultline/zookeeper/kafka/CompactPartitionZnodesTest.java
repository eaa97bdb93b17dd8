package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.CreateMode;
import dev.faultline.zookeeper.ensemble.DataTree;
import dev.faultline.zookeeper.ensemble.Op;
import dev.faultline.zookeeper.ensemble.Txn;
import dev.faultline.zookeeper.ensemble.TxnEntry;
import dev.faultline.zookeeper.ensemble.WatchTrigger;
import dev.faultline.zookeeper.ensemble.Zxid;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Partition znodes and state znodes kept in columns ({@code CompactPartitions}) behave as znodes:
 * versions, conditional writes, multi rollback, children and watch triggers; servers that applied
 * the same initial transaction share it until one of them writes.
 */
class CompactPartitionZnodesTest {
    private final ClusterSpec cluster = ClusterSpec.builder().brokers(3)
            .topic("orders", 3000, 3).topic("late", 2, 3).createdAtRuntime("late").build();
    private final KafkaZnodes.Layout layout = new KafkaZnodes.Layout(cluster);
    private final TxnEntry base = new TxnEntry(Zxid.make(0, 1), 0, 0, 0, new Txn.Ops(List.of(
            new Op.Create("/brokers", "", CreateMode.PERSISTENT), new Op.Create("/brokers/topics", "", CreateMode.PERSISTENT)), true));
    private final TxnEntry topics = new TxnEntry(Zxid.make(0, 2), 0, 0, 0, new Txn.Ops(List.of(
            new Op.Create("/brokers/topics/orders", "assignment", CreateMode.PERSISTENT),
            new Op.Create("/brokers/topics/orders/partitions", "", CreateMode.PERSISTENT),
            new Op.CreatePartitions(new int[] {0}, 6000, 100)), true));

    private DataTree tree() {
        DataTree t = new DataTree(layout);
        t.apply(base);
        t.apply(topics);
        return t;
    }

    private static TxnEntry write(long counter, Op... ops) {
        return new TxnEntry(Zxid.make(1, counter), 1, 0, counter, new Txn.Ops(List.of(ops), ops.length > 1));
    }

    @Test
    void initialPartitionsReadAsKafkaWroteThemAndAWriteToOneServerLeavesTheOtherAsItWas() {
        DataTree a = tree();
        DataTree b = tree();
        String state = "/brokers/topics/orders/partitions/1500/state";
        int p = cluster.partition("orders", 1500);
        String initial = cluster.replica(p, 0) + ",0,0," + cluster.replica(p, 0) + ":" + cluster.replica(p, 1) + ":" + cluster.replica(p, 2);
        assertThat(a.data(state)).isEqualTo(initial);
        assertThat(a.stat(state).version()).isZero();
        assertThat(a.stat(state).czxid()).isEqualTo(Zxid.make(0, 2));
        assertThat(a.stat("/brokers/topics/orders/partitions").numChildren()).isEqualTo(3000);
        assertThat(a.stat("/brokers/topics/orders/partitions/1500").numChildren()).isEqualTo(1);
        assertThat(a.znodeCount()).isEqualTo(b.znodeCount()).isEqualTo(5 + 6000);

        DataTree.Applied applied = a.apply(write(1, new Op.SetData(state, "2,1,1,2:3", 0)));
        assertThat(applied.code()).isEqualTo(Code.OK);
        assertThat(applied.triggers()).extracting(WatchTrigger::type).containsExactly(WatchTrigger.EventType.NodeDataChanged);
        assertThat(a.data(state)).isEqualTo("2,1,1,2:3");
        assertThat(a.stat(state).version()).isEqualTo(1);
        assertThat(a.stat(state).mzxid()).isEqualTo(Zxid.make(1, 1));
        int[] fields = new int[5];
        assertThat(a.compactState(p, fields)).isTrue();
        assertThat(fields[0]).isEqualTo(2);
        assertThat(fields[4]).isEqualTo(1);
        // The other server shared the initial columns: it still has the initial state.
        assertThat(b.data(state)).isEqualTo(initial);
        assertThat(b.stat(state).version()).isZero();
        // Neighbours in the copied chunk are untouched.
        assertThat(a.data("/brokers/topics/orders/partitions/1501/state")).isEqualTo(b.data("/brokers/topics/orders/partitions/1501/state"));
    }

    @Test
    void aConditionalWriteFailsOnTheVersionAndAFailedMultiRollsBackItsPartitionWrites() {
        DataTree t = tree();
        String s0 = "/brokers/topics/orders/partitions/0/state";
        String s1 = "/brokers/topics/orders/partitions/1/state";
        String before0 = t.data(s0);
        assertThat(t.apply(write(1, new Op.SetData(s0, "2,1,1,2", 7))).code()).isEqualTo(Code.BADVERSION);
        DataTree.Applied failed = t.apply(write(2, new Op.SetData(s0, "2,1,1,2", 0), new Op.SetData(s1, "2,1,1,2", 3)));
        assertThat(failed.code()).isEqualTo(Code.BADVERSION);
        assertThat(t.data(s0)).isEqualTo(before0);
        assertThat(t.stat(s0).version()).isZero();
        assertThat(t.apply(write(3, new Op.Check(s1, 0), new Op.SetData(s0, "2,1,1,2", 0))).code()).isEqualTo(Code.OK);
        assertThat(t.stat(s0).version()).isEqualTo(1);
    }

    @Test
    void aRuntimeTopicsPartitionsAreCreatedAndDeletedOneByOneWithTheirParentsChildren() {
        DataTree t = tree();
        t.apply(write(1, new Op.Create("/brokers/topics/late", "assignment", CreateMode.PERSISTENT),
                new Op.Create("/brokers/topics/late/partitions", "", CreateMode.PERSISTENT)));
        assertThat(t.exists("/brokers/topics/late/partitions/0")).isFalse();
        assertThat(t.apply(write(2, new Op.Create("/brokers/topics/late/partitions/1/state", "1,0,1,1", CreateMode.PERSISTENT))).code())
                .isEqualTo(Code.NONODE);
        DataTree.Applied created = t.apply(write(3, new Op.Create("/brokers/topics/late/partitions/1", "", CreateMode.PERSISTENT),
                new Op.Create("/brokers/topics/late/partitions/1/state", "1,0,1,1", CreateMode.PERSISTENT)));
        assertThat(created.code()).isEqualTo(Code.OK);
        assertThat(created.triggers()).extracting(WatchTrigger::path).contains("/brokers/topics/late/partitions");
        assertThat(t.children("/brokers/topics/late/partitions")).containsExactly("1");
        assertThat(t.children("/brokers/topics/late/partitions/1")).containsExactly("state");
        assertThat(t.stat("/brokers/topics/late/partitions").cversion()).isEqualTo(1);
        assertThat(t.apply(write(4, new Op.Create("/brokers/topics/late/partitions/1", "", CreateMode.PERSISTENT))).code())
                .isEqualTo(Code.NODEEXISTS);
        assertThat(t.apply(write(5, new Op.Delete("/brokers/topics/late/partitions/1", -1))).code()).isEqualTo(Code.NOTEMPTY);
        assertThat(t.apply(write(6, new Op.Delete("/brokers/topics/late/partitions/1/state", 0),
                new Op.Delete("/brokers/topics/late/partitions/1", 0))).code()).isEqualTo(Code.OK);
        assertThat(t.children("/brokers/topics/late/partitions")).isEmpty();
        assertThat(t.stat("/brokers/topics/late/partitions").numChildren()).isZero();
    }

    @Test
    void stateDataWithoutACompactFormIsKeptAsText() {
        DataTree t = tree();
        String s = "/brokers/topics/orders/partitions/5/state";
        // Broker 9 is no replica: the ISR has no packed form (KZ-S4 would report such a write).
        assertThat(t.apply(write(1, new Op.SetData(s, "9,3,2,9", 0))).code()).isEqualTo(Code.OK);
        assertThat(t.data(s)).isEqualTo("9,3,2,9");
        assertThat(t.compactState(cluster.partition("orders", 5), new int[5])).isFalse();
        assertThat(t.apply(write(2, new Op.SetData(s, "1,4,2,1", 1))).code()).isEqualTo(Code.OK);
        assertThat(t.data(s)).isEqualTo("1,4,2,1");
        assertThat(t.compactState(cluster.partition("orders", 5), new int[5])).isTrue();
    }
}
