package dev.faultline.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * {@code Simulation.lastEventNode}: the node whose process handled the event just checked, or null
 * after a kernel event (here: a message dropped because its receiver is down). Checks that re-read
 * only the event's node rely on it, and on {@code lifecycleVersion} moving with every disk loss.
 */
class LastEventNodeTest {
    @Test
    void aCheckSeesTheNodeThatHandledTheEventAndNoneAfterADrop() {
        NetworkTest.World w = new NetworkTest.World(1, 3, LinkConfig.DEFAULT);
        List<String> seen = new ArrayList<>();
        w.sim.addInvariant(new Invariant() {
            @Override
            public String name() {
                return "last-event-node";
            }

            @Override
            public void check(CheckContext ctx) {
                NodeId n = w.sim.lastEventNode();
                seen.add(n == null ? "-" : n.name());
            }
        });
        w.send(0, 1, 1);
        w.sim.runFor(Time.SECOND);
        assertThat(seen).containsExactly("n1");
        seen.clear();
        w.send(0, 2, 2);
        w.sim.crash(w.ids.get(2));
        w.sim.runFor(Time.SECOND);
        // The crash and the drop of the message to the crashed node are kernel events; the drop
        // sends the sender a connection reset, which n0's process handles.
        assertThat(seen).as("the crash, the drop, then n0 handling the reset").containsExactly("-", "-", "n0");
        long before = w.sim.lifecycleVersion();
        w.sim.wipeDisk(w.ids.get(2));
        assertThat(w.sim.lifecycleVersion()).as("a wiped disk moves the lifecycle version").isGreaterThan(before);
        before = w.sim.lifecycleVersion();
        w.sim.powerLoss(w.ids.get(1));
        assertThat(w.sim.lifecycleVersion()).as("a power loss: the stop and the disk").isEqualTo(before + 2);
    }
}
