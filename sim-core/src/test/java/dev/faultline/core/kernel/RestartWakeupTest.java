package dev.faultline.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** A process that dies with work queued must not leave its restarted incarnation unable to wake up. */
class RestartWakeupTest {
    private static final long MS = Time.MILLISECOND;

    record Ping(int n) implements Message {
    }

    /** Busy 10 ms per message; records what it handled. */
    static final class Slow implements Node {
        final NodeContext ctx;
        final List<Integer> handled;

        Slow(NodeContext ctx, List<Integer> handled) {
            this.ctx = ctx;
            this.handled = handled;
        }

        @Override
        public void onMessage(NodeId from, Message message) {
            handled.add(((Ping) message).n());
            ctx.work(10 * MS);
        }
    }

    /** Sends nothing on its own. */
    static final class Sender implements Node {
        final NodeContext ctx;

        Sender(NodeContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void onMessage(NodeId from, Message message) {
        }
    }

    @Test
    void aRestartedNodeHandlesMessagesThatArriveWhileItIsBusy() {
        Simulation sim = new Simulation(1);
        sim.network().setDefaultConfig(new LinkConfig(LatencyModel.constant(1 * MS), 0));
        List<Integer> handled = new ArrayList<>();
        List<Sender> senders = new ArrayList<>();
        NodeId slow = sim.addNode("slow", ctx -> new Slow(ctx, handled));
        NodeId sender = sim.addNode("sender", ctx -> {
            Sender s = new Sender(ctx);
            senders.add(s);
            return s;
        });
        sim.startAll();
        // Two messages at once: the second waits for the first's work, a wakeup is pending...
        sim.schedule(0, () -> {
            senders.get(0).ctx.send(slow, new Ping(1));
            senders.get(0).ctx.send(slow, new Ping(2));
        });
        // ...and the process dies before it fires.
        sim.schedule(5 * MS, () -> sim.crash(slow));
        sim.schedule(20 * MS, () -> sim.start(slow));
        // After the restart, again two at once: the second must be handled after the first's work.
        sim.schedule(30 * MS, () -> {
            senders.get(0).ctx.send(slow, new Ping(3));
            senders.get(0).ctx.send(slow, new Ping(4));
        });
        sim.runFor(200 * MS);
        assertThat(handled).containsExactly(1, 3, 4);
    }
}
