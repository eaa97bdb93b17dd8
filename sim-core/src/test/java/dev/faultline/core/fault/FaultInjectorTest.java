package dev.faultline.core.fault;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import java.util.List;
import org.junit.jupiter.api.Test;

class FaultInjectorTest {
    static final long MS = Time.MILLISECOND;

    private static Simulation threeNodes() {
        Simulation sim = new Simulation(1);
        for (int i = 1; i <= 3; i++) {
            sim.addNode("broker-" + i, ctx -> (NodeId from, Message m) -> { });
        }
        sim.startAll();
        return sim;
    }

    @Test
    void crashWithDurationRestartsTheNode() {
        Simulation sim = threeNodes();
        FaultInjector faults = new FaultInjector(sim);
        NodeId b2 = sim.node("broker-2");
        faults.scheduleAt(10 * MS, new Fault.Crash(Target.node("broker-2"), 20 * MS));
        sim.run(15 * MS, Long.MAX_VALUE);
        assertThat(sim.isUp(b2)).isFalse();
        sim.run(40 * MS, Long.MAX_VALUE);
        assertThat(sim.isUp(b2)).isTrue();
        assertThat(sim.incarnation(b2)).isEqualTo(3);
        assertThat(faults.history()).extracting(FaultInjector.Applied::nodes).containsExactly(List.of(b2));
    }

    @Test
    void pausePartitionAndLinkFaultsRevertAfterTheirDuration() {
        Simulation sim = threeNodes();
        FaultInjector faults = new FaultInjector(sim);
        NodeId b1 = sim.node("broker-1");
        NodeId b3 = sim.node("broker-3");
        faults.scheduleAt(MS, new Fault.Pause(Target.node("broker-1"), 10 * MS));
        faults.scheduleAt(MS, new Fault.Partition(Fault.PartitionKind.ISOLATE, List.of(Target.node("broker-3")), 10 * MS));
        faults.scheduleAt(MS, new Fault.Links(Target.node("broker-1"), Target.node("broker-3"), true,
                new dev.faultline.core.net.LinkFault(5 * MS, 0, 0, 0), 10 * MS));
        sim.run(5 * MS, Long.MAX_VALUE);
        assertThat(sim.isPaused(b1)).isTrue();
        assertThat(sim.network().connected(b1, b3)).isFalse();
        assertThat(sim.network().linkFault(b3, b1).extraDelayNanos()).isEqualTo(5 * MS);
        sim.run(20 * MS, Long.MAX_VALUE);
        assertThat(sim.isPaused(b1)).isFalse();
        assertThat(sim.network().connected(b1, b3)).isTrue();
        assertThat(sim.network().linkFault(b3, b1).isNone()).isTrue();
    }

    @Test
    void recoverStartsDownNodesAndResumesPausedOnesOnly() {
        Simulation sim = threeNodes();
        FaultInjector faults = new FaultInjector(sim);
        NodeId b1 = sim.node("broker-1");
        NodeId b2 = sim.node("broker-2");
        NodeId b3 = sim.node("broker-3");
        sim.crash(b1);
        sim.pause(b2);
        faults.apply(new Fault.Recover(Target.nodes(List.of("broker-1", "broker-2", "broker-3"))));
        assertThat(sim.isUp(b1)).isTrue();
        assertThat(sim.isPaused(b2)).isFalse();
        assertThat(sim.incarnation(b3)).isEqualTo(1);
    }

    @Test
    void targetsResolveWhenTheFaultFires() {
        Simulation sim = threeNodes();
        FaultInjector faults = new FaultInjector(sim);
        String[] holder = {"broker-1"};
        Target role = Target.of("leader", s -> List.of(s.node(holder[0])));
        faults.scheduleAt(10 * MS, new Fault.Crash(role, 0));
        sim.schedule(5 * MS, () -> holder[0] = "broker-3");
        sim.run(20 * MS, Long.MAX_VALUE);
        assertThat(sim.isUp(sim.node("broker-1"))).isTrue();
        assertThat(sim.isUp(sim.node("broker-3"))).isFalse();
    }

    @Test
    void repeatedEntriesFireEveryPeriodUntilTheirEnd() {
        Simulation sim = threeNodes();
        FaultInjector faults = new FaultInjector(sim);
        new FaultSchedule().add(new FaultSchedule.Entry(10 * MS, new Fault.Restart(Target.node("broker-2")), 10 * MS, 40 * MS)).install(faults);
        sim.run(100 * MS, Long.MAX_VALUE);
        assertThat(faults.history()).extracting(FaultInjector.Applied::timeNanos).containsExactly(10 * MS, 20 * MS, 30 * MS, 40 * MS);
    }
}
