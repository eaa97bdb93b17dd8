package dev.faultline.core.kafka;

import dev.faultline.core.control.PartitionState;
import java.util.Arrays;

/**
 * Assertions about a {@link KafkaCluster}'s state for tests, each failing with an
 * {@link AssertionError} that says what the control plane and the brokers hold.
 */
final class ClusterAssertions {
    private final KafkaCluster cluster;

    ClusterAssertions(KafkaCluster cluster) {
        this.cluster = cluster;
    }

    /**
     * Asserts the ISR of a partition, as the control plane holds it and as its current leader applied
     * it (in any order).
     */
    void isr(String partition, int... expected) {
        PartitionState s = cluster.state(partition);
        int[] want = expected.clone();
        Arrays.sort(want);
        int[] authoritative = s.isr().toIntArray();
        Arrays.sort(authoritative);
        if (!Arrays.equals(want, authoritative)) {
            throw new AssertionError("ISR of " + partition + ": expected " + Arrays.toString(want) + " but the control plane has " + s);
        }
        KafkaBroker leader = s.hasLeader() ? cluster.broker(s.leader()) : null;
        if (leader != null) {
            int[] applied = leader.isr(cluster.partition(partition));
            Arrays.sort(applied);
            if (!Arrays.equals(want, applied)) {
                throw new AssertionError("ISR of " + partition + ": expected " + Arrays.toString(want) + " but leader broker-" + s.leader()
                        + " applied " + Arrays.toString(applied));
            }
        }
    }

    /** Asserts the leader of a partition, decided by the control plane and applied by that broker. */
    void leader(String partition, int expected) {
        PartitionState s = cluster.state(partition);
        if (s.leader() != expected) {
            throw new AssertionError("leader of " + partition + ": expected " + expected + " but the control plane has " + s);
        }
        KafkaBroker b = cluster.broker(expected);
        if (b == null || !b.isLeader(cluster.partition(partition))) {
            throw new AssertionError("leader of " + partition + ": broker-" + expected + " has not applied its leadership");
        }
    }

    /** Asserts that no invariant failed. */
    void noViolation() {
        if (cluster.sim().violation() != null) {
            throw new AssertionError("unexpected violation: " + cluster.sim().violation().report());
        }
    }
}
