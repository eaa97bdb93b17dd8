package dev.faultline.scenarios.run;

import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.control.OracleControlPlane;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.raft.check.RaftInvariants;
import dev.faultline.raft.kraft.KRaftControlPlane;
import dev.faultline.raft.quorum.PlantedBugs;
import dev.faultline.raft.quorum.QuorumConfig;
import dev.faultline.raft.quorum.RaftNode;
import dev.faultline.raft.quorum.TimerPolicy;
import dev.faultline.zookeeper.client.ZkClientNode;
import dev.faultline.zookeeper.ensemble.ZabBugs;
import dev.faultline.zookeeper.ensemble.ZkConfig;
import dev.faultline.zookeeper.kafka.ZkControlPlane;
import dev.faultline.scenarios.spec.Scenario;
import java.util.List;

/**
 * What the runner needs from a metadata mode beyond the {@link ControlPlane} SPI: the control
 * plane itself and the mode's roles ({@code raft-leader}, {@code zk-leader}) and quorum nodes. The
 * only place that knows every mode: this module is the composition root.
 */
public interface ModeSupport {
    ControlPlane controlPlane();

    /** The Raft leader now (kraft), or nothing. */
    default List<NodeId> raftLeader(Simulation sim) {
        return List.of();
    }

    /** The ZooKeeper ensemble leader now (zookeeper), or nothing. */
    default List<NodeId> zkLeader(Simulation sim) {
        return List.of();
    }

    /** Adds the mode's own bounded-liveness checks once the cluster is built (the control plane installed). */
    default void addLivenessChecks(Simulation sim) {
    }

    /** Pauses the controller event thread of a broker (zookeeper mode). */
    default void pauseControllerThread(NodeId broker, long nanos) {
        throw new UnsupportedOperationException("pause-controller-thread is a ZooKeeper-mode fault");
    }

    /** An administrator deletes /controller (zookeeper mode). */
    default void forceControllerElection(Simulation sim) {
        throw new UnsupportedOperationException("force-controller-election is a ZooKeeper-mode fault");
    }

    /** Controller voters (kraft) or ensemble servers (zookeeper), in order. */
    default List<NodeId> quorum(Simulation sim) {
        return List.of();
    }

    /** The support for a scenario's mode. */
    static ModeSupport of(Scenario s) {
        switch (s.cluster().mode()) {
            case ORACLE: {
                OracleControlPlane cp = new OracleControlPlane();
                return () -> cp;
            }
            case KRAFT:
                QuorumConfig quorum = quorumConfig(s.cluster().config(), s.bugs());
                return new KRaftSupport(s.cluster().combined() ? KRaftControlPlane.combined(s.cluster().controllers(), quorum)
                        : new KRaftControlPlane(s.cluster().controllers(), quorum), s.cluster().config());
            case ZOOKEEPER:
                return new ZooKeeperSupport(new ZkControlPlane(s.cluster().zookeeper(), zkConfig(s.cluster().config(), s.bugs())));
            default:
                throw new IllegalArgumentException("unknown mode " + s.cluster().mode());
        }
    }

    /**
     * The ZooKeeper servers' configuration from the scenario: the zoo.cfg names {@code tickTime},
     * {@code initLimit}, {@code syncLimit}, {@code minSessionTimeout}, {@code maxSessionTimeout}
     * (milliseconds, as in zoo.cfg), and the planted bugs {@code zab.*} ({@link ZabBugs#NAMES}).
     */
    static ZkConfig zkConfig(java.util.Map<String, String> config, List<String> bugs) {
        long tick = Long.parseLong(config.getOrDefault("tickTime", "2000")) * Time.MILLISECOND;
        ZkConfig d = ZkConfig.withTickTime(tick);
        ZkConfig c = new ZkConfig(tick, Integer.parseInt(config.getOrDefault("initLimit", Integer.toString(d.initLimit()))),
                Integer.parseInt(config.getOrDefault("syncLimit", Integer.toString(d.syncLimit()))),
                config.containsKey("minSessionTimeout") ? Long.parseLong(config.get("minSessionTimeout")) * Time.MILLISECOND : d.minSessionTimeoutNanos(),
                config.containsKey("maxSessionTimeout") ? Long.parseLong(config.get("maxSessionTimeout")) * Time.MILLISECOND : d.maxSessionTimeoutNanos(),
                d.finalizeWaitNanos(), d.minNotificationIntervalNanos(), d.maxNotificationIntervalNanos(), d.committedLogWindow(), d.costs(),
                d.connectionProbeIntervalNanos(), ZabBugs.NONE);
        return c.withBugs(ZabBugs.of(b -> bugs.contains(b) || Boolean.parseBoolean(config.getOrDefault(b, "false"))));
    }

    /**
     * The controller quorum's configuration from the scenario: the {@code controller.quorum.*}
     * properties (milliseconds) over Kafka's defaults, and the planted bugs {@code raft.noCheckQuorum},
     * {@code raft.commitPriorEpochByCount} (and {@code .offByOne}), {@code raft.noPreVote}.
     */
    static QuorumConfig quorumConfig(java.util.Map<String, String> config, List<String> bugs) {
        QuorumConfig d = QuorumConfig.defaults();
        long election = ms(config, "controller.quorum.election.timeout.ms", d.electionTimeoutNanos());
        long fetch = ms(config, "controller.quorum.fetch.timeout.ms", d.fetchTimeoutNanos());
        java.util.function.Predicate<String> on = b -> bugs.contains(b) || Boolean.parseBoolean(config.getOrDefault(b, "false"));
        PlantedBugs.CommitRule rule = on.test("raft.commitPriorEpochByCount.offByOne") ? PlantedBugs.CommitRule.OFF_BY_ONE
                : on.test("raft.commitPriorEpochByCount") ? PlantedBugs.CommitRule.PRIOR_EPOCH_BY_COUNT : PlantedBugs.CommitRule.CURRENT_EPOCH;
        return new QuorumConfig(election, fetch, ms(config, "controller.quorum.election.backoff.max.ms", d.electionBackoffMaxNanos()),
                ms(config, "controller.quorum.request.timeout.ms", d.requestTimeoutNanos()),
                ms(config, "controller.quorum.retry.backoff.ms", d.retryBackoffNanos()),
                ms(config, "controller.quorum.append.linger.ms", d.appendLingerNanos()), d.maxFetchWaitNanos(), d.electionBackoffBaseNanos(),
                d.preVote(), d.checkQuorum(), new TimerPolicy.Kraft(election, fetch),
                new PlantedBugs(on.test("raft.noCheckQuorum"), rule, on.test("raft.noPreVote")));
    }

    private static long ms(java.util.Map<String, String> config, String key, long fallbackNanos) {
        return config.containsKey(key) ? Long.parseLong(config.get(key)) * Time.MILLISECOND : fallbackNanos;
    }

    /** KRaft mode: the controller voters and the Raft leader among them. */
    final class KRaftSupport implements ModeSupport {
        private final KRaftControlPlane controlPlane;
        private final java.util.Map<String, String> config;

        KRaftSupport(KRaftControlPlane controlPlane, java.util.Map<String, String> config) {
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
        public void addLivenessChecks(Simulation sim) {
            java.util.Set<String> ids = new java.util.TreeSet<>(java.util.Set.of(RaftInvariants.LEADER_ELECTED, RaftInvariants.CHECK_QUORUM));
            if (optIn("faultline.check.commit.latency")) {
                ids.add(RaftInvariants.COMMIT_LATENCY);
            }
            if (optIn("faultline.check.stable.leadership")) {
                ids.add(RaftInvariants.STABLE_LEADERSHIP);
            }
            for (dev.faultline.core.check.Invariant inv : RaftInvariants.create(ids, controlPlane, controlPlane.raftHistory())) {
                sim.addInvariant(inv);
            }
        }

        private boolean optIn(String key) {
            return Boolean.parseBoolean(config.getOrDefault(key, "false"));
        }

        @Override
        public List<NodeId> raftLeader(Simulation sim) {
            NodeId best = null;
            int bestEpoch = -1;
            for (int id : controlPlane.voterIds()) {
                RaftNode n = controlPlane.process(id);
                if (n != null && n.state() instanceof dev.faultline.raft.quorum.LeaderState && n.epoch() > bestEpoch) {
                    best = controlPlane.nodeId(id);
                    bestEpoch = n.epoch();
                }
            }
            return best == null ? List.of() : List.of(best);
        }

        @Override
        public List<NodeId> quorum(Simulation sim) {
            return controlPlane.controllerCandidates();
        }
    }

    /** ZooKeeper mode: the ensemble's servers and its established leader. */
    final class ZooKeeperSupport implements ModeSupport {
        private final ZkControlPlane controlPlane;

        ZooKeeperSupport(ZkControlPlane controlPlane) {
            this.controlPlane = controlPlane;
        }

        @Override
        public ControlPlane controlPlane() {
            return controlPlane;
        }

        @Override
        public void pauseControllerThread(NodeId broker, long nanos) {
            controlPlane.pauseControllerThread(dev.faultline.core.control.ClusterSpec.brokerIdOf(broker.name()), nanos);
        }

        /**
         * Deletes {@code /controller} through an administrator's ZooKeeper client, a node named
         * {@code admin} added the first time it is needed (it opens a session, then deletes).
         */
        @Override
        public void forceControllerElection(Simulation sim) {
            NodeId admin = sim.node("admin");
            if (admin == null) {
                List<NodeId> servers = controlPlane.ensemble().servers();
                admin = sim.addNode("admin", ctx -> new ZkClientNode(ctx, servers, 30 * Time.SECOND, 0));
                sim.start(admin);
                NodeId started = admin;
                // The session needs a moment to open; delete once connected.
                sim.schedule(sim.now() + Time.SECOND, () -> deleteController(sim, started));
                return;
            }
            deleteController(sim, admin);
        }

        private static void deleteController(Simulation sim, NodeId admin) {
            ZkClientNode client = sim.process(admin, ZkClientNode.class);
            if (client != null) {
                sim.traceFault("admin deletes /controller");
                client.client().delete("/controller", -1, r -> { });
            }
        }

        @Override
        public List<NodeId> zkLeader(Simulation sim) {
            NodeId leader = controlPlane.ensemble().establishedLeader();
            return leader == null ? List.of() : List.of(leader);
        }

        @Override
        public List<NodeId> quorum(Simulation sim) {
            return controlPlane.ensemble().servers();
        }
    }
}
