package dev.faultline.zookeeper.ensemble;

/**
 * A write operation, alone or inside a {@code multi}. A version of -1 means "any version".
 * Data is a string (the simulator never needs bytes); its length stands for the payload size.
 */
public sealed interface Op {
    String path();

    /** Bytes this op adds to a request or a transaction. */
    default int sizeBytes() {
        return 32 + path().length();
    }

    record Create(String path, String data, CreateMode mode) implements Op {
        @Override
        public int sizeBytes() {
            return 40 + path.length() + data.length();
        }
    }

    record Delete(String path, int version) implements Op {
    }

    record SetData(String path, String data, int version) implements Op {
        @Override
        public int sizeBytes() {
            return 40 + path.length() + data.length();
        }
    }

    /** {@code CheckOp}: fails the multi unless the znode exists with this version. */
    record Check(String path, int version) implements Op {
    }

    /**
     * Creates every partition znode and state znode under the given parents of the tree's
     * {@link PartitionZnodeLayout} (each parent must exist and have none of them yet), the state
     * znodes with the layout's initial state. It stands for the one create per znode that Kafka's
     * topic creation writes, so that the cluster's initial topics (created before the run) are one
     * compact transaction; servers that apply the same transaction share the resulting columns until
     * they write to them (copy on write). Sized as the creates it stands for.
     */
    final class CreatePartitions implements Op, dev.faultline.core.trace.ContentHashed {
        private final int[] parents;
        private final int sizeBytes;
        /** Columns built by the first tree that applied this op at {@link #memoZxid} (shared, frozen). */
        Object memo;
        long memoZxid = -1;

        private final long znodes;

        /**
         * @param parents the layout parents (topics) whose partitions are created
         * @param znodes the znodes it creates (two per partition)
         * @param sizeBytes the bytes of the creates it stands for
         */
        public CreatePartitions(int[] parents, long znodes, int sizeBytes) {
            this.parents = parents.clone();
            this.znodes = znodes;
            this.sizeBytes = sizeBytes;
        }

        public long znodes() {
            return znodes;
        }

        public int[] parents() {
            return parents.clone();
        }

        int parentCount() {
            return parents.length;
        }

        int parent(int i) {
            return parents[i];
        }

        @Override
        public String path() {
            return "/brokers/topics";
        }

        @Override
        public int sizeBytes() {
            return sizeBytes;
        }

        /** For the fingerprint: the parents, znodes and size (not the memo, a cache of the applied result). */
        @Override
        public long contentHash() {
            long h = dev.faultline.core.trace.ContentHash.step(znodes, sizeBytes);
            for (int p : parents) {
                h = dev.faultline.core.trace.ContentHash.step(h, p);
            }
            return h;
        }

        @Override
        public String toString() {
            return "CreatePartitions" + java.util.Arrays.toString(parents);
        }
    }
}
