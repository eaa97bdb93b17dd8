package dev.faultline.scenarios.fuzz;

import dev.faultline.core.fault.Fault;
import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.Scenario.Mode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * Generates a cluster and a fault schedule from a seed (issue: fault fuzzing). A schedule has a
 * fault phase of bursts separated by quiet stretches, then a heal-and-quiesce phase — every
 * partition and link fault healed, every node recovered — long enough for liveness to be judged.
 * Settings stay within valid ranges, so every generated scenario passes validation.
 *
 * <p>Deterministic: the same seed and options give the same scenario.
 */
public final class ScheduleGenerator {
    /**
     * What to generate.
     *
     * @param mode the metadata mode, or {@code null} to draw one per seed
     * @param bugs planted-bug switches to turn on
     * @param faultPhaseNanos how long faults keep coming
     * @param quiesceNanos the quiet tail after the heal, for liveness
     * @param powerFailures whether power losses and lost disks are among the faults
     */
    public record Options(Mode mode, List<String> bugs, long faultPhaseNanos, long quiesceNanos, boolean powerFailures) {
        public Options {
            bugs = List.copyOf(bugs);
        }

        /** Defaults: a 40 s fault phase and a 30 s quiet tail; every kind of fault. */
        public static Options of(Mode mode, List<String> bugs) {
            return new Options(mode, bugs, 40 * Time.SECOND, 30 * Time.SECOND, true);
        }

        /** The same without power losses and lost disks (their hazards are Kafka's own, see the notes on DP-S1). */
        public Options withoutPowerFailures() {
            return new Options(mode, bugs, faultPhaseNanos, quiesceNanos, false);
        }
    }

    private ScheduleGenerator() {
    }

    public static Scenario generate(long seed, Options options) {
        SimRandom r = new SimRandom(seed).fork("fuzz-generator");
        Mode mode = options.mode() != null ? options.mode() : Mode.values()[r.nextInt(Mode.values().length)];
        int brokers = 3 + r.nextInt(3);
        // Sizes that do not apply to the mode keep their defaults (3), as the loader would read them.
        int controllers = mode == Mode.KRAFT && r.chance(0.3) ? 5 : 3;
        boolean combined = mode == Mode.KRAFT && r.chance(0.25) && brokers >= controllers;
        int zookeeper = mode == Mode.ZOOKEEPER && r.chance(0.3) ? 5 : 3;
        int rf = Math.min(brokers, 1 + r.nextInt(3));
        int partitions = 1 + r.nextInt(8);
        Map<String, String> config = new TreeMap<>();
        int minIsr = rf == 1 ? 1 : 1 + r.nextInt(rf);
        config.put("min.insync.replicas", Integer.toString(minIsr));
        if (r.chance(0.5)) {
            config.put("replica.lag.time.max.ms", Long.toString(5000 + r.nextInt(25) * 1000L));
        }
        if (r.chance(0.3)) {
            config.put("faultline.page.cache.flush.delay.ms", Long.toString(1000 + r.nextInt(30) * 1000L));
        }
        if (options.bugs().stream().anyMatch(b -> b.startsWith("replication."))) {
            // The data-plane bugs hide behind quick leader changes; an availability-first
            // configuration makes those likelier (its losses are EXPECTED, not violations).
            config.put("unclean.leader.election.enable", Boolean.toString(r.chance(0.5)));
        }
        for (String bug : options.bugs()) {
            config.put(bug, "true");
        }
        if (mode == Mode.KRAFT) {
            // Disruptive elections (raft.noPreVote) show only through stable leadership (KR-L4).
            config.put("faultline.check.stable.leadership", "true");
        }
        LatencyModel latency = r.chance(0.5) ? LatencyModel.constant((200 + r.nextInt(1800)) * Time.MICROSECOND)
                : new LatencyModel.LogNormal(500 * Time.MICROSECOND, (2 + r.nextInt(8)) * Time.MILLISECOND);
        Scenario.Cluster cluster = new Scenario.Cluster(mode, brokers, List.of(), controllers, combined, zookeeper, config,
                new Scenario.Network(latency, 0));
        List<Scenario.Topic> topics = List.of(new Scenario.Topic("t", partitions, rf, Map.of()));
        List<Scenario.Workload> workload = List.of(new Scenario.Producer("t", 20 + r.nextInt(200), "all", Map.of()));

        List<String> nodes = new ArrayList<>();
        for (int i = 1; i <= brokers; i++) {
            nodes.add("broker-" + i);
        }
        List<String> quorum = new ArrayList<>();
        if (mode == Mode.KRAFT && !combined) {
            for (int i = 1; i <= controllers; i++) {
                quorum.add("controller-" + i);
            }
        } else if (mode == Mode.ZOOKEEPER) {
            for (int i = 1; i <= zookeeper; i++) {
                quorum.add("zk-" + i);
            }
        }
        List<String> dataOnlyBrokers = new ArrayList<>(nodes.subList(combined ? controllers : 0, nodes.size()));
        List<String> everything = new ArrayList<>(nodes);
        everything.addAll(quorum);
        List<String> roles = new ArrayList<>(List.of("active-controller", "random-broker", "leader-of(t-0)"));
        if (mode == Mode.KRAFT) {
            roles.add("raft-leader");
        }
        if (mode == Mode.ZOOKEEPER) {
            roles.add("zk-leader");
        }

        List<Scenario.FaultEntry> faults = new ArrayList<>();
        long t = (3 + r.nextInt(5)) * Time.SECOND;
        long end = t + options.faultPhaseNanos();
        while (t < end) {
            int burst = 1 + r.nextInt(3);
            for (int i = 0; i < burst && t < end; i++) {
                faults.add(mode == Mode.ZOOKEEPER && r.chance(0.15) ? zookeeperAdminFault(r, t)
                        : randomFault(r, t, everything, quorum, roles, options.powerFailures(), dataOnlyBrokers));
                t += r.nextLongBetween(100, 3000) * Time.MILLISECOND;
            }
            t += r.nextLongBetween(2, 12) * Time.SECOND; // a quiet stretch
        }
        long heal = Math.max(t, end);
        faults.add(new Scenario.FaultEntry(heal, new Scenario.HealFault(), 0, 0, heal));
        faults.add(new Scenario.FaultEntry(heal, new Scenario.NodeFault(Scenario.NodeAction.RECOVER, List.of("all")), 0, 0, heal));
        long duration = heal + options.quiesceNanos();
        List<Scenario.Expectation> expect = List.of(new Scenario.NoViolations());
        return new Scenario("fuzz-" + Long.toUnsignedString(seed, 16), "Generated from seed " + seed + " by the fault fuzzer.", seed,
                duration, cluster, topics, workload, faults, expect, options.bugs());
    }

    /** The controller-thread pause and the forced re-election that only ZooKeeper mode has. */
    private static Scenario.FaultEntry zookeeperAdminFault(SimRandom r, long at) {
        if (r.nextBoolean()) {
            return new Scenario.FaultEntry(at, new Scenario.ControllerThreadPause(List.of("active-controller")),
                    r.nextLongBetween(1, 20) * Time.SECOND, 0, at);
        }
        return new Scenario.FaultEntry(at, new Scenario.ForceControllerElection(), 0, 0, at);
    }

    private static Scenario.FaultEntry randomFault(SimRandom r, long at, List<String> nodes, List<String> quorum, List<String> roles,
                                                   boolean powerFailures, List<String> dataOnlyBrokers) {
        String target = r.chance(0.5) ? roles.get(r.nextInt(roles.size())) : nodes.get(r.nextInt(nodes.size()));
        long forNanos = r.nextLongBetween(1, 20) * Time.SECOND;
        int kind = r.nextInt(10);
        if ((!powerFailures && (kind == 2 || kind == 9)) || (kind == 9 && dataOnlyBrokers.isEmpty())) {
            kind = 0; // a process crash instead
        }
        switch (kind) {
            case 9: {
                // A lost (replaced) disk: the broker comes back empty after 'for'. Only brokers that
                // hold no quorum state: Raft and ZAB assume stable storage, and a voter or ensemble
                // server that forgets its votes breaks them by design (KIP-853's directory ids
                // exist for that), which is a hazard of the deployment, not of the code under test.
                String broker = dataOnlyBrokers.get(r.nextInt(dataOnlyBrokers.size()));
                return new Scenario.FaultEntry(at, new Scenario.NodeFault(Scenario.NodeAction.WIPE_DISK, List.of(broker)), forNanos, 0, at);
            }
            case 0:
            case 1:
                return new Scenario.FaultEntry(at, new Scenario.NodeFault(Scenario.NodeAction.CRASH, List.of(target)), forNanos, 0, at);
            case 2:
                return new Scenario.FaultEntry(at, new Scenario.NodeFault(Scenario.NodeAction.POWER_LOSS, List.of(target)), forNanos, 0, at);
            case 3:
                return new Scenario.FaultEntry(at, new Scenario.NodeFault(Scenario.NodeAction.PAUSE, List.of(target)), forNanos, 0, at);
            case 4:
                return new Scenario.FaultEntry(at, new Scenario.PartitionFault(Fault.PartitionKind.ISOLATE, List.of(List.of(target))), forNanos, 0, at);
            case 5: {
                if (quorum.size() >= 3) {
                    return new Scenario.FaultEntry(at, new Scenario.PartitionFault(Fault.PartitionKind.MAJORITY_MINORITY, List.of(quorum)), forNanos, 0, at);
                }
                return new Scenario.FaultEntry(at, new Scenario.PartitionFault(Fault.PartitionKind.ISOLATE, List.of(List.of(target))), forNanos, 0, at);
            }
            case 6: {
                String other = nodes.get(r.nextInt(nodes.size()));
                return new Scenario.FaultEntry(at, new Scenario.PartitionFault(Fault.PartitionKind.ONE_WAY, List.of(List.of(target), List.of(other))),
                        forNanos, 0, at);
            }
            case 7:
                // Mostly short delays; now and then one longer than a broker session (9 s), which is what
                // lets a stale request arrive after its sender's view changed (KIP-903).
                long delayMs = r.chance(0.2) ? r.nextLongBetween(5000, 15000) : r.nextLongBetween(50, 3000);
                return new Scenario.FaultEntry(at, new Scenario.LinkFaultSpec(Scenario.LinkAction.DELAY, List.of(target), List.of("all"), true,
                        delayMs * Time.MILLISECOND, 0, List.of()), Math.max(forNanos, (delayMs + 1000) * Time.MILLISECOND), 0, at);
            case 8:
            default:
                return new Scenario.FaultEntry(at, new Scenario.LinkFaultSpec(Scenario.LinkAction.DROP, List.of(target), List.of("all"), r.nextBoolean(),
                        0, (5 + r.nextInt(50)) / 100.0, List.of()), forNanos, 0, at);
        }
    }
}
