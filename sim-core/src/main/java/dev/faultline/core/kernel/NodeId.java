package dev.faultline.core.kernel;

/**
 * A node of the simulation: a dense index (used for arrays) and a unique name such as
 * {@code broker-3}. Created only by {@link Simulation#addNode}; equality and hash code follow the
 * index, so hash containers keyed by node iterate in the same order on every JVM.
 */
public final class NodeId implements Comparable<NodeId>, dev.faultline.core.trace.ContentHashed {
    private final int index;
    private final String name;

    NodeId(int index, String name) {
        this.index = index;
        this.name = name;
    }

    public int index() {
        return index;
    }

    public String name() {
        return name;
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof NodeId && ((NodeId) o).index == index;
    }

    @Override
    public int hashCode() {
        return index;
    }

    /** Its index, for the fingerprint (names follow indexes). */
    @Override
    public long contentHash() {
        return index;
    }

    @Override
    public int compareTo(NodeId o) {
        return Integer.compare(index, o.index);
    }

    @Override
    public String toString() {
        return name;
    }
}
