package dev.faultline.core.kafka;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * An AlterPartition answer never makes a leader propose again without bound at the same instant.
 * The oracle answers within the instant of the request, so a leader that re-proposed an expansion
 * after every answer, rejected ones included, looped forever on a follower the controller keeps
 * refusing (INELIGIBLE_REPLICA): the simulation never advanced. {@link DataPlaneProperties}'s
 * schedule with seed 1 reached that state; a regression fails on the timeout instead of hanging
 * the build (the loop never returns, so the test runs in a thread of its own).
 */
class IsrAnswerRetryTest {

    @Test
    @Timeout(value = 60, unit = TimeUnit.SECONDS, threadMode = Timeout.ThreadMode.SEPARATE_THREAD)
    void aRejectedExpansionIsNotProposedAgainAtTheSameInstant() {
        KafkaCluster c = DataPlaneProperties.runSchedule(1L);
        assertThat(c.sim().violation()).isNull();
        assertThat(c.checkConverged()).isNull();
    }
}
