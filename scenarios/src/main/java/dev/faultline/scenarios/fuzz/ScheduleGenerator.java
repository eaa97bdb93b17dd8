package dev.faultline.scenarios.fuzz;

import dev.faultline.core.fault.Fault;
import dev.faultline.core.kernel.SimRandom;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.mode.KafkaVersion;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.scenarios.spec.Expectation;
import dev.faultline.scenarios.spec.FaultSpec;
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
        if (r.chance(0.4)) {
            // Availability first, as some operators run it: losses after an unclean election are
            // EXPECTED, not violations, and epoch-lineage bugs (KIP-101/279) hide behind it.
            config.put("unclean.leader.election.enable", "true");
        }
        // Planted bugs go in the scenario's 'bugs' list only, so that the same scenario without
        // them is the differential baseline (RediscoveryTest).
        if (mode == Mode.KRAFT) {
            // Disruptive elections (raft.noPreVote) show only through stable leadership (KR-L4).
            config.put("faultline.check.stable.leadership", "true");
        }
        LatencyModel latency = r.chance(0.5) ? LatencyModel.constant((200 + r.nextInt(1800)) * Time.MICROSECOND)
                : new LatencyModel.LogNormal(500 * Time.MICROSECOND, (2 + r.nextInt(8)) * Time.MILLISECOND);
        // KRaft clusters model Kafka 4.0: stable leadership (KR-L4, opted in above) is a property of
        // pre-vote (KIP-996), which 3.9 does not have; there, a voter cut off and healed disrupts the
        // leader by design. ZooKeeper mode and the oracle model 3.9.
        Scenario.Cluster cluster = new Scenario.Cluster(mode, brokers, List.of(), controllers, combined, zookeeper, config,
                new Scenario.Network(latency, 0)).withVersion(mode == Mode.KRAFT ? KafkaVersion.V4_0 : KafkaVersion.V3_9);
        List<Scenario.Topic> topics = List.of(new Scenario.Topic("t", partitions, rf, Map.of()));
        // Mostly acks=all (what DP-S1 judges); now and then acks=1, whose unreplicated suffixes are what
        // epoch-lineage truncation (KIP-101/279) must clean up after a leader change.
        String acks = r.chance(0.35) ? "1" : "all";
        // The partitioner is drawn from its own stream, so the rest of the schedule is what it was before
        // producers had one: mostly every partition written in turn (each leader failure then hits
        // partitions with recent writes), sometimes keyed records or the default sticky partitioner.
        SimRandom w = new SimRandom(seed).fork("fuzz-workload");
        double partitioner = w.nextDouble();
        Map<String, String> producerConfig = partitioner < 0.6
                ? Map.of("partitioner.class", dev.faultline.core.kafka.ProducerConfig.ROUND_ROBIN) : Map.of();
        int keys = partitioner >= 0.6 && partitioner < 0.8 ? 1 + w.nextInt(1000) : 0;
        List<Scenario.Workload> workload = List.of(new Scenario.Producer("t", 20 + r.nextInt(200), acks, producerConfig, 0, 0, keys));

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
            if (r.chance(0.25)) {
                // A composite failure, as incidents really unfold, then a quiet stretch.
                List<Scenario.FaultEntry> motif = r.nextBoolean() || dataOnlyBrokers.isEmpty() || !options.powerFailures()
                        ? cascade(r, t, options.powerFailures()) : failingDisk(r, t, mode, dataOnlyBrokers);
                faults.addAll(motif);
                long last = t;
                for (Scenario.FaultEntry e : motif) {
                    last = Math.max(last, e.atNanos());
                }
                t = last + r.nextLongBetween(2, 12) * Time.SECOND;
                continue;
            }
            int burst = 1 + r.nextInt(3);
            for (int i = 0; i < burst && t < end; i++) {
                faults.add(mode == Mode.ZOOKEEPER && r.chance(0.15) ? zookeeperAdminFault(r, t)
                        : randomFault(r, t, everything, quorum, roles, options.powerFailures(), dataOnlyBrokers));
                t += r.nextLongBetween(100, 3000) * Time.MILLISECOND;
            }
            t += r.nextLongBetween(2, 12) * Time.SECOND; // a quiet stretch
        }
        long heal = Math.max(t, end);
        faults.add(new Scenario.FaultEntry(heal, new FaultSpec.HealFault(), 0, 0, heal));
        faults.add(new Scenario.FaultEntry(heal, new FaultSpec.NodeFault(FaultSpec.NodeAction.RECOVER, List.of("all")), 0, 0, heal));
        long duration = heal + options.quiesceNanos();
        List<Expectation> expect = List.of(new Expectation.NoViolations());
        return new Scenario("fuzz-" + Long.toUnsignedString(seed, 16), "Generated from seed " + seed + " by the fault fuzzer.", seed,
                duration, cluster, topics, workload, faults, expect, options.bugs());
    }

    /**
     * A cascade: the leader of {@code t-0} fails, and the replica that took over fails soon after,
     * before the first is back, so the first returns to a partition without a live ISR member — the
     * sequence behind unclean elections and the epoch-lineage bugs of KIP-101 and KIP-279.
     */
    private static List<Scenario.FaultEntry> cascade(SimRandom r, long at, boolean powerFailures) {
        List<Scenario.FaultEntry> faults = new ArrayList<>();
        if (r.chance(0.7)) {
            // Mostly the followers fall behind first: the leader's answers to them are cut,
            // so it holds records no follower has when it fails.
            long lag = r.nextLongBetween(300, 3000) * Time.MILLISECOND;
            faults.add(new Scenario.FaultEntry(at, new FaultSpec.PartitionFault(Fault.PartitionKind.ONE_WAY,
                    List.of(List.of("leader-of(t-0)"), List.of("brokers"))), lag + 100 * Time.MILLISECOND, 0, at));
            at += lag;
        }
        FaultSpec.NodeAction first = powerFailures && r.chance(0.3) ? FaultSpec.NodeAction.POWER_LOSS : FaultSpec.NodeAction.CRASH;
        long firstDown = r.nextLongBetween(1000, 8000) * Time.MILLISECOND;
        long gap = r.nextLongBetween(200, 3000) * Time.MILLISECOND;
        long secondDown = Math.max(firstDown - gap, 0) + r.nextLongBetween(1000, 10000) * Time.MILLISECOND;
        faults.add(new Scenario.FaultEntry(at, new FaultSpec.NodeFault(first, List.of("leader-of(t-0)")), firstDown, 0, at));
        faults.add(new Scenario.FaultEntry(at + gap, new FaultSpec.NodeFault(FaultSpec.NodeAction.CRASH, List.of("leader-of(t-0)")), secondDown, 0,
                at + gap));
        return faults;
    }

    /**
     * A failing disk: a broker crashes, comes back, and soon after its disk is replaced (it returns
     * empty). Half the time the brokers' AlterPartition channel to the controller (its own
     * connection in Kafka, beside the heartbeat one) is slow meanwhile, a grey failure: requests
     * about the broker's first return can arrive after its second — the sequence KIP-903's broker
     * epochs on ISR members exist for.
     */
    private static List<Scenario.FaultEntry> failingDisk(SimRandom r, long at, Mode mode, List<String> dataOnlyBrokers) {
        String broker = dataOnlyBrokers.get(r.nextInt(dataOnlyBrokers.size()));
        long crashDown = r.nextLongBetween(1000, 8000) * Time.MILLISECOND;
        long wipeAt = at + crashDown + r.nextLongBetween(500, 6000) * Time.MILLISECOND;
        long wipeDown = r.nextLongBetween(1000, 5000) * Time.MILLISECOND;
        List<Scenario.FaultEntry> faults = new ArrayList<>();
        faults.add(new Scenario.FaultEntry(at, new FaultSpec.NodeFault(FaultSpec.NodeAction.CRASH, List.of(broker)), crashDown, 0, at));
        String alterPartition = mode == Mode.KRAFT ? "AlterPartitionMessage" : mode == Mode.ZOOKEEPER ? "AlterPartition" : null;
        if (alterPartition != null && r.nextBoolean()) {
            // Longer than a broker session (broker.session.timeout.ms, 9 s): long enough for the
            // broker to be fenced and to register again meanwhile.
            long delayMs = r.nextLongBetween(9000, 20000);
            long from = at + crashDown - r.nextLongBetween(0, 1000) * Time.MILLISECOND;
            long forNanos = wipeAt + wipeDown - from + Time.SECOND;
            List<String> to = List.of(mode == Mode.KRAFT ? "controllers" : "brokers");
            faults.add(new Scenario.FaultEntry(from, new FaultSpec.LinkFaultSpec(FaultSpec.LinkAction.DELAY, List.of("brokers"), to, false,
                    delayMs * Time.MILLISECOND, 0, List.of(alterPartition)), forNanos, 0, from));
            // Its own connection: the slow requests hold up nothing else.
            faults.add(new Scenario.FaultEntry(from, new FaultSpec.LinkFaultSpec(FaultSpec.LinkAction.REORDER, List.of("brokers"), to, false,
                    0, 1.0, List.of(alterPartition)), forNanos, 0, from));
        }
        faults.add(new Scenario.FaultEntry(wipeAt, new FaultSpec.NodeFault(FaultSpec.NodeAction.WIPE_DISK, List.of(broker)), wipeDown, 0, wipeAt));
        return faults;
    }

    /** The controller-thread pause and the forced re-election that only ZooKeeper mode has. */
    private static Scenario.FaultEntry zookeeperAdminFault(SimRandom r, long at) {
        if (r.nextBoolean()) {
            return new Scenario.FaultEntry(at, new FaultSpec.ControllerThreadPause(List.of("active-controller")),
                    r.nextLongBetween(1, 20) * Time.SECOND, 0, at);
        }
        return new Scenario.FaultEntry(at, new FaultSpec.ForceControllerElection(), 0, 0, at);
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
                return new Scenario.FaultEntry(at, new FaultSpec.NodeFault(FaultSpec.NodeAction.WIPE_DISK, List.of(broker)), forNanos, 0, at);
            }
            case 0:
            case 1:
                return new Scenario.FaultEntry(at, new FaultSpec.NodeFault(FaultSpec.NodeAction.CRASH, List.of(target)), forNanos, 0, at);
            case 2:
                return new Scenario.FaultEntry(at, new FaultSpec.NodeFault(FaultSpec.NodeAction.POWER_LOSS, List.of(target)), forNanos, 0, at);
            case 3:
                return new Scenario.FaultEntry(at, new FaultSpec.NodeFault(FaultSpec.NodeAction.PAUSE, List.of(target)), forNanos, 0, at);
            case 4:
                return new Scenario.FaultEntry(at, new FaultSpec.PartitionFault(Fault.PartitionKind.ISOLATE, List.of(List.of(target))), forNanos, 0, at);
            case 5: {
                if (quorum.size() >= 3) {
                    return new Scenario.FaultEntry(at, new FaultSpec.PartitionFault(Fault.PartitionKind.MAJORITY_MINORITY, List.of(quorum)), forNanos, 0, at);
                }
                return new Scenario.FaultEntry(at, new FaultSpec.PartitionFault(Fault.PartitionKind.ISOLATE, List.of(List.of(target))), forNanos, 0, at);
            }
            case 6: {
                String other = nodes.get(r.nextInt(nodes.size()));
                return new Scenario.FaultEntry(at, new FaultSpec.PartitionFault(Fault.PartitionKind.ONE_WAY, List.of(List.of(target), List.of(other))),
                        forNanos, 0, at);
            }
            case 7:
                // Mostly short delays; now and then one longer than a broker session (9 s), which is what
                // lets a stale request arrive after its sender's view changed (KIP-903).
                long delayMs = r.chance(0.2) ? r.nextLongBetween(5000, 15000) : r.nextLongBetween(50, 3000);
                return new Scenario.FaultEntry(at, new FaultSpec.LinkFaultSpec(FaultSpec.LinkAction.DELAY, List.of(target), List.of("all"), true,
                        delayMs * Time.MILLISECOND, 0, List.of()), Math.max(forNanos, (delayMs + 1000) * Time.MILLISECOND), 0, at);
            case 8:
            default:
                return new Scenario.FaultEntry(at, new FaultSpec.LinkFaultSpec(FaultSpec.LinkAction.DROP, List.of(target), List.of("all"), r.nextBoolean(),
                        0, (5 + r.nextInt(50)) / 100.0, List.of()), forNanos, 0, at);
        }
    }
}
