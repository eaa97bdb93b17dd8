package dev.faultline.raft.kraft;

import dev.faultline.core.check.Invariant;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.fault.Target;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.mode.KafkaVersion;
import dev.faultline.core.mode.MetadataMode;
import dev.faultline.core.mode.Setting;
import dev.faultline.raft.check.RaftInvariants;
import dev.faultline.raft.quorum.LeaderState;
import dev.faultline.raft.quorum.PlantedBugs;
import dev.faultline.raft.quorum.QuorumConfig;
import dev.faultline.raft.quorum.RaftNode;
import dev.faultline.raft.quorum.TimerPolicy;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * KRaft mode ({@code cluster.mode: kraft}) as a scenario sees it: the {@code controller.quorum.*}
 * and {@code metadata.*} settings (docs/model.md#kraft-settings), the Raft and quorum-controller
 * planted bugs, the controller voters {@code controller-1..K} (none of their own when combined with
 * the brokers), the roles {@code raft-leader} and {@code random-voter}, and the KR-L* liveness checks.
 */
public final class KRaftMode implements MetadataMode {
    private static final List<Setting> SETTINGS = List.of(
            Setting.positive("controller.quorum.election.timeout.ms"), Setting.positive("controller.quorum.fetch.timeout.ms"),
            Setting.count("controller.quorum.election.backoff.max.ms"), Setting.positive("controller.quorum.request.timeout.ms"),
            Setting.count("controller.quorum.retry.backoff.ms"), Setting.count("controller.quorum.append.linger.ms"),
            Setting.positive("metadata.max.idle.interval.ms"), Setting.count("metadata.log.max.record.bytes.between.snapshots"),
            Setting.count("metadata.log.max.snapshot.interval.ms"), Setting.count("metadata.max.retention.bytes"),
            Setting.count("metadata.max.retention.ms"),
            // Opt-in checks (docs/invariants.md).
            Setting.flag("faultline.check.commit.latency"), Setting.flag("faultline.check.stable.leadership"),
            // The quorum controller's CPU cost per metadata record.
            Setting.nanos("faultline.controller.record.cost.ns"));

    /**
     * Each reverts one historical fix, except {@code kraftController.electFencedLeader}, a test
     * switch for KM-S4 (elections accept a fenced replica).
     */
    private static final List<String> PLANTED_BUGS = List.of("raft.noCheckQuorum", "raft.commitPriorEpochByCount",
            "raft.commitPriorEpochByCount.offByOne", "raft.noPreVote", "kraftController.isrIgnoresBrokerEpoch",
            "kraftController.electFencedLeader");

    @Override
    public String name() {
        return "kraft";
    }

    @Override
    public String title() {
        return "KRaft";
    }

    @Override
    public List<Setting> settings() {
        return SETTINGS;
    }

    /**
     * Eligible leader replicas (KIP-966): off by default in both Kafka 3.9
     * ({@code eligible.leader.replicas.enable} false, a preview) and 4.0 (feature
     * {@code eligible.leader.replicas.version} 0; on for new clusters from 4.1), so both profiles run
     * without; turning it on is refused rather than ignored.
     */
    @Override
    public Map<String, String> notModelled() {
        return Map.of("eligible.leader.replicas.enable", "eligible leader replicas (KIP-966, off by default in Kafka 3.9 and 4.0) are not modelled: "
                + "a partition whose ISR empties is led again by its last ISR member, or by an unclean election where enabled");
    }

    @Override
    public List<String> plantedBugs() {
        return PLANTED_BUGS;
    }

    @Override
    public List<String> nodeNames(Layout layout) {
        List<String> out = new ArrayList<>();
        if (!layout.combined()) {
            for (int i = 1; i <= layout.quorum(); i++) {
                out.add("controller-" + i);
            }
        }
        return out;
    }

    @Override
    public List<String> roles() {
        return List.of("raft-leader", "random-voter", "minority", "majority");
    }

    @Override
    public boolean owns(String target) {
        return target.startsWith("controller-") || target.equals("raft-leader") || target.equals("random-voter");
    }

    @Override
    public String absentHint() {
        return "controller voters exist only in mode kraft (dedicated)";
    }

    @Override
    public boolean controllerOnBrokers(Layout layout) {
        return layout.combined();
    }

    @Override
    public String costs(Map<String, String> config) {
        return "KRaft controller per record " + config.getOrDefault("faultline.controller.record.cost.ns", "2000") + " ns";
    }

    /**
     * Kafka 3.9 and 4.0. What the 4.0 profile changes here: pre-vote (KIP-996: a voter whose fetch
     * timed out is Prospective first, and a Candidate whose election timed out goes back to
     * Prospective), and the periodic fencing check (KAFKA-17793) instead of 3.9's event at the exact
     * session deadline ({@link KRaftControlPlane#periodicFencing}). The quorum's timer defaults are
     * the same in both. Kafka 4.0's voters also look for a new leader through other voters when the
     * leader's connection fails (KIP-853 follow-ups); not modelled: voters here fetch from the leader
     * only, in both versions.
     */
    @Override
    public String versionProblem(KafkaVersion version, Map<String, String> config, List<String> bugs) {
        if (version == KafkaVersion.V3_9 && (bugs.contains("raft.noPreVote") || Boolean.parseBoolean(config.getOrDefault("raft.noPreVote", "false")))) {
            return "the planted bug raft.noPreVote reverts pre-vote (KIP-996), which Kafka 3.9 does not have: its KRaft has no pre-vote "
                    + "at all; say cluster.version: \"4.0\" to plant it";
        }
        return MetadataMode.super.versionProblem(version, config, bugs);
    }

    @Override
    public Run build(Layout layout, KafkaVersion version, Map<String, String> config, List<String> bugs) {
        QuorumConfig quorum = quorumConfig(version, config, bugs);
        KRaftControlPlane plane = layout.combined() ? KRaftControlPlane.combined(layout.quorum(), quorum)
                : new KRaftControlPlane(layout.quorum(), quorum);
        return new KRaftRun(plane.periodicFencing(version.atLeast(KafkaVersion.V4_0)), config);
    }

    /**
     * The controller quorum's configuration from the scenario: the {@code controller.quorum.*}
     * properties (milliseconds) over Kafka's defaults, pre-vote from the version (4.0 on, 3.9 off),
     * and the planted bugs {@code raft.noCheckQuorum}, {@code raft.commitPriorEpochByCount} (and
     * {@code .offByOne}), {@code raft.noPreVote}.
     */
    public static QuorumConfig quorumConfig(KafkaVersion version, Map<String, String> config, List<String> bugs) {
        QuorumConfig d = QuorumConfig.defaults();
        long election = ms(config, "controller.quorum.election.timeout.ms", d.electionTimeoutNanos());
        long fetch = ms(config, "controller.quorum.fetch.timeout.ms", d.fetchTimeoutNanos());
        Predicate<String> on = b -> bugs.contains(b) || Boolean.parseBoolean(config.getOrDefault(b, "false"));
        PlantedBugs.CommitRule rule = on.test("raft.commitPriorEpochByCount.offByOne") ? PlantedBugs.CommitRule.OFF_BY_ONE
                : on.test("raft.commitPriorEpochByCount") ? PlantedBugs.CommitRule.PRIOR_EPOCH_BY_COUNT : PlantedBugs.CommitRule.CURRENT_EPOCH;
        return new QuorumConfig(election, fetch, ms(config, "controller.quorum.election.backoff.max.ms", d.electionBackoffMaxNanos()),
                ms(config, "controller.quorum.request.timeout.ms", d.requestTimeoutNanos()),
                ms(config, "controller.quorum.retry.backoff.ms", d.retryBackoffNanos()),
                ms(config, "controller.quorum.append.linger.ms", d.appendLingerNanos()), d.maxFetchWaitNanos(), d.electionBackoffBaseNanos(),
                version.atLeast(KafkaVersion.V4_0), d.checkQuorum(), new TimerPolicy.Kraft(election, fetch),
                new PlantedBugs(on.test("raft.noCheckQuorum"), rule, on.test("raft.noPreVote")));
    }

    private static long ms(Map<String, String> config, String key, long fallbackNanos) {
        return config.containsKey(key) ? Long.parseLong(config.get(key)) * Time.MILLISECOND : fallbackNanos;
    }

    /** One run: the controller voters and the Raft leader among them. */
    private static final class KRaftRun implements Run {
        private final KRaftControlPlane controlPlane;
        private final Map<String, String> config;

        KRaftRun(KRaftControlPlane controlPlane, Map<String, String> config) {
            this.controlPlane = controlPlane;
            this.config = config;
        }

        @Override
        public ControlPlane controlPlane() {
            return controlPlane;
        }

        /**
         * KR-L1 (a leader is elected) and KR-L2 (check-quorum), each armed only while its conditions
         * hold. KR-L3 (commit latency) and KR-L4 (stable leadership, the check that catches disruptive
         * elections) are opt-in with {@code faultline.check.commit.latency} and
         * {@code faultline.check.stable.leadership}: under generated schedules they still report runs
         * whose conditions did not hold for the whole window (see the issue notes).
         */
        @Override
        public void addInvariants(Simulation sim) {
            TreeSet<String> ids = new TreeSet<>(List.of(RaftInvariants.LEADER_ELECTED, RaftInvariants.CHECK_QUORUM));
            if (optIn("faultline.check.commit.latency")) {
                ids.add(RaftInvariants.COMMIT_LATENCY);
            }
            if (optIn("faultline.check.stable.leadership")) {
                ids.add(RaftInvariants.STABLE_LEADERSHIP);
            }
            for (Invariant inv : RaftInvariants.create(ids, controlPlane, controlPlane.raftHistory())) {
                sim.addInvariant(inv);
            }
        }

        private boolean optIn(String key) {
            return Boolean.parseBoolean(config.getOrDefault(key, "false"));
        }

        @Override
        public List<NodeId> quorum(Simulation sim) {
            return controlPlane.controllerCandidates();
        }

        @Override
        public Target target(String role) {
            switch (role) {
                case "raft-leader":
                    return Target.of(role, this::raftLeader);
                case "random-voter":
                    return Target.randomOne(role, Target.of("live voters", s -> {
                        List<NodeId> out = new ArrayList<>();
                        for (NodeId n : quorum(s)) {
                            if (s.isUp(n)) {
                                out.add(n);
                            }
                        }
                        return out;
                    }));
                default:
                    return null;
            }
        }

        /** The Raft leader of the highest epoch now, or nothing. */
        private List<NodeId> raftLeader(Simulation sim) {
            NodeId best = null;
            int bestEpoch = -1;
            for (int id : controlPlane.voterIds()) {
                RaftNode n = controlPlane.process(id);
                if (n != null && n.state() instanceof LeaderState && n.epoch() > bestEpoch) {
                    best = controlPlane.nodeId(id);
                    bestEpoch = n.epoch();
                }
            }
            return best == null ? List.of() : List.of(best);
        }
    }
}
