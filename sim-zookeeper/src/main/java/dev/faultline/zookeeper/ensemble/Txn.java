package dev.faultline.zookeeper.ensemble;

import java.util.List;

/** The body of a ZooKeeper transaction, as logged and applied by every server. */
public sealed interface Txn {
    default int sizeBytes() {
        return 32;
    }

    /** Znodes this transaction creates in bulk ({@link Op.CreatePartitions}), for load costs. */
    default long bulkZnodes() {
        return 0;
    }

    /** A session is created: every server learns its id and negotiated timeout. */
    record CreateSession(long sessionId, long timeoutNanos) implements Txn {
    }

    /** A session closes (client close or expiry at the leader): its ephemerals go with it. */
    record CloseSession(long sessionId) implements Txn {
    }

    /**
     * One write or an atomic {@code multi}. Simplification: the leader does not pre-validate
     * against outstanding changes (PrepRequestProcessor); instead every server validates the ops
     * when it applies them. All servers apply the same sequence to the same state, so the outcome
     * (success or the error code) is identical everywhere, as in real ZooKeeper where the leader
     * logs an error transaction.
     */
    record Ops(List<Op> ops, boolean multi) implements Txn {
        public Ops {
            ops = List.copyOf(ops);
        }

        @Override
        public int sizeBytes() {
            int size = 16;
            for (Op op : ops) {
                size += op.sizeBytes();
            }
            return size;
        }

        @Override
        public long bulkZnodes() {
            long n = 0;
            for (Op op : ops) {
                if (op instanceof Op.CreatePartitions c) {
                    n += c.znodes();
                }
            }
            return n;
        }
    }
}
