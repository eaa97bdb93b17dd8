package dev.faultline.zookeeper.client;

import static dev.faultline.zookeeper.ZkTestContext.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.PartitionSpec;
import dev.faultline.zookeeper.ZkTestContext;
import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.CreateMode;
import dev.faultline.zookeeper.ensemble.Op;
import dev.faultline.zookeeper.ensemble.WatchTrigger.EventType;
import dev.faultline.zookeeper.ensemble.ZkServer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ClientSessionTest {
    private static final long SESSION_TIMEOUT = 6 * Time.SECOND;

    private static ZkTestContext connected(long seed, int clients) {
        ZkTestContext zk = ZkTestContext.of(seed, 3);
        for (int i = 1; i <= clients; i++) {
            zk.addClient("client-" + i, SESSION_TIMEOUT, 0);
        }
        zk.start();
        zk.awaitLeader(5 * Time.SECOND);
        zk.runFor(3 * Time.SECOND);
        for (NodeId c : zk.clients) {
            assertThat(zk.client(c).client().state()).as(c.name()).isEqualTo(ClientState.CONNECTED);
        }
        return zk;
    }

    /** Runs a client call as a world action and returns its result after {@code waitNanos}. */
    private static List<Result> call(ZkTestContext zk, java.util.function.Consumer<java.util.function.Consumer<Result>> op) {
        List<Result> out = new ArrayList<>();
        zk.sim.schedule(zk.sim.now(), () -> op.accept(out::add));
        zk.runFor(200 * MS);
        return out;
    }

    @Test
    void sessionTimeoutIsClampedToTwoAndTwentyTicks() {
        ZkTestContext zk = ZkTestContext.of(3, 3);
        NodeId low = zk.addClient("low", 1 * Time.SECOND, 0);
        NodeId high = zk.addClient("high", 300 * Time.SECOND, 0);
        zk.start();
        zk.awaitLeader(5 * Time.SECOND);
        zk.runFor(3 * Time.SECOND);
        assertThat(zk.client(low).client().negotiatedTimeoutNanos()).isEqualTo(4 * Time.SECOND);
        assertThat(zk.client(high).client().negotiatedTimeoutNanos()).isEqualTo(40 * Time.SECOND);
    }

    @Test
    void writesReplicateAndConditionalMultiIsAllOrNothing() {
        ZkTestContext zk = connected(4, 1);
        ZkClient c = zk.client(zk.clients.get(0)).client();
        assertThat(call(zk, cb -> c.create("/a", "1", CreateMode.PERSISTENT, cb)).get(0).code()).isEqualTo(Code.OK);
        Result seq = call(zk, cb -> c.create("/a/s-", "x", CreateMode.PERSISTENT_SEQUENTIAL, cb)).get(0);
        assertThat(seq.createdPath()).isEqualTo("/a/s-0000000000");
        Result bad = call(zk, cb -> c.multi(List.of(new Op.Check("/a", 5), new Op.Create("/b", "", CreateMode.PERSISTENT)), cb)).get(0);
        assertThat(bad.code()).isEqualTo(Code.BADVERSION);
        Result good = call(zk, cb -> c.multi(List.of(new Op.Check("/a", 0), new Op.SetData("/a", "2", 0),
                new Op.Create("/b", "", CreateMode.PERSISTENT)), cb)).get(0);
        assertThat(good.code()).isEqualTo(Code.OK);
        zk.runFor(1 * Time.SECOND);
        for (NodeId s : zk.ensemble.servers()) {
            ZkServer server = zk.server(s);
            assertThat(server.dataTree().data("/a")).as(s.name()).isEqualTo("2");
            assertThat(server.dataTree().stat("/a").version()).isEqualTo(1);
            assertThat(server.dataTree().exists("/b")).isTrue();
        }
        assertThat(call(zk, cb -> c.setData("/a", "3", 0, cb)).get(0).code()).isEqualTo(Code.BADVERSION);
    }

    @Test
    void aWatchFiresOnceWithTheEventBeforeTheWriteResponse() {
        ZkTestContext zk = connected(5, 2);
        ZkClientNode watcherNode = zk.client(zk.clients.get(0));
        ZkClient writer = zk.client(zk.clients.get(1)).client();
        call(zk, cb -> writer.create("/w", "0", CreateMode.PERSISTENT, cb));
        call(zk, cb -> watcherNode.client().getData("/w", true, cb));
        call(zk, cb -> writer.setData("/w", "1", -1, cb));
        call(zk, cb -> writer.setData("/w", "2", -1, cb));
        assertThat(watcherNode.events()).extracting(ClientMessage.WatchEvent::type).containsExactly(EventType.NodeDataChanged);
    }

    @Test
    void leaderCrashDisconnectsClientsWhoReconnectWithTheSameSessionAndKeepTheirEphemerals() {
        ZkTestContext zk = connected(6, 3);
        List<Long> sessions = new ArrayList<>();
        for (NodeId id : zk.clients) {
            ZkClient c = zk.client(id).client();
            sessions.add(c.sessionId());
            call(zk, cb -> c.create("/" + id.name(), "", CreateMode.EPHEMERAL, cb));
        }
        NodeId leader = zk.ensemble.establishedLeader();
        zk.sim.crash(leader);
        zk.awaitLeader(10 * Time.SECOND);
        zk.runFor(SESSION_TIMEOUT * 2);
        for (int i = 0; i < zk.clients.size(); i++) {
            ZkClientNode node = zk.client(zk.clients.get(i));
            assertThat(node.client().state()).isEqualTo(ClientState.CONNECTED);
            assertThat(node.client().sessionId()).isEqualTo(sessions.get(i));
            assertThat(node.states()).doesNotContain(KeeperState.Expired);
        }
        NodeId newLeader = zk.ensemble.establishedLeader();
        for (NodeId id : zk.clients) {
            assertThat(zk.server(newLeader).dataTree().exists("/" + id.name())).as(id.name()).isTrue();
        }
    }

    @Test
    void aSilentClientsEphemeralsAreDeletedWithinTimeoutPlusTwoTicks() {
        ZkTestContext zk = connected(7, 1);
        NodeId id = zk.clients.get(0);
        ZkClient c = zk.client(id).client();
        call(zk, cb -> c.create("/eph", "", CreateMode.EPHEMERAL, cb));
        long negotiated = c.negotiatedTimeoutNanos();
        long crashedAt = zk.sim.now();
        zk.sim.crash(id);
        NodeId leader = zk.ensemble.establishedLeader();
        long deletedAt = -1;
        while (zk.sim.now() < crashedAt + 60 * Time.SECOND) {
            zk.runFor(10 * MS);
            if (!zk.server(leader).dataTree().exists("/eph")) {
                deletedAt = zk.sim.now();
                break;
            }
        }
        // ZK-L3: negotiatedTimeout + 2 tickTime + 2 RTT.
        long bound = negotiated + 2 * zk.ensemble.config().tickTimeNanos() + 2 * 2 * MS;
        assertThat(deletedAt).isPositive();
        assertThat(deletedAt - crashedAt).isLessThanOrEqualTo(bound).isGreaterThanOrEqualTo(negotiated - 4 * Time.SECOND / 3);
    }

    @Test
    void aClientCutOffLongerThanItsTimeoutSeesExpired() {
        ZkTestContext zk = connected(8, 1);
        NodeId id = zk.clients.get(0);
        ZkClient c = zk.client(id).client();
        call(zk, cb -> c.create("/mine", "", CreateMode.EPHEMERAL, cb));
        int p = zk.sim.network().partition(new PartitionSpec.Isolate(id));
        zk.runFor(3 * SESSION_TIMEOUT);
        assertThat(zk.client(id).states()).contains(KeeperState.Disconnected);
        zk.sim.network().heal(p);
        zk.runFor(5 * Time.SECOND);
        assertThat(c.state()).isEqualTo(ClientState.EXPIRED);
        // Like Kafka, the host then opens a new session.
        assertThat(zk.client(id).states()).containsSubsequence(KeeperState.Disconnected, KeeperState.Expired, KeeperState.SyncConnected);
        assertThat(zk.client(id).client().sessionId()).isNotEqualTo(c.sessionId());
        assertThat(zk.server(zk.ensemble.establishedLeader()).dataTree().exists("/mine")).isFalse();
    }
}
