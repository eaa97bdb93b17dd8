package dev.faultline.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import java.util.List;
import org.junit.jupiter.api.Test;

/** What a clean link is, and how long a delay fault holds a FIFO link after it ended. */
class LinkHealthTest {
    private static final long MS = Time.MILLISECOND;

    @Test
    void aOneWayCutOrAnyLinkFaultMakesTheLinkUncleanBothWays() {
        NetworkTest.World w = new NetworkTest.World(1, 3, LinkConfig.DEFAULT);
        Network net = w.sim.network();
        NodeId a = w.ids.get(0);
        NodeId b = w.ids.get(1);
        NodeId c = w.ids.get(2);
        assertThat(LinkHealth.clean(net, a, b)).isTrue();
        assertThat(LinkHealth.runningNodesCleanlyLinked(w.sim)).isTrue();

        int cut = net.partition(new PartitionSpec.OneWay(List.of(b), List.of(a)));
        assertThat(LinkHealth.clean(net, a, b)).isFalse();
        assertThat(LinkHealth.clean(net, b, a)).isFalse();
        assertThat(LinkHealth.reachable(net, a, b)).isFalse();
        assertThat(LinkHealth.clean(net, a, c)).isTrue();
        assertThat(LinkHealth.runningNodesCleanlyLinked(w.sim)).isFalse();
        net.heal(cut);

        int drop = net.addLinkFault(List.of(a), List.of(b), new LinkFault(0, 0.5, 0, 0));
        assertThat(LinkHealth.clean(net, b, a)).as("a lossy link is not clean").isFalse();
        assertThat(LinkHealth.reachable(net, b, a)).as("but some messages pass").isTrue();
        net.removeLinkFault(drop);
        net.addLinkFault(List.of(a), List.of(b), new LinkFault(0, 1.0, 0, 0));
        assertThat(LinkHealth.reachable(net, b, a)).isFalse();

        // A faulty link to a node that is down does not count among the running nodes.
        w.sim.crash(b);
        assertThat(LinkHealth.runningNodesCleanlyLinked(w.sim)).isTrue();
    }

    @Test
    void aDelayFaultHoldsItsLinkForItsExtraDelayAndOneRoundTripAfterItEnded() {
        NetworkTest.World w = new NetworkTest.World(1, 3, LinkConfig.DEFAULT);
        Network net = w.sim.network();
        NodeId a = w.ids.get(0);
        NodeId b = w.ids.get(1);
        NodeId c = w.ids.get(2);
        DelayBacklog backlog = new DelayBacklog(w.sim, new NodeId[] {a, b}, () -> 2 * MS);
        backlog.update(w.sim.now());
        assertThat(backlog.drained(a, b, w.sim.now())).isTrue();

        int fault = net.addLinkFault(List.of(a), List.of(b), new LinkFault(500 * MS, 0, 0, 0));
        w.sim.runFor(100 * MS);
        long endedAt = w.sim.now();
        backlog.update(endedAt);
        net.removeLinkFault(fault);
        assertThat(backlog.heldOneWay(a, b, endedAt + 501 * MS)).isTrue();
        assertThat(backlog.heldOneWay(b, a, endedAt + 501 * MS)).as("the other direction had no fault").isFalse();
        assertThat(backlog.drained(b, a, endedAt + 501 * MS)).as("drained asks both ways").isFalse();
        assertThat(backlog.heldOneWay(a, b, endedAt + 502 * MS)).isFalse();
        assertThat(backlog.heldOneWay(a, c, endedAt)).as("an untracked node").isFalse();
    }

    @Test
    void aHubAndSpokesTrackerFollowsLinksToAHubAndIgnoresLinksBetweenSpokes() {
        NetworkTest.World w = new NetworkTest.World(1, 3, LinkConfig.DEFAULT);
        Network net = w.sim.network();
        NodeId hub = w.ids.get(0);
        NodeId s1 = w.ids.get(1);
        NodeId s2 = w.ids.get(2);
        DelayBacklog backlog = DelayBacklog.hubsAndSpokes(w.sim, new NodeId[] {hub}, new NodeId[] {s1, s2}, () -> 2 * MS);
        net.addLinkFault(List.of(s1), List.of(hub, s2), new LinkFault(500 * MS, 0, 0, 0));
        net.addLinkFault(List.of(hub), List.of(s2), new LinkFault(300 * MS, 0, 0, 0));
        backlog.update(w.sim.now());
        long now = w.sim.now();
        assertThat(backlog.heldOneWay(s1, hub, now + 501 * MS)).as("spoke to hub").isTrue();
        assertThat(backlog.heldOneWay(hub, s2, now + 301 * MS)).as("hub to spoke").isTrue();
        assertThat(backlog.heldOneWay(hub, s2, now + 302 * MS)).isFalse();
        assertThat(backlog.heldOneWay(s1, s2, now + MS)).as("between two spokes: not tracked").isFalse();
    }

    @Test
    void aTrackerOfEveryLinkIsHeldWhileAnyLinkMayStillCarryDelayedMessages() {
        NetworkTest.World w = new NetworkTest.World(1, 3, LinkConfig.DEFAULT);
        Network net = w.sim.network();
        DelayBacklog backlog = DelayBacklog.everyLink(w.sim, 50 * MS);
        backlog.update(w.sim.now());
        assertThat(backlog.heldAnywhere(w.sim.now())).isFalse();

        int lossy = net.addLinkFault(List.of(w.ids.get(0)), List.of(w.ids.get(1)), new LinkFault(0, 0.5, 0, 0));
        backlog.update(w.sim.now());
        assertThat(backlog.heldAnywhere(w.sim.now())).as("a fault without delay holds nothing").isFalse();
        // Two delays on one link add up: 300 ms + 200 ms.
        int d1 = net.addLinkFault(List.of(w.ids.get(1)), List.of(w.ids.get(2)), new LinkFault(300 * MS, 0, 0, 0));
        int d2 = net.addLinkFault(List.of(w.ids.get(1)), List.of(w.ids.get(2)), new LinkFault(200 * MS, 0, 0, 0));
        assertThat(net.maxExtraDelayNanos()).isEqualTo(500 * MS);
        w.sim.runFor(100 * MS);
        long endedAt = w.sim.now();
        backlog.update(endedAt);
        net.removeLinkFault(d1);
        net.removeLinkFault(d2);
        net.removeLinkFault(lossy);
        assertThat(net.maxExtraDelayNanos()).isZero();
        backlog.update(endedAt + 10 * MS);
        assertThat(backlog.heldAnywhere(endedAt + 549 * MS)).isTrue();
        assertThat(backlog.heldAnywhere(endedAt + 550 * MS)).isFalse();
    }
}
