package dev.faultline.scenarios.run;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.fault.Fault;
import dev.faultline.core.fault.Target;
import dev.faultline.core.kafka.ControlledShutdownFault;
import dev.faultline.core.kafka.KafkaCluster;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.mode.MetadataMode;
import dev.faultline.core.net.LinkFault;
import dev.faultline.scenarios.spec.FaultSpec;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.Targets;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;

/**
 * The faults of a scenario as the fault injector takes them: each written fault becomes a
 * {@link Fault} whose targets (node names and roles such as {@code active-controller},
 * {@code leader-of(T-P)} or the mode's {@code raft-leader}) are resolved when it fires, from the
 * cluster's state at that instant. Roles of one mode and the mode-only faults come from the mode's
 * {@link MetadataMode.Run}. Remembers which faults are controlled shutdowns, so that the runner can
 * find their requests in the injector's history.
 */
final class FaultPlan {
    private final Simulation sim;
    private final ClusterSpec spec;
    private final KafkaCluster cluster;
    private final MetadataMode.Run mode;
    /** The controlled-shutdown faults made so far (by identity: the injector's history holds the same objects). */
    private final IdentityHashMap<Fault, Boolean> shutdownFaults = new IdentityHashMap<>();

    FaultPlan(Simulation sim, ClusterSpec spec, KafkaCluster cluster, MetadataMode.Run mode) {
        this.sim = sim;
        this.spec = spec;
        this.cluster = cluster;
        this.mode = mode;
    }

    /** Whether {@code f} is a controlled shutdown made by {@link #toFault}. */
    boolean isControlledShutdown(Fault f) {
        return shutdownFaults.containsKey(f);
    }

    /** The fault of a scenario entry, its targets resolved each time it fires. */
    Fault toFault(Scenario.FaultEntry e) {
        FaultSpec f = e.fault();
        long forNanos = e.forNanos();
        if (f instanceof FaultSpec.NodeFault n) {
            Target t = target(n.targets());
            switch (n.action()) {
                case CRASH: return new Fault.Crash(t, forNanos);
                case POWER_LOSS: return new Fault.PowerLoss(t, forNanos);
                case RESTART: return new Fault.Restart(t);
                case RECOVER: return new Fault.Recover(t);
                case PAUSE: return new Fault.Pause(t, forNanos);
                case RESUME: return new Fault.Resume(t);
                case CONTROLLED_SHUTDOWN: {
                    Fault cs = ControlledShutdownFault.of(t, forNanos);
                    shutdownFaults.put(cs, Boolean.TRUE);
                    return cs;
                }
                default: return new Fault.WipeDisk(t, forNanos);
            }
        }
        if (f instanceof FaultSpec.HealFault) {
            return new Fault.Heal();
        }
        if (f instanceof FaultSpec.PartitionFault p) {
            List<Target> groups = new ArrayList<>();
            for (List<String> g : p.groups()) {
                if (g.equals(List.of("rest"))) {
                    groups.add(rest(p.groups()));
                } else {
                    groups.add(target(g));
                }
            }
            return new Fault.Partition(p.kind(), groups, forNanos);
        }
        if (f instanceof FaultSpec.LinkFaultSpec l) {
            Set<String> types = Set.copyOf(l.messages());
            LinkFault lf;
            switch (l.action()) {
                case DELAY: lf = new LinkFault(l.delayNanos(), 0, 0, 0, types); break;
                case DROP: lf = new LinkFault(0, l.probability(), 0, 0, types); break;
                case DUPLICATE: lf = new LinkFault(0, 0, l.probability(), 0, types); break;
                default: lf = new LinkFault(0, 0, 0, l.probability(), types); break;
            }
            return new Fault.Links(target(l.from()), target(l.to()), l.bothWays(), lf, forNanos);
        }
        if (f instanceof FaultSpec.ControllerThreadPause p) {
            return mode.fault(p.key(), target(p.targets()), forNanos);
        }
        if (f instanceof FaultSpec.ForceControllerElection) {
            return mode.fault(f.key(), null, forNanos);
        }
        if (f instanceof FaultSpec.ClockFault c) {
            return new Fault.Clock(target(c.targets()), c.offsetNanos(), c.driftPpm());
        }
        FaultSpec.SlowFault s = (FaultSpec.SlowFault) f;
        return new Fault.Slow(target(s.targets()), s.factor(), forNanos);
    }

    /** Every cluster node that the other groups do not name (resolved when the fault fires). */
    private Target rest(List<List<String>> groups) {
        List<List<String>> others = new ArrayList<>();
        for (List<String> g : groups) {
            if (!g.equals(List.of("rest"))) {
                others.add(g);
            }
        }
        return Target.of("rest", s -> {
            List<NodeId> named = new ArrayList<>();
            for (List<String> g : others) {
                named.addAll(target(g).resolve(s));
            }
            List<NodeId> out = new ArrayList<>();
            for (NodeId n : clusterNodes()) {
                if (!named.contains(n)) {
                    out.add(n);
                }
            }
            return out;
        });
    }

    private Target target(List<String> names) {
        if (names.size() == 1) {
            return target(names.get(0));
        }
        List<Target> parts = new ArrayList<>();
        for (String n : names) {
            parts.add(target(n));
        }
        return Target.of(String.join(",", names), s -> {
            List<NodeId> out = new ArrayList<>();
            for (Target t : parts) {
                for (NodeId id : t.resolve(s)) {
                    if (!out.contains(id)) {
                        out.add(id);
                    }
                }
            }
            return out;
        });
    }

    /** A target written in a scenario: a node name or a role, resolved when the fault fires. */
    private Target target(String name) {
        NodeId node = sim.node(name);
        if (node != null) {
            return Target.of(name, s -> List.of(node));
        }
        switch (name) {
            case "active-controller":
                return Target.of(name, s -> {
                    NodeId c = mode.controlPlane().activeController();
                    return c == null ? List.of() : List.of(c);
                });
            case "random-broker":
                return Target.randomOne(name, Target.of("live brokers", s -> live(brokers())));
            case "all":
                return Target.of(name, s -> clusterNodes());
            case "brokers":
                return Target.of(name, s -> brokers());
            case "controllers":
                return Target.of(name, s -> mode.quorum(s).isEmpty() ? brokers() : mode.quorum(s));
            case "minority":
            case "majority":
                return Target.of(name, s -> {
                    List<NodeId> q = new ArrayList<>(mode.quorum(s));
                    s.random("faults").shuffle(q);
                    int minority = q.size() / 2;
                    return name.equals("minority") ? q.subList(0, minority) : q.subList(minority, q.size());
                });
            default:
                break;
        }
        Target role = mode.target(name);
        if (role != null) {
            return role;
        }
        Matcher m = Targets.LEADER_OF.matcher(name);
        if (m.matches()) {
            int p = spec.partition(m.group(1), Integer.parseInt(m.group(2)));
            return Target.of(name, s -> {
                PartitionState st = mode.controlPlane().partitionStates().state(p);
                return st == null || !st.hasLeader() ? List.of() : List.of(cluster.brokerNode(st.leader()));
            });
        }
        Matcher r = Targets.RACK.matcher(name);
        if (r.matches()) {
            String rack = r.group(1);
            return Target.of(name, s -> {
                List<NodeId> out = new ArrayList<>();
                for (ClusterSpec.BrokerSpec b : spec.brokers()) {
                    if (rack.equals(b.rack())) {
                        out.add(cluster.brokerNode(b.id()));
                    }
                }
                return out;
            });
        }
        throw new IllegalArgumentException("unknown target '" + name + "'");
    }

    private List<NodeId> brokers() {
        List<NodeId> out = new ArrayList<>();
        for (ClusterSpec.BrokerSpec b : spec.brokers()) {
            out.add(cluster.brokerNode(b.id()));
        }
        return out;
    }

    private List<NodeId> clusterNodes() {
        List<NodeId> out = new ArrayList<>(brokers());
        for (NodeId q : mode.quorum(sim)) {
            if (!out.contains(q)) {
                out.add(q);
            }
        }
        return out;
    }

    private List<NodeId> live(List<NodeId> nodes) {
        List<NodeId> out = new ArrayList<>();
        for (NodeId n : nodes) {
            if (sim.isUp(n)) {
                out.add(n);
            }
        }
        return out;
    }
}
