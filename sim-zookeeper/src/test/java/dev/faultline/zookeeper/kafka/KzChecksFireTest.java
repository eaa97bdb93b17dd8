package dev.faultline.zookeeper.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.NodeId;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * KZ-S1, KZ-S3 and KZ-S5 (docs/invariants.md) have no planted-bug switch that reaches them in this
 * model, so their checkers are driven here with the records a controller hands them: each test
 * feeds a history that breaks the statement and one that keeps it, and reads what the invariant
 * reports.
 */
class KzChecksFireTest {
    /** p-0 with replicas [1, 2, 3]. */
    private final ClusterSpec cluster = ClusterSpec.builder().brokers(3).topic("p", new int[] {1, 2, 3}).build();
    private final KzChecks checks = new KzChecks(() -> 0);

    private static KafkaZnodes.StateData state(int leader, int leaderEpoch, int... isr) {
        return new KafkaZnodes.StateData(leader, leaderEpoch, 1, IntList.of(isr));
    }

    /** What invariant {@code id} reports now (null when it holds). */
    private String reported(String id) {
        List<String> out = new ArrayList<>();
        checks.invariant(id).check(new CheckContext() {
            @Override
            public long now() {
                return 0;
            }

            @Override
            public long eventIndex() {
                return 0;
            }

            @Override
            public void fail(String invariant, String message, NodeId... nodes) {
                out.add(invariant + ": " + message);
            }
        });
        return out.isEmpty() ? null : out.get(0);
    }

    @Test
    void kzS1FiresWhenTwoBrokersActivateWithOneEpoch() {
        checks.controllerActivated(1, 1);
        checks.controllerActivated(2, 2);
        assertThat(reported("KZ-S1")).isNull();
        checks.controllerActivated(3, 2);
        assertThat(reported("KZ-S1")).isEqualTo("KZ-S1: controller epoch 2 claimed by brokers 2 and 3");
    }

    @Test
    void kzS1FiresWhenAnActivationGoesBackInEpoch() {
        checks.controllerActivated(1, 3);
        checks.controllerActivated(2, 2);
        assertThat(reported("KZ-S1")).isEqualTo("KZ-S1: broker 2 activated with epoch 2 after epoch 3");
    }

    @Test
    void kzS3HoldsForLegalWritesAndFiresOnAnUnraisedEpochOrTwoLeadersInOneEpoch() {
        // Election 1 -> 2 (epoch 0 -> 1), an AlterPartition (epoch kept), a controller ISR shrink (epoch 2).
        checks.partitionWritten(cluster, 0, IntList.of(1, 2, 3), 0, state(2, 1, 2, 3), true, false);
        checks.partitionWritten(cluster, 0, IntList.of(2, 3), 1, state(2, 1, 2), false, true);
        checks.partitionWritten(cluster, 0, IntList.of(2), 1, state(2, 2, 2), false, false);
        assertThat(reported("KZ-S3")).isNull();
        // A leader change that keeps the leader epoch, naming a second leader for epoch 2.
        checks.partitionWritten(cluster, 0, IntList.of(2, 3), 2, state(3, 2, 3), true, false);
        assertThat(reported("KZ-S3")).isEqualTo("KZ-S3: p-0 leader epoch 2 -> 2 on a controller change");
    }

    @Test
    void kzS3FiresWhenAnAlterPartitionChangesTheLeaderEpoch() {
        checks.partitionWritten(cluster, 0, IntList.of(1, 2, 3), 4, state(1, 5, 1, 2), false, true);
        assertThat(reported("KZ-S3")).isEqualTo("KZ-S3: p-0 leader epoch 4 -> 5 on an AlterPartition");
    }

    @Test
    void kzS5FiresOnAnElectionOutsideTheStoredIsrOnlyWhenTheTopicForbidsUncleanElection() {
        ClusterSpec unclean = ClusterSpec.builder().brokers(3).topic("p", new int[] {1, 2, 3})
                .config("unclean.leader.election.enable", true).build();
        checks.partitionWritten(unclean, 0, IntList.of(1), 0, state(3, 1, 3), true, false);
        assertThat(reported("KZ-S5")).as("the topic allows an unclean election to pick a replica outside the ISR").isNull();
        checks.partitionWritten(cluster, 0, IntList.of(3), 1, state(2, 2, 2), true, false);
        assertThat(reported("KZ-S5")).isEqualTo("KZ-S5: p-0 clean election of 2 outside the ISR [3]");
    }
}
