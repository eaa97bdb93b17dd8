package dev.faultline.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import org.junit.jupiter.api.Test;

/** Latency by pair of zones (racks, data centres). */
class ZoneLatencyTest {
    private record Ping() implements Message {
    }

    private static long oneWay(Network net, NodeId from, NodeId to) {
        long[] arrivals = new long[2];
        assertThat(net.route(from.index(), to.index(), new Ping(), Time.seconds(1), arrivals)).isEqualTo(1);
        return arrivals[0] - Time.seconds(1);
    }

    @Test
    void messagesBetweenZonesTakeTheirPairsLatencyAndTheRestTheDefault() {
        Simulation sim = new Simulation(1);
        Network net = sim.network();
        NodeId a1 = sim.addNode("broker-1", ctx -> null);
        NodeId a2 = sim.addNode("broker-2", ctx -> null);
        NodeId b1 = sim.addNode("broker-3", ctx -> null);
        NodeId c1 = sim.addNode("controller-1", ctx -> null);
        NodeId client = sim.addNode("producer-1", ctx -> null);
        net.setDefaultConfig(new LinkConfig(LatencyModel.constant(Time.micros(500)), 0));
        net.setZone(a1, 0);
        net.setZone(a2, 0);
        net.setZone(b1, 1);
        net.setZone(c1, 2);
        LinkConfig wan = new LinkConfig(new LatencyModel.Uniform(Time.millis(20), Time.millis(40)), 0);
        net.setZoneLink(0, 1, wan);
        net.setZoneLink(1, 0, wan);
        net.setZoneLink(0, 2, new LinkConfig(LatencyModel.constant(Time.millis(5)), 0));

        assertThat(oneWay(net, a1, a2)).as("inside a zone").isEqualTo(Time.micros(500));
        for (int i = 0; i < 50; i++) {
            assertThat(oneWay(net, a1, b1)).isBetween(Time.millis(20), Time.millis(40 + 40)); // FIFO may hold a draw behind the previous one
        }
        assertThat(net.linkConfig(b1, a2)).isEqualTo(wan);
        assertThat(oneWay(net, a2, c1)).as("zone 0 -> 2").isEqualTo(Time.millis(5));
        assertThat(oneWay(net, c1, a2)).as("zone 2 -> 0 was not set: default").isEqualTo(Time.micros(500));
        assertThat(oneWay(net, client, b1)).as("a node in no zone").isEqualTo(Time.micros(500));
        LinkConfig own = new LinkConfig(LatencyModel.constant(Time.millis(1)), 0);
        net.setLinkConfig(a1, b1, own);
        assertThat(net.linkConfig(a1, b1)).as("a link's own configuration comes first").isEqualTo(own);
    }
}
