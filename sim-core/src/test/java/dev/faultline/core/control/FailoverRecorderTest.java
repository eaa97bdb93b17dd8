package dev.faultline.core.control;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import java.util.List;
import org.junit.jupiter.api.Test;

class FailoverRecorderTest {
    private static final long S = Time.SECOND;

    @Test
    void brokerFailurePhasesEndWhenTheLastAffectedPartitionReachesThem() {
        FailoverRecorder r = new FailoverRecorder();
        ControlHistory h = new ControlHistory(r);
        r.brokerFailed(1, 10 * S, new int[] {4, 7});
        r.brokerFailureDetected(1, 19 * S);
        h.leaderElected(20 * S, PartitionState.of(4, 2, 1, new int[] {2, 3}, 1), false, "test");
        r.leadershipApplied(2, 4, 1, 21 * S);
        assertThat(r.measurements().get(0).electNanos()).isEqualTo(-1); // partition 7 has no leader yet
        h.leaderElected(22 * S, PartitionState.of(7, 3, 5, new int[] {3}, 6), true, "test");
        r.leadershipApplied(3, 7, 4, 23 * S); // an older epoch does not count
        r.leadershipApplied(3, 7, 5, 24 * S);
        r.produceSucceeded(4, 25 * S);
        r.produceSucceeded(7, 27 * S);
        FailoverMeasurement m = r.result("test", h).failovers().get(0);
        assertThat(m.detectNanos()).isEqualTo(9 * S);
        assertThat(m.electNanos()).isEqualTo(12 * S);
        assertThat(m.propagateNanos()).isEqualTo(14 * S);
        assertThat(m.clientNanos()).isEqualTo(17 * S);
        assertThat(m.unavailability().count()).isEqualTo(2);
        assertThat(m.unavailability().minNanos()).isEqualTo(15 * S);
        assertThat(m.complete()).isTrue();
        assertThat(r.result("test", h).uncleanElections()).isEqualTo(1);
    }

    @Test
    void controllerFailurePhasesRunFromElectionToEveryBrokerKnowing() {
        Simulation sim = new Simulation(1);
        NodeId controller = sim.addNode("controller-1", ctx -> (from, m) -> { });
        FailoverRecorder r = new FailoverRecorder();
        ControlHistory h = new ControlHistory(r);
        r.controllerFailed(controller, 5 * S, new int[] {1, 2});
        r.controllerElectionStarted(6 * S);
        h.controllerElected(8 * S, controller, 3, "test");
        r.controllerReady(9 * S);
        r.brokerLearnedController(1, 10 * S);
        assertThat(r.measurements().get(0).propagateNanos()).isEqualTo(-1);
        r.brokerLearnedController(2, 11 * S);
        FailoverMeasurement m = r.measurements().get(0);
        assertThat(List.of(m.detectNanos(), m.electNanos(), m.readyNanos(), m.propagateNanos())).containsExactly(S, 3 * S, 4 * S, 6 * S);
        assertThat(m.kind()).isEqualTo(FailoverMeasurement.Kind.CONTROLLER);
    }
}
