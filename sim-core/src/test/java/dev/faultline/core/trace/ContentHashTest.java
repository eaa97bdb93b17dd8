package dev.faultline.core.trace;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

class ContentHashTest {
    enum Color { RED, GREEN }

    record Inner(String name, IntList members) {
    }

    record Msg(long id, int small, boolean flag, double ratio, Color color, long[] ids, List<Inner> inner, Set<String> tags,
               Map<String, Integer> counts) implements Message {
    }

    private static Msg msg() {
        return new Msg(7, 3, true, 0.5, Color.RED, new long[] {1, 2, 3}, List.of(new Inner("a", IntList.of(1, 2))),
                Set.of("x", "y", "z"), Map.of("k", 1, "l", 2));
    }

    @Test
    void equalContentsInDistinctObjectsHashAlike() {
        assertThat(ContentHash.of(msg())).isEqualTo(ContentHash.of(msg()));
        Set<String> tags = new HashSet<>();
        tags.add("z");
        tags.add("y");
        tags.add("x");
        Map<String, Integer> counts = new HashMap<>();
        counts.put("l", 2);
        counts.put("k", 1);
        Msg m = msg();
        Msg sameContents = new Msg(m.id(), m.small(), m.flag(), m.ratio(), m.color(), m.ids().clone(),
                new ArrayList<>(List.of(new Inner("a", new IntArrayList(new int[] {1, 2})))), tags, counts);
        assertThat(ContentHash.of(sameContents)).isEqualTo(ContentHash.of(m));
    }

    @Test
    void everyComponentCounts() {
        Msg m = msg();
        long h = ContentHash.of(m);
        List<Msg> changed = List.of(
                new Msg(8, m.small(), m.flag(), m.ratio(), m.color(), m.ids(), m.inner(), m.tags(), m.counts()),
                new Msg(m.id(), 4, m.flag(), m.ratio(), m.color(), m.ids(), m.inner(), m.tags(), m.counts()),
                new Msg(m.id(), m.small(), false, m.ratio(), m.color(), m.ids(), m.inner(), m.tags(), m.counts()),
                new Msg(m.id(), m.small(), m.flag(), 0.25, m.color(), m.ids(), m.inner(), m.tags(), m.counts()),
                new Msg(m.id(), m.small(), m.flag(), m.ratio(), Color.GREEN, m.ids(), m.inner(), m.tags(), m.counts()),
                new Msg(m.id(), m.small(), m.flag(), m.ratio(), m.color(), new long[] {1, 2, 4}, m.inner(), m.tags(), m.counts()),
                new Msg(m.id(), m.small(), m.flag(), m.ratio(), m.color(), m.ids(), List.of(new Inner("a", IntList.of(1, 3))), m.tags(),
                        m.counts()),
                new Msg(m.id(), m.small(), m.flag(), m.ratio(), m.color(), m.ids(), List.of(new Inner("b", IntList.of(1, 2))), m.tags(),
                        m.counts()),
                new Msg(m.id(), m.small(), m.flag(), m.ratio(), m.color(), m.ids(), m.inner(), Set.of("x", "y"), m.counts()),
                new Msg(m.id(), m.small(), m.flag(), m.ratio(), m.color(), m.ids(), m.inner(), m.tags(), Map.of("k", 1, "l", 3)),
                new Msg(m.id(), m.small(), m.flag(), m.ratio(), m.color(), m.ids(), m.inner(), m.tags(), null));
        for (Msg c : changed) {
            assertThat(ContentHash.of(c)).as("%s", c).isNotEqualTo(h);
        }
    }

    @Test
    void orderCountsInListsAndOrderedContainersOnly() {
        assertThat(ContentHash.of(List.of(1, 2))).isNotEqualTo(ContentHash.of(List.of(2, 1)));
        assertThat(ContentHash.of(new LinkedHashSet<>(List.of(1, 2)))).isNotEqualTo(ContentHash.of(new LinkedHashSet<>(List.of(2, 1))));
        assertThat(ContentHash.of(new TreeMap<>(Map.of("a", 1, "b", 2)))).isEqualTo(ContentHash.of(new TreeMap<>(Map.of("b", 2, "a", 1))));
        assertThat(ContentHash.of(Set.of(1, 2))).isEqualTo(ContentHash.of(new HashSet<>(List.of(2, 1))));
    }

    @Test
    void recordsOfDifferentTypesWithEqualComponentsDiffer() {
        record A(long v) {
        }
        record B(long v) {
        }
        assertThat(ContentHash.of(new A(1))).isNotEqualTo(ContentHash.of(new B(1)));
    }

    record Payload(long n, String label) implements Message {
    }

    /**
     * Two nodes exchange 20 messages; {@code label} is the label of the 7th message only. Everything
     * else (times, sizes, order of events) is the same in both runs.
     */
    private static RunResult pingPong(String label) {
        Simulation sim = new Simulation(1);
        sim.network().setDefaultConfig(new LinkConfig(LatencyModel.constant(50 * Time.MICROSECOND), 0));
        NodeId[] ids = new NodeId[2];
        for (int i = 0; i < 2; i++) {
            int me = i;
            ids[i] = sim.addNode("p" + i, ctx -> new Node() {
                @Override
                public void onStart() {
                    if (me == 0) {
                        ctx.send(ids[1], new Payload(0, "same"));
                    }
                }

                @Override
                public void onMessage(NodeId from, Message m) {
                    long n = ((Payload) m).n() + 1;
                    if (n < 20) {
                        ctx.send(from, new Payload(n, n == 7 ? label : "same"));
                    }
                }
            });
        }
        sim.startAll();
        return sim.runUntilQuiescent(Time.SECOND);
    }

    @Test
    void twoRunsThatDifferInOneFieldOfOneMessageHaveDifferentFingerprints() {
        RunResult a = pingPong("same");
        RunResult again = pingPong("same");
        RunResult b = pingPong("other");
        assertThat(b.events()).isEqualTo(a.events()).isGreaterThanOrEqualTo(20);
        assertThat(b.endTimeNanos()).isEqualTo(a.endTimeNanos());
        assertThat(again.fingerprint()).isEqualTo(a.fingerprint());
        assertThat(b.fingerprint()).isNotEqualTo(a.fingerprint());
    }
}
