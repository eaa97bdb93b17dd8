package dev.faultline.zookeeper.check;

import static dev.faultline.zookeeper.ZkTestContext.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.storage.DurableValue;
import dev.faultline.zookeeper.ZkTestContext;
import dev.faultline.zookeeper.client.ClientMessage;
import dev.faultline.zookeeper.client.ClientPacket;
import dev.faultline.zookeeper.client.ZkClientNode;
import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.WatchTrigger.EventType;
import dev.faultline.zookeeper.ensemble.ZkDisk;
import dev.faultline.zookeeper.ensemble.Zxid;
import java.util.List;
import java.util.function.Consumer;
import org.junit.jupiter.api.Test;

/**
 * ZK-S8 and ZK-S9 fire on a scripted server that answers a client out of order, and ZK-S2 on a disk
 * whose epoch goes back; the same runs pass without the misbehaviour (ZK-S9's twin is
 * {@link #healthyRunPassesEveryChecker}: a real ensemble whose client sets watches and triggers them).
 * No server switch reaches ZK-S8 in this model: a server accepts a returning client only once the
 * leader has revalidated its session over the ordered connection that also carries the commits, which
 * the server applies on receipt, so it is never behind what the client saw (leaving out the
 * "client has seen a later zxid" refusal changes nothing). The other ZK-* invariants fire through
 * planted-bug switches (docs/model.md#planted-bugs): ZK-S3 and ZK-S5 in SyncDiffWithoutTruncTest,
 * ZK-S1, ZK-S2, ZK-S4, ZK-S6 and ZK-S7 in ZabChecksInRunsTest.
 */
class InvariantsFireTest {

    /** A running 3-server ensemble with a writing client, settled. */
    private static ZkTestContext running(long seed) {
        ZkTestContext zk = ZkTestContext.of(seed, 3);
        zk.addClient("client-1", 6 * Time.SECOND, 100 * MS);
        zk.start();
        zk.awaitLeader(5 * Time.SECOND);
        zk.runFor(3 * Time.SECOND);
        return zk;
    }

    private static void actAndRun(ZkTestContext zk, Runnable faultyAction) {
        zk.sim.schedule(zk.sim.now(), faultyAction);
        zk.sim.runFor(1 * Time.SECOND);
    }

    @Test
    void healthyRunPassesEveryChecker() {
        ZkTestContext zk = running(1);
        zk.runFor(10 * Time.SECOND);
        assertThat(zk.ensemble.history().committed()).hasSizeGreaterThan(50);
    }

    @Test
    @SuppressWarnings("unchecked")
    void zkS2FiresWhenAServersAcceptedEpochGoesBack() {
        ZkTestContext zk = running(3);
        NodeId server = zk.ensemble.servers().get(0);
        actAndRun(zk, () -> zk.sim.storage(server).find(ZkDisk.ACCEPTED_EPOCH, DurableValue.class).set(0L));
        assertThat(zk.sim.violation().invariant()).isEqualTo("ZK-S2");
    }

    @Test
    void zkS2HoldsWhenTheDiskKeepsItsEpochs() {
        ZkTestContext zk = running(3);
        actAndRun(zk, () -> { });
        zk.assertNoViolation();
    }

    /** A server that accepts the session, then answers as scripted. */
    private static final class ScriptedServer implements Node {
        private final NodeContext ctx;
        private final Consumer<Sender> script;
        private long connection;
        private long seq;

        interface Sender {
            void send(ClientMessage body);
        }

        ScriptedServer(NodeContext ctx, Consumer<Sender> script) {
            this.ctx = ctx;
            this.script = script;
        }

        @Override
        public void onMessage(NodeId from, Message message) {
            if (message instanceof ClientPacket p && p.body() instanceof ClientMessage.ConnectRequest) {
                connection = p.connection();
                seq = 0;
                Sender s = body -> ctx.send(from, new ClientPacket(connection, seq++, body));
                s.send(new ClientMessage.ConnectResponse(42, 6 * Time.SECOND));
                script.accept(s);
            }
        }
    }

    private static ZkTestContext clientOf(long seed, Consumer<ScriptedServer.Sender> script) {
        ZkTestContext zk = ZkTestContext.of(seed, 1);
        NodeId server = zk.sim.addNode("scripted", ctx -> new ScriptedServer(ctx, script));
        zk.sim.addNode("client", ctx -> new ZkClientNode(ctx, List.of(server), 6 * Time.SECOND, 0));
        zk.sim.start(server);
        zk.sim.start(zk.sim.node("client"));
        zk.sim.runFor(1 * Time.SECOND);
        return zk;
    }

    private static ClientMessage.Response response(long xid, long zxid) {
        return new ClientMessage.Response(xid, zxid, Code.OK, "", null, null, null);
    }

    @Test
    void zkS8FiresWhenAClientSeesAZxidGoBack() {
        ZkTestContext zk = clientOf(7, s -> {
            s.send(response(1, Zxid.make(1, 10)));
            s.send(response(2, Zxid.make(1, 9)));
        });
        assertThat(zk.sim.violation().invariant()).isEqualTo("ZK-S8");
        ZkTestContext ordered = clientOf(7, s -> {
            s.send(response(1, Zxid.make(1, 9)));
            s.send(response(2, Zxid.make(1, 10)));
        });
        assertThat(ordered.sim.violation()).isNull();
    }

    @Test
    void zkS9FiresWhenAWatchEventTrailsAResponseAtItsZxidOrFiresUnset() {
        ZkTestContext late = clientOf(8, s -> {
            s.send(response(1, Zxid.make(1, 10)));
            s.send(new ClientMessage.WatchEvent("/a", EventType.NodeDataChanged, Zxid.make(1, 10)));
        });
        assertThat(late.sim.violation().invariant()).isEqualTo("ZK-S9");
        ZkTestContext unset = clientOf(8, s -> s.send(new ClientMessage.WatchEvent("/a", EventType.NodeDataChanged, Zxid.make(1, 11))));
        assertThat(unset.sim.violation().invariant()).isEqualTo("ZK-S9");
        assertThat(unset.sim.violation().message()).contains("not (or no longer) set");
    }
}
