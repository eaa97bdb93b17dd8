package dev.faultline.core.net;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.IntRange;

/**
 * Property tests over random topologies and partition schedules: a message arrives exactly when its
 * link was open both when it was sent and when it would arrive, and every link stays FIFO.
 */
class NetworkProperties {
    private static final long LATENCY = 3 * Time.MILLISECOND;

    record Probe(int from, int to, int n) implements Message {
    }

    @Property(tries = 60)
    void deliveredIffLinkOpenAtSendAndArrivalAndFifo(@ForAll long seed, @ForAll @IntRange(min = 2, max = 7) int nodes) {
        Simulation sim = new Simulation(seed);
        sim.network().setDefaultConfig(new LinkConfig(LatencyModel.constant(LATENCY), 0));
        Map<Integer, List<Probe>> received = new HashMap<>();
        List<NodeId> ids = new ArrayList<>();
        NodeContext[] contexts = new NodeContext[nodes];
        for (int i = 0; i < nodes; i++) {
            int me = i;
            received.put(me, new ArrayList<>());
            ids.add(sim.addNode("n" + i, ctx -> {
                contexts[me] = ctx;
                return (from, m) -> received.get(me).add((Probe) m);
            }));
        }
        sim.startAll();
        SimRandom r = new SimRandom(seed ^ 0xABCDEF);
        // Partitions change at odd microseconds, sends happen at whole milliseconds: never the same instant.
        List<Integer> active = new ArrayList<>();
        for (int step = 0; step < 30; step++) {
            long at = step * 10 * Time.MILLISECOND + 7 * Time.MICROSECOND + r.nextInt(9) * Time.MILLISECOND;
            PartitionSpec spec = randomSpec(r, ids);
            boolean heal = r.chance(0.4);
            sim.schedule(at, () -> {
                if (heal && !active.isEmpty()) {
                    sim.network().heal(active.remove(0));
                } else {
                    active.add(sim.network().partition(spec));
                }
            });
        }
        List<Probe> expected = new ArrayList<>();
        int[] counter = {0};
        for (long t = 0; t < 300; t++) {
            int sends = r.nextInt(4);
            for (int s = 0; s < sends; s++) {
                int from = r.nextInt(nodes);
                int to = (from + 1 + r.nextInt(nodes - 1)) % nodes;
                long at = t * Time.MILLISECOND;
                sim.schedule(at, () -> {
                    Probe p = new Probe(from, to, counter[0]++);
                    boolean openAtSend = !sim.network().isCut(from, to);
                    // Sent through the node's own context; outside a handler it leaves at once.
                    contexts[from].send(ids.get(to), p);
                    sim.schedule(at + LATENCY, () -> {
                        if (openAtSend && !sim.network().isCut(from, to)) {
                            expected.add(p);
                        }
                    });
                });
            }
        }
        sim.runFor(Time.SECOND);
        List<Probe> got = new ArrayList<>();
        for (List<Probe> l : received.values()) {
            got.addAll(l);
        }
        assertThat(got).as("seed %d", seed).containsExactlyInAnyOrderElementsOf(expected);
        for (int to = 0; to < nodes; to++) {
            int[] last = new int[nodes];
            java.util.Arrays.fill(last, -1);
            for (Probe p : received.get(to)) {
                assertThat(p.n()).as("FIFO %d->%d, seed %d", p.from(), to, seed).isGreaterThan(last[p.from()]);
                last[p.from()] = p.n();
            }
        }
    }

    private static PartitionSpec randomSpec(SimRandom r, List<NodeId> ids) {
        List<NodeId> shuffled = new ArrayList<>(ids);
        r.shuffle(shuffled);
        int cut = 1 + r.nextInt(Math.max(1, ids.size() - 1));
        switch (r.nextInt(5)) {
            case 0: return new PartitionSpec.Split(List.of(List.of(shuffled.get(0))), true);
            case 1: return new PartitionSpec.Split(List.of(shuffled.subList(0, cut)), r.nextBoolean());
            case 2: return new PartitionSpec.OneWay(shuffled.subList(0, cut), shuffled.subList(cut, shuffled.size()));
            case 3: return PartitionSpec.majorityMinority(shuffled);
            default: return new PartitionSpec.Ring(shuffled);
        }
    }
}
