package dev.faultline.raft.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.Violation;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.harness.RaftCluster;
import dev.faultline.raft.quorum.RaftNode;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random crash, restart, power-loss, pause, delay, drop and partition schedules against 3 and 5
 * voters with two observers and a client: every safety invariant (and check-quorum, KR-L2) holds
 * after every event; once the faults heal, a leader commits and the quorum makes progress again.
 * A failure prints the schedule and the simulation seed.
 */
class RandomFaultPropertiesTest {
    private static final long MS = Time.MILLISECOND;
    private static final long S = Time.SECOND;
    private static final int OBSERVERS = 2;

    enum Kind { CRASH, POWER_LOSS, PAUSE, DELAY, DROP, ISOLATE, SPLIT }

    /** One fault: when it starts, what it does, to which node (modulo the cluster size), and how long it lasts. */
    record Fault(long atMs, Kind kind, int target, long durationMs) {
    }

    record Schedule(long seed, List<Fault> faults) {
    }

    @Property(tries = 25)
    void threeVotersStaySafeAndRecover(@ForAll("schedules") Schedule schedule) {
        check(3, schedule);
    }

    @Property(tries = 25)
    void fiveVotersStaySafeAndRecover(@ForAll("schedules") Schedule schedule) {
        check(5, schedule);
    }

    @Provide
    Arbitrary<Schedule> schedules() {
        Arbitrary<Fault> fault = Combinators.combine(Arbitraries.longs().between(0, 20_000),
                Arbitraries.of(Kind.class), Arbitraries.integers().between(0, 6),
                Arbitraries.longs().between(50, 8_000)).as(Fault::new);
        return Combinators.combine(Arbitraries.longs(), fault.list().ofMinSize(1).ofMaxSize(8)).as(Schedule::new);
    }

    private static void check(int voters, Schedule schedule) {
        Set<String> ids = new HashSet<>(RaftInvariants.SAFETY);
        ids.add(RaftInvariants.CHECK_QUORUM);
        RaftCluster c = RaftCluster.builder().voters(voters).observers(OBSERVERS).seed(schedule.seed())
                .client(2 * MS, 3 * MS).invariants(ids).build().start();
        Simulation sim = c.sim();
        int nodes = voters + OBSERVERS;
        long start = 2 * S;
        long end = start;
        for (Fault f : schedule.faults()) {
            NodeId target = c.nodeId(f.target() % nodes);
            NodeId other = c.nodeId((f.target() + 1) % voters);
            long at = start + f.atMs() * MS;
            long until = at + f.durationMs() * MS;
            end = Math.max(end, until);
            apply(c, f.kind(), target, other, at, until);
        }
        long healed = end + 10 * MS;
        sim.schedule(healed, () -> healEverything(c, nodes));
        sim.run(healed + 25 * S, Long.MAX_VALUE);
        String replay = "voters=" + voters + " " + schedule;
        Violation v = sim.violation();
        assertThat(v).as(replay + "\n" + (v == null ? "" : v.report())).isNull();

        // Liveness once the faults heal: a committed leader, progress, and every voter catching up.
        NodeId leader = c.awaitCommittedLeader(5 * S);
        assertThat(leader).as("no committed leader 25 s after healing; " + replay).isNotNull();
        long hw = c.raft(leader).highWatermark();
        c.runFor(3 * S);
        assertThat(sim.violation()).as(replay).isNull();
        NodeId now = c.leader();
        assertThat(c.raft(now).highWatermark()).as("no progress after healing; " + replay).isGreaterThan(hw + 500);
        for (NodeId id : c.voters()) {
            RaftNode n = c.raft(id);
            assertThat(n.highWatermark()).as(id + " lags; " + replay).isGreaterThan(c.raft(now).highWatermark() - 600);
        }
    }

    private static void apply(RaftCluster c, Kind kind, NodeId target, NodeId other, long at, long until) {
        Simulation sim = c.sim();
        switch (kind) {
            case CRASH:
                sim.schedule(at, () -> { if (sim.isUp(target)) { c.crash(target); } });
                sim.schedule(until, () -> { if (!sim.isUp(target)) { c.restart(target); } });
                break;
            case POWER_LOSS:
                sim.schedule(at, () -> { if (sim.isUp(target)) { c.powerLoss(target); } });
                sim.schedule(until, () -> { if (!sim.isUp(target)) { c.restart(target); } });
                break;
            case PAUSE:
                sim.schedule(at, () -> { if (sim.isUp(target) && !sim.isPaused(target)) { c.pause(target); } });
                sim.schedule(until, () -> { if (sim.isPaused(target)) { c.resume(target); } });
                break;
            case DELAY: {
                int[] id = {-1};
                List<NodeId> rest = new ArrayList<>(c.voters());
                rest.remove(target);
                sim.schedule(at, () -> id[0] = c.delay(List.of(target), rest, (until - at) / 4));
                sim.schedule(until, () -> c.removeLinkFault(id[0]));
                break;
            }
            case DROP: {
                int[] id = {-1};
                sim.schedule(at, () -> id[0] = c.drop(List.of(target), List.of(other)));
                sim.schedule(until, () -> c.removeLinkFault(id[0]));
                break;
            }
            case ISOLATE: {
                int[] id = {-1};
                sim.schedule(at, () -> id[0] = c.isolate(target));
                sim.schedule(until, () -> c.heal(id[0]));
                break;
            }
            default: {
                int[] id = {-1};
                List<NodeId> group = target.equals(other) ? List.of(target) : List.of(target, other);
                sim.schedule(at, () -> id[0] = c.split(group));
                sim.schedule(until, () -> c.heal(id[0]));
                break;
            }
        }
    }

    private static void healEverything(RaftCluster c, int nodes) {
        Simulation sim = c.sim();
        c.healAll();
        sim.network().clearLinkFaults();
        for (int i = 0; i < nodes; i++) {
            NodeId id = c.nodeId(i);
            if (!sim.isUp(id)) {
                c.restart(id);
            } else if (sim.isPaused(id)) {
                c.resume(id);
            }
        }
    }
}
