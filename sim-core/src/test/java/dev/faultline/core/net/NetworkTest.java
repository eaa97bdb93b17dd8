package dev.faultline.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class NetworkTest {
    static final long MS = Time.MILLISECOND;

    record Seq(String from, int n) implements Message {
        @Override
        public int sizeBytes() {
            return 1250;
        }
    }

    /** Remembers every message it received, in order. */
    static final class Sink implements Node {
        final NodeContext ctx;
        final List<Seq> got = new ArrayList<>();
        final List<Message> others = new ArrayList<>();
        final List<Long> at = new ArrayList<>();

        Sink(NodeContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void onMessage(NodeId from, Message m) {
            if (m instanceof Seq s) {
                got.add(s);
                at.add(ctx.now());
            } else {
                others.add(m);
            }
        }
    }

    /** A little world: nodes n0..n(k-1), each a Sink. */
    static final class World {
        final Simulation sim;
        final List<NodeId> ids = new ArrayList<>();

        World(long seed, int k, LinkConfig config) {
            sim = new Simulation(seed);
            sim.network().setDefaultConfig(config);
            for (int i = 0; i < k; i++) {
                ids.add(sim.addNode("n" + i, Sink::new));
            }
            sim.startAll();
        }

        void send(int from, int to, int n) {
            sim.process(ids.get(from), Sink.class).ctx.send(ids.get(to), new Seq("n" + from, n));
        }

        /** Everyone sends one message to everyone else now; runs a while; returns who heard from whom. */
        boolean[][] allToAll() {
            int k = ids.size();
            List<Integer> before = new ArrayList<>();
            for (NodeId id : ids) {
                before.add(sim.process(id, Sink.class).got.size());
            }
            for (int a = 0; a < k; a++) {
                for (int b = 0; b < k; b++) {
                    if (a != b) {
                        send(a, b, -1);
                    }
                }
            }
            sim.runFor(100 * MS);
            boolean[][] heard = new boolean[k][k];
            for (int b = 0; b < k; b++) {
                List<Seq> got = sim.process(ids.get(b), Sink.class).got;
                for (Seq s : got.subList(before.get(b), got.size())) {
                    heard[Integer.parseInt(s.from().substring(1))][b] = true;
                }
            }
            return heard;
        }
    }

    @Test
    void eachLinkIsFifoEvenWithRandomLatency() {
        World w = new World(3, 2, new LinkConfig(new LatencyModel.Uniform(0, 10 * MS), 0));
        for (int i = 0; i < 200; i++) {
            w.send(0, 1, i);
        }
        w.sim.runFor(Time.SECOND);
        List<Seq> got = w.sim.process(w.ids.get(1), Sink.class).got;
        assertThat(got).hasSize(200);
        for (int i = 0; i < 200; i++) {
            assertThat(got.get(i).n()).isEqualTo(i);
        }
    }

    @Test
    void bandwidthQueuesTransmissionsOnTheLink() {
        // 1250 bytes at 10 Mbit/s = 1 ms on the wire; constant 1 ms latency.
        World w = new World(3, 2, new LinkConfig(LatencyModel.constant(MS), 10_000_000L));
        for (int i = 0; i < 3; i++) {
            w.send(0, 1, i);
        }
        w.sim.runFor(Time.SECOND);
        assertThat(w.sim.process(w.ids.get(1), Sink.class).at).containsExactly(2 * MS, 3 * MS, 4 * MS);
    }

    @Test
    void isolateCutsExactlyTheIsolatedNodesLinks() {
        World w = new World(1, 4, LinkConfig.DEFAULT);
        w.sim.network().partition(new PartitionSpec.Split(List.of(List.of(w.ids.get(2))), true));
        boolean[][] heard = w.allToAll();
        for (int a = 0; a < 4; a++) {
            for (int b = 0; b < 4; b++) {
                if (a != b) {
                    assertThat(heard[a][b]).as(a + "->" + b).isEqualTo(a != 2 && b != 2);
                }
            }
        }
    }

    @Test
    void splitCutsAcrossGroupsOnlyAndRestIsAGroupWhenAsked() {
        World w = new World(1, 5, LinkConfig.DEFAULT);
        // groups {0,1} and {2}; 3 and 4 are "rest"
        w.sim.network().partition(new PartitionSpec.Split(List.of(List.of(w.ids.get(0), w.ids.get(1)), List.of(w.ids.get(2))), true));
        boolean[][] heard = w.allToAll();
        int[] group = {0, 0, 1, 2, 2};
        for (int a = 0; a < 5; a++) {
            for (int b = 0; b < 5; b++) {
                if (a != b) {
                    assertThat(heard[a][b]).as(a + "->" + b).isEqualTo(group[a] == group[b]);
                }
            }
        }
        w.sim.network().healAll();
        w.sim.network().partition(new PartitionSpec.Split(List.of(List.of(w.ids.get(0), w.ids.get(1)), List.of(w.ids.get(2))), false));
        heard = w.allToAll();
        assertThat(heard[3][0]).isTrue();
        assertThat(heard[2][4]).isTrue();
        assertThat(heard[0][2]).isFalse();
        assertThat(heard[2][1]).isFalse();
    }

    @Test
    void oneWayPartitionIsOneWay() {
        World w = new World(1, 3, LinkConfig.DEFAULT);
        w.sim.network().partition(new PartitionSpec.OneWay(List.of(w.ids.get(0)), List.of(w.ids.get(1))));
        boolean[][] heard = w.allToAll();
        assertThat(heard[0][1]).isFalse();
        assertThat(heard[1][0]).isTrue();
        assertThat(heard[0][2]).isTrue();
        assertThat(heard[2][1]).isTrue();
    }

    @Test
    void bridgeNodeReachesBothSidesWhichCannotReachEachOther() {
        World w = new World(1, 5, LinkConfig.DEFAULT);
        List<NodeId> a = List.of(w.ids.get(0), w.ids.get(1), w.ids.get(2));
        List<NodeId> b = List.of(w.ids.get(2), w.ids.get(3), w.ids.get(4));
        w.sim.network().partition(new PartitionSpec.Bridge(a, b, w.ids.get(2)));
        boolean[][] heard = w.allToAll();
        assertThat(heard[0][3]).isFalse();
        assertThat(heard[4][1]).isFalse();
        assertThat(heard[2][0]).isTrue();
        assertThat(heard[2][4]).isTrue();
        assertThat(heard[3][2]).isTrue();
        assertThat(heard[0][1]).isTrue();
    }

    @Test
    void majorityMinoritySplitsTheListedNodesOnly() {
        World w = new World(1, 6, LinkConfig.DEFAULT);
        List<NodeId> ensemble = w.ids.subList(0, 5);
        w.sim.network().partition(PartitionSpec.majorityMinority(ensemble));
        boolean[][] heard = w.allToAll();
        // minority {0,1}, majority {2,3,4}; node 5 is not in the list and reaches all.
        assertThat(heard[0][1]).isTrue();
        assertThat(heard[0][2]).isFalse();
        assertThat(heard[4][1]).isFalse();
        assertThat(heard[2][4]).isTrue();
        assertThat(heard[5][0]).isTrue();
        assertThat(heard[3][5]).isTrue();
    }

    @Test
    void ringLetsEachNodeSeeAMajorityButNoTwoTheSameOne() {
        World w = new World(1, 5, LinkConfig.DEFAULT);
        w.sim.network().partition(new PartitionSpec.Ring(w.ids));
        boolean[][] heard = w.allToAll();
        List<String> views = new ArrayList<>();
        for (int a = 0; a < 5; a++) {
            StringBuilder view = new StringBuilder();
            int seen = 1;
            for (int b = 0; b < 5; b++) {
                if (a != b && heard[a][b]) {
                    seen++;
                    view.append(b);
                }
                if (a != b) {
                    assertThat(heard[a][b]).isEqualTo(heard[b][a]);
                }
            }
            assertThat(seen).as("node %d sees a majority", a).isEqualTo(3);
            views.add(view.toString());
        }
        assertThat(views).doesNotHaveDuplicates();
    }

    @Test
    void healRestoresDeliveryAndAMessageArrivingOverACutLinkIsLost() {
        World w = new World(1, 2, new LinkConfig(LatencyModel.constant(10 * MS), 0));
        w.send(0, 1, 1); // arrives at 10 ms
        w.sim.runFor(5 * MS);
        int id = w.sim.network().partition(new PartitionSpec.OneWay(List.of(w.ids.get(0)), List.of(w.ids.get(1))));
        w.sim.runFor(20 * MS);
        assertThat(w.sim.process(w.ids.get(1), Sink.class).got).isEmpty();
        w.sim.network().heal(id);
        w.send(0, 1, 2);
        w.sim.runFor(20 * MS);
        assertThat(w.sim.process(w.ids.get(1), Sink.class).got).extracting(Seq::n).containsExactly(2);
    }

    @Test
    void dropDuplicateAndReorderFaultsAct() {
        World w = new World(5, 2, new LinkConfig(new LatencyModel.Uniform(MS, 5 * MS), 0));
        int fault = w.sim.network().addLinkFault(List.of(w.ids.get(0)), List.of(w.ids.get(1)), new LinkFault(0, 0.2, 0.2, 0.5));
        for (int i = 0; i < 500; i++) {
            w.send(0, 1, i);
        }
        w.sim.runFor(Time.SECOND);
        List<Seq> got = w.sim.process(w.ids.get(1), Sink.class).got;
        long distinct = got.stream().mapToInt(Seq::n).distinct().count();
        assertThat(distinct).as("some messages dropped").isLessThan(500).isGreaterThan(300);
        assertThat(got.size()).as("some duplicated").isGreaterThan((int) distinct);
        boolean outOfOrder = false;
        for (int i = 1; i < got.size(); i++) {
            if (got.get(i).n() < got.get(i - 1).n()) {
                outOfOrder = true;
            }
        }
        assertThat(outOfOrder).as("reordered").isTrue();
        w.sim.network().removeLinkFault(fault);
        got.clear();
        for (int i = 0; i < 100; i++) {
            w.send(0, 1, i);
        }
        w.sim.runFor(Time.SECOND);
        assertThat(got).extracting(Seq::n).containsExactlyElementsOf(java.util.stream.IntStream.range(0, 100).boxed().toList());
    }

    record Other(int n) implements Message {
    }

    @Test
    void aLinkFaultCanHitOnlySomeMessageTypes() {
        World w = new World(5, 2, new LinkConfig(LatencyModel.constant(MS), 0));
        w.sim.network().addLinkFault(List.of(w.ids.get(0)), List.of(w.ids.get(1)), new LinkFault(0, 1.0, 0, 0, java.util.Set.of("Seq")));
        w.send(0, 1, 1);
        w.sim.process(w.ids.get(0), Sink.class).ctx.send(w.ids.get(1), new Other(2));
        w.sim.runFor(Time.SECOND);
        assertThat(w.sim.process(w.ids.get(1), Sink.class).got).isEmpty();
        assertThat(w.sim.process(w.ids.get(1), Sink.class).others).containsExactly(new Other(2));
    }

    @Test
    void extraDelayAddsToLatency() {
        World w = new World(5, 2, new LinkConfig(LatencyModel.constant(MS), 0));
        w.sim.network().addLinkFault(List.of(w.ids.get(0)), List.of(w.ids.get(1)), new LinkFault(7 * MS, 0, 0, 0));
        w.send(0, 1, 1);
        w.send(1, 0, 1);
        w.sim.runFor(Time.SECOND);
        assertThat(w.sim.process(w.ids.get(1), Sink.class).at).containsExactly(8 * MS);
        assertThat(w.sim.process(w.ids.get(0), Sink.class).at).containsExactly(MS);
    }
}
