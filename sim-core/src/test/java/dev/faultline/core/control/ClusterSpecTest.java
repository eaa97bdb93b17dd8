package dev.faultline.core.control;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Map;
import org.junit.jupiter.api.Test;

class ClusterSpecTest {
    @Test
    void partitionsAreNumberedAcrossTopicsAndNamedLikeKafka() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).topic("orders", 4, 3).topic("audit", 2, 2).build();
        assertThat(spec.partitionCount()).isEqualTo(6);
        assertThat(spec.partitionName(4)).isEqualTo("audit-0");
        assertThat(spec.partition("orders-3")).isEqualTo(3);
        assertThat(spec.replicaCount()).isEqualTo(4 * 3 + 2 * 2);
    }

    @Test
    void defaultPlacementSpreadsPreferredLeadersAndNeverRepeatsABroker() {
        ClusterSpec spec = ClusterSpec.builder().brokers(5).topic("t", 20, 3).build();
        int[] leaders = new int[6];
        for (int p = 0; p < 20; p++) {
            int[] r = spec.replicas(p);
            assertThat(r).doesNotHaveDuplicates().hasSize(3);
            leaders[r[0]]++;
        }
        assertThat(leaders).containsExactly(0, 4, 4, 4, 4, 4);
    }

    @Test
    void topicConfigOverridesClusterConfigAndDefaultsAreKafkas() {
        ClusterSpec spec = ClusterSpec.builder().brokers(3).config("min.insync.replicas", 2)
                .topic("a", 1, 3).topic("b", 1, 3, Map.of("min.insync.replicas", "1")).build();
        assertThat(spec.minInsyncReplicas(0)).isEqualTo(2);
        assertThat(spec.minInsyncReplicas(1)).isEqualTo(1);
        assertThat(spec.config().getLong("replica.lag.time.max.ms")).isEqualTo(30000);
        assertThat(spec.uncleanLeaderElectionEnabled(0)).isFalse();
    }

    @Test
    void rejectsReplicationFactorAboveBrokerCount() {
        assertThatThrownBy(() -> ClusterSpec.builder().brokers(2).topic("t", 1, 3).build())
                .hasMessageContaining("replication.factor 3");
    }
}
