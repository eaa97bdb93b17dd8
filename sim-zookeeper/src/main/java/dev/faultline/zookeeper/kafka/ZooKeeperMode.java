package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlPlane;
import dev.faultline.core.fault.Fault;
import dev.faultline.core.fault.Target;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.mode.KafkaVersion;
import dev.faultline.core.mode.MetadataMode;
import dev.faultline.core.mode.Setting;
import dev.faultline.zookeeper.client.ZkClientNode;
import dev.faultline.zookeeper.ensemble.ZabBugs;
import dev.faultline.zookeeper.ensemble.ZkConfig;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * ZooKeeper mode ({@code cluster.mode: zookeeper}) as a scenario sees it: the ZooKeeper servers'
 * settings (zoo.cfg names, docs/model.md#zookeeper-settings) and the ZooKeeper-mode controller's
 * (docs/model.md#zookeeper-mode-controller-settings), the ZAB and controller planted bugs, the
 * ensemble's servers {@code zk-1..Z}, the roles {@code zk-leader} and {@code zookeeper}, and the
 * faults that exist only where the controller runs inside a broker: {@code pause-controller-thread}
 * and {@code force-controller-election}.
 */
public final class ZooKeeperMode implements MetadataMode {
    private static final List<Setting> SETTINGS = List.of(
            // ZooKeeper servers (zoo.cfg names) and Kafka's ZooKeeper client.
            Setting.positive("tickTime"), Setting.positive("initLimit"), Setting.positive("syncLimit"),
            Setting.positive("minSessionTimeout"), Setting.positive("maxSessionTimeout"),
            Setting.positive("zookeeper.fastleader.minNotificationInterval"), Setting.positive("zookeeper.fastleader.maxNotificationInterval"),
            // The ZooKeeper-mode controller.
            Setting.positive("zookeeper.max.in.flight.requests"), Setting.flag("auto.leader.rebalance.enable"),
            Setting.positive("leader.imbalance.check.interval.seconds"), Setting.number("leader.imbalance.per.broker.percentage", 0, 100),
            // Opt-in check (docs/invariants.md) and simulator settings: the controller's costs (ZkCosts)
            // and the broker's registration retry.
            Setting.flag("faultline.check.kz.l2"), Setting.nanos("faultline.zk.controller.state.read.ns"),
            Setting.nanos("faultline.zk.controller.request.partition.ns"), Setting.nanos("faultline.zk.controller.write.partition.ns"),
            Setting.nanos("faultline.zk.controller.topic.ns"), Setting.count("faultline.broker.startup.retry.ms"));

    /**
     * {@code zab.syncDiffWithoutTrunc}, {@code zkController.noEpochZkVersionCheck} and
     * {@code zkController.allowEmptyIsr} each revert one historical fix; the others are test switches
     * that revert none: {@code zkBroker.*} for KZ-S6 and KZ-L1 (ZkBrokerAgent), the other
     * {@code zab.*} for ZK-S1, ZK-S2 and ZK-S4..ZK-S7 ({@link ZabBugs}), the other {@code zkController.*} for
     * the KZ-* invariants they name ({@link ZkModeBugs}).
     */
    private static final List<String> PLANTED_BUGS;

    static {
        List<String> bugs = new ArrayList<>(List.of(ZabBugs.SYNC_DIFF_WITHOUT_TRUNC, "zkController.noEpochZkVersionCheck",
                "zkController.allowEmptyIsr", "zkBroker.ignoreControllerEpoch", "zkBroker.ignoreControllerDeletion"));
        for (String b : ZabBugs.NAMES) {
            if (!bugs.contains(b)) {
                bugs.add(b);
            }
        }
        bugs.addAll(ZkModeBugs.NAMES);
        PLANTED_BUGS = List.copyOf(bugs);
    }

    private static final Map<String, String> NOT_MODELLED;
    private static final Map<String, String> FAULTS;

    static {
        TreeMap<String, String> n = new TreeMap<>();
        n.put("forceSync", "a ZooKeeper server here always fsyncs its transaction log before it acknowledges a proposal (forceSync=yes, "
                + "the default)");
        n.put("zookeeper.cnxTimeout", "ZooKeeper servers here exchange election notifications without opening connections first, so "
                + "there is no connection timeout to wait for");
        n.put("zookeeper.connection.timeout.ms", "a broker here keeps trying to reach ZooKeeper at start-up instead of giving up after "
                + "a connection timeout");
        NOT_MODELLED = java.util.Collections.unmodifiableMap(n);
        TreeMap<String, String> f = new TreeMap<>();
        f.put("pause-controller-thread", "the controller runs inside a broker there");
        f.put("force-controller-election", "the controller runs inside a broker there");
        FAULTS = java.util.Collections.unmodifiableMap(f);
    }

    @Override
    public String name() {
        return "zookeeper";
    }

    @Override
    public String title() {
        return "ZooKeeper";
    }

    @Override
    public List<Setting> settings() {
        return SETTINGS;
    }

    @Override
    public Map<String, String> notModelled() {
        return NOT_MODELLED;
    }

    @Override
    public List<String> plantedBugs() {
        return PLANTED_BUGS;
    }

    @Override
    public Map<String, String> faults() {
        return FAULTS;
    }

    @Override
    public List<String> nodeNames(Layout layout) {
        List<String> out = new ArrayList<>();
        for (int i = 1; i <= layout.quorum(); i++) {
            out.add("zk-" + i);
        }
        return out;
    }

    @Override
    public List<String> roles() {
        return List.of("zk-leader", "zookeeper", "minority", "majority");
    }

    @Override
    public boolean owns(String target) {
        return target.startsWith("zk-") || target.equals("zk-leader") || target.equals("zookeeper");
    }

    @Override
    public String absentHint() {
        return "ZooKeeper nodes exist only in mode zookeeper";
    }

    @Override
    public boolean controllerOnBrokers(Layout layout) {
        return true;
    }

    @Override
    public String costs(Map<String, String> config) {
        return "ZooKeeper per request " + ZkConfig.Costs.DEFAULT.perRequestNanos() + " ns, per znode " + ZkConfig.Costs.DEFAULT.perZnodeNanos()
                + " ns";
    }

    /**
     * Kafka 3.9 only: ZooKeeper mode exists only in Kafka 3.x (4.0 removed it, KIP-500 and KIP-833),
     * and this module models the 3.9 ZooKeeper-mode controller and broker with ZooKeeper 3.8.4, the
     * version Kafka 3.9 ships with. Nothing in this mode differs between 3.x releases here.
     */
    @Override
    public List<KafkaVersion> versions() {
        return List.of(KafkaVersion.V3_9);
    }

    @Override
    public String versionProblem(KafkaVersion version, Map<String, String> config, List<String> bugs) {
        return version == KafkaVersion.V3_9 ? null
                : "ZooKeeper mode exists only in Kafka 3.x (Kafka 4.0 removed it, KIP-833); valid: 3.9";
    }

    @Override
    public Run build(Layout layout, KafkaVersion version, Map<String, String> config, List<String> bugs) {
        return new ZooKeeperRun(new ZkControlPlane(layout.quorum(), zkConfig(config, bugs)));
    }

    /**
     * The ZooKeeper servers' configuration from the scenario: the zoo.cfg names {@code tickTime},
     * {@code initLimit}, {@code syncLimit}, {@code minSessionTimeout}, {@code maxSessionTimeout}
     * (milliseconds, as in zoo.cfg), fast leader election's notification back-off
     * ({@code zookeeper.fastleader.minNotificationInterval} and {@code maxNotificationInterval},
     * milliseconds, Java system properties in ZooKeeper), and the planted bugs {@code zab.*}
     * ({@link ZabBugs#NAMES}).
     */
    public static ZkConfig zkConfig(Map<String, String> config, List<String> bugs) {
        long tick = Long.parseLong(config.getOrDefault("tickTime", "2000")) * Time.MILLISECOND;
        ZkConfig d = ZkConfig.withTickTime(tick);
        ZkConfig c = new ZkConfig(tick, Integer.parseInt(config.getOrDefault("initLimit", Integer.toString(d.initLimit()))),
                Integer.parseInt(config.getOrDefault("syncLimit", Integer.toString(d.syncLimit()))),
                config.containsKey("minSessionTimeout") ? Long.parseLong(config.get("minSessionTimeout")) * Time.MILLISECOND : d.minSessionTimeoutNanos(),
                config.containsKey("maxSessionTimeout") ? Long.parseLong(config.get("maxSessionTimeout")) * Time.MILLISECOND : d.maxSessionTimeoutNanos(),
                d.finalizeWaitNanos(), ms(config, "zookeeper.fastleader.minNotificationInterval", d.minNotificationIntervalNanos()),
                ms(config, "zookeeper.fastleader.maxNotificationInterval", d.maxNotificationIntervalNanos()), d.committedLogWindow(), d.costs(),
                d.connectionProbeIntervalNanos(), ZabBugs.NONE);
        return c.withBugs(ZabBugs.of(b -> bugs.contains(b) || Boolean.parseBoolean(config.getOrDefault(b, "false"))));
    }

    private static long ms(Map<String, String> config, String key, long fallbackNanos) {
        return config.containsKey(key) ? Long.parseLong(config.get(key)) * Time.MILLISECOND : fallbackNanos;
    }

    /** One run: the ensemble's servers and its established leader. */
    private static final class ZooKeeperRun implements Run {
        private final ZkControlPlane controlPlane;

        ZooKeeperRun(ZkControlPlane controlPlane) {
            this.controlPlane = controlPlane;
        }

        @Override
        public ControlPlane controlPlane() {
            return controlPlane;
        }

        @Override
        public List<NodeId> quorum(Simulation sim) {
            return controlPlane.ensemble().servers();
        }

        @Override
        public Target target(String role) {
            switch (role) {
                case "zk-leader":
                    return Target.of(role, sim -> {
                        NodeId leader = controlPlane.ensemble().establishedLeader();
                        return leader == null ? List.of() : List.of(leader);
                    });
                case "zookeeper":
                    return Target.of(role, this::quorum);
                default:
                    return null;
            }
        }

        @Override
        public Fault fault(String key, Target targets, long forNanos) {
            switch (key) {
                case "pause-controller-thread":
                    return new Fault.Custom("pause-controller-thread " + targets.describe() + " for " + Time.format(forNanos), s -> {
                        List<NodeId> hit = targets.resolve(s);
                        for (NodeId n : hit) {
                            controlPlane.pauseControllerThread(ClusterSpec.brokerIdOf(n.name()), forNanos);
                        }
                        return hit;
                    });
                case "force-controller-election":
                    return new Fault.Custom("force-controller-election", s -> {
                        forceControllerElection(s);
                        return List.of();
                    });
                default:
                    return Run.super.fault(key, targets, forNanos);
            }
        }

        /**
         * Deletes {@code /controller} through an administrator's ZooKeeper client, a node named
         * {@code admin} added the first time it is needed (it opens a session, then deletes).
         */
        private void forceControllerElection(Simulation sim) {
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
    }
}
