package dev.faultline.core.net;

import dev.faultline.core.kernel.NodeId;
import java.util.ArrayList;
import java.util.List;

/**
 * A network partition: which directed links it cuts. Nodes a spec does not name keep all their
 * links. Every kind is healable ({@link Network#heal}).
 */
public sealed interface PartitionSpec {

    /** Marks the directed links this partition cuts: {@code cut[from * n + to] = true}. */
    void apply(boolean[] cut, int n);

    /** A short description for traces and reports. */
    String describe();

    /** The node can neither send to nor receive from anyone. */
    record Isolate(NodeId node) implements PartitionSpec {
        @Override
        public void apply(boolean[] cut, int n) {
            int a = node.index();
            for (int b = 0; b < n; b++) {
                if (b != a) {
                    cut[a * n + b] = true;
                    cut[b * n + a] = true;
                }
            }
        }

        @Override
        public String describe() {
            return "isolate " + node;
        }
    }

    /**
     * The listed groups cannot reach each other. With {@code restIsAGroup}, nodes in no group form
     * one more group (the YAML {@code rest}), so {@code split([[b1, b2]], true)} cuts b1 and b2 off
     * from everyone else; without it, unlisted nodes keep all their links.
     */
    record Split(List<List<NodeId>> groups, boolean restIsAGroup) implements PartitionSpec {
        public Split {
            groups = List.copyOf(groups.stream().map(List::copyOf).toList());
        }

        @Override
        public void apply(boolean[] cut, int n) {
            int[] group = groupOf(groups, n);
            int rest = groups.size();
            for (int a = 0; a < n; a++) {
                for (int b = 0; b < n; b++) {
                    if (a == b || group[a] == group[b]) {
                        continue;
                    }
                    if (!restIsAGroup && (group[a] == rest || group[b] == rest)) {
                        continue;
                    }
                    cut[a * n + b] = true;
                }
            }
        }

        @Override
        public String describe() {
            return "split " + groups + (restIsAGroup ? " | rest" : "");
        }
    }

    /** Messages from {@code from} to {@code to} are lost; the other direction still works. */
    record OneWay(List<NodeId> from, List<NodeId> to) implements PartitionSpec {
        public OneWay {
            from = List.copyOf(from);
            to = List.copyOf(to);
        }

        @Override
        public void apply(boolean[] cut, int n) {
            for (NodeId a : from) {
                for (NodeId b : to) {
                    if (!a.equals(b)) {
                        cut[a.index() * n + b.index()] = true;
                    }
                }
            }
        }

        @Override
        public String describe() {
            return "one-way " + from + " -/-> " + to;
        }
    }

    /**
     * Two sides that cannot reach each other, and one bridge node that reaches both (Jepsen's
     * "bridge"). Nodes on neither side keep all their links.
     */
    record Bridge(List<NodeId> sideA, List<NodeId> sideB, NodeId bridge) implements PartitionSpec {
        public Bridge {
            sideA = List.copyOf(sideA);
            sideB = List.copyOf(sideB);
        }

        @Override
        public void apply(boolean[] cut, int n) {
            for (NodeId a : sideA) {
                for (NodeId b : sideB) {
                    if (!a.equals(bridge) && !b.equals(bridge) && !a.equals(b)) {
                        cut[a.index() * n + b.index()] = true;
                        cut[b.index() * n + a.index()] = true;
                    }
                }
            }
        }

        @Override
        public String describe() {
            return "bridge " + sideA + " <-" + bridge + "-> " + sideB;
        }
    }

    /**
     * The nodes in a ring (in the given order): each reaches only its nearest ring neighbours,
     * just enough of them that it sees a majority of the ring (itself included), and no two nodes
     * see the same majority (Jepsen's "majorities ring").
     */
    record Ring(List<NodeId> nodes) implements PartitionSpec {
        public Ring {
            nodes = List.copyOf(nodes);
        }

        /** How far along the ring a node still reaches. */
        public int reach() {
            int majority = nodes.size() / 2 + 1;
            return majority / 2;
        }

        @Override
        public void apply(boolean[] cut, int n) {
            int size = nodes.size();
            int reach = reach();
            for (int i = 0; i < size; i++) {
                for (int j = 0; j < size; j++) {
                    if (i == j) {
                        continue;
                    }
                    int d = Math.abs(i - j);
                    d = Math.min(d, size - d);
                    if (d > reach) {
                        cut[nodes.get(i).index() * n + nodes.get(j).index()] = true;
                    }
                }
            }
        }

        @Override
        public String describe() {
            return "ring " + nodes + " (reach " + reach() + ")";
        }
    }

    /**
     * Splits {@code nodes} into a minority (the first {@code nodes.size() / 2}, in the given order)
     * and a majority (the rest), cut from each other; nodes not in the list keep their links.
     * Shuffle the list first for a random split.
     */
    static Split majorityMinority(List<NodeId> nodes) {
        int minority = nodes.size() / 2;
        List<List<NodeId>> groups = new ArrayList<>();
        groups.add(nodes.subList(0, minority));
        groups.add(nodes.subList(minority, nodes.size()));
        return new Split(groups, false);
    }

    private static int[] groupOf(List<List<NodeId>> groups, int n) {
        int[] group = new int[n];
        java.util.Arrays.fill(group, groups.size());
        for (int g = 0; g < groups.size(); g++) {
            for (NodeId id : groups.get(g)) {
                if (id.index() < n) {
                    group[id.index()] = g;
                }
            }
        }
        return group;
    }
}
