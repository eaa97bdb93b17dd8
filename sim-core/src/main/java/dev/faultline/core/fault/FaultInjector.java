package dev.faultline.core.fault;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.net.PartitionSpec;
import java.util.ArrayList;
import java.util.List;

/**
 * Applies {@link Fault}s to a simulation: resolves targets at the moment the fault fires, records
 * the fault in the trace and in the fault history, and schedules the revert of a fault that has a
 * duration.
 */
public final class FaultInjector {
    private final Simulation sim;
    private final List<Applied> history = new ArrayList<>();

    /** A fault as it fired: when, what, and whom it hit. */
    public record Applied(long timeNanos, Fault fault, List<NodeId> nodes) {
    }

    public FaultInjector(Simulation sim) {
        this.sim = sim;
    }

    /** Every fault applied so far, in order. */
    public List<Applied> history() {
        return List.copyOf(history);
    }

    /** Schedules a fault at an absolute virtual time. */
    public void scheduleAt(long atNanos, Fault fault) {
        sim.schedule(atNanos, () -> apply(fault));
    }

    /** Applies a fault now and returns the nodes it hit. */
    public List<NodeId> apply(Fault fault) {
        List<NodeId> hit = new ArrayList<>();
        if (fault instanceof Fault.Crash f) {
            hit = f.target().resolve(sim);
            record(fault, hit);
            for (NodeId n : hit) {
                sim.crash(n);
            }
            restartLater(hit, f.downNanos());
        } else if (fault instanceof Fault.PowerLoss f) {
            hit = f.target().resolve(sim);
            record(fault, hit);
            for (NodeId n : hit) {
                sim.powerLoss(n);
            }
            restartLater(hit, f.downNanos());
        } else if (fault instanceof Fault.Restart f) {
            hit = f.target().resolve(sim);
            record(fault, hit);
            for (NodeId n : hit) {
                sim.restart(n);
            }
        } else if (fault instanceof Fault.Recover f) {
            hit = f.target().resolve(sim);
            record(fault, hit);
            for (NodeId n : hit) {
                if (!sim.isUp(n)) {
                    sim.start(n);
                } else if (sim.isPaused(n)) {
                    sim.resume(n);
                }
            }
        } else if (fault instanceof Fault.Pause f) {
            hit = f.target().resolve(sim);
            record(fault, hit);
            for (NodeId n : hit) {
                sim.pause(n);
            }
            if (f.durationNanos() > 0) {
                List<NodeId> paused = hit;
                sim.schedule(sim.now() + f.durationNanos(), () -> {
                    sim.traceFault("resume " + paused);
                    for (NodeId n : paused) {
                        sim.resume(n);
                    }
                });
            }
        } else if (fault instanceof Fault.Resume f) {
            hit = f.target().resolve(sim);
            record(fault, hit);
            for (NodeId n : hit) {
                sim.resume(n);
            }
        } else if (fault instanceof Fault.WipeDisk f) {
            hit = f.target().resolve(sim);
            record(fault, hit);
            for (NodeId n : hit) {
                sim.wipeDisk(n);
            }
            restartLater(hit, f.downNanos());
        } else if (fault instanceof Fault.Partition f) {
            PartitionSpec spec = partitionSpec(f);
            hit = nodesOf(f);
            record(fault, hit);
            int id = sim.network().partition(spec);
            if (f.durationNanos() > 0) {
                sim.schedule(sim.now() + f.durationNanos(), () -> {
                    sim.traceFault("heal " + spec.describe());
                    sim.network().heal(id);
                });
            }
        } else if (fault instanceof Fault.Heal) {
            record(fault, hit);
            sim.network().healAll();
            sim.network().clearLinkFaults();
        } else if (fault instanceof Fault.Links f) {
            List<NodeId> from = f.from().resolve(sim);
            List<NodeId> to = f.to().resolve(sim);
            hit.addAll(from);
            hit.addAll(to);
            record(fault, hit);
            List<Integer> ids = new ArrayList<>();
            ids.add(sim.network().addLinkFault(from, to, f.fault()));
            if (f.bothWays()) {
                ids.add(sim.network().addLinkFault(to, from, f.fault()));
            }
            if (f.durationNanos() > 0) {
                sim.schedule(sim.now() + f.durationNanos(), () -> {
                    sim.traceFault("restore " + f.describe());
                    for (int id : ids) {
                        sim.network().removeLinkFault(id);
                    }
                });
            }
        } else if (fault instanceof Fault.Custom f) {
            hit = f.action().apply(sim);
            record(fault, hit);
        } else if (fault instanceof Fault.Clock f) {
            hit = f.target().resolve(sim);
            record(fault, hit);
            for (NodeId n : hit) {
                sim.setClock(n, f.offsetNanos(), f.driftPpm());
            }
        } else if (fault instanceof Fault.Slow f) {
            hit = f.target().resolve(sim);
            record(fault, hit);
            for (NodeId n : hit) {
                sim.setSlowFactor(n, f.factor());
            }
            if (f.durationNanos() > 0) {
                List<NodeId> slowed = hit;
                sim.schedule(sim.now() + f.durationNanos(), () -> {
                    sim.traceFault("unslow " + slowed);
                    for (NodeId n : slowed) {
                        sim.setSlowFactor(n, 1.0);
                    }
                });
            }
        } else {
            throw new IllegalArgumentException("unknown fault " + fault);
        }
        return hit;
    }

    private void record(Fault fault, List<NodeId> hit) {
        history.add(new Applied(sim.now(), fault, List.copyOf(hit)));
        sim.traceFault(fault.describe() + " -> " + hit);
    }

    private void restartLater(List<NodeId> nodes, long afterNanos) {
        if (afterNanos <= 0 || nodes.isEmpty()) {
            return;
        }
        List<NodeId> copy = List.copyOf(nodes);
        sim.schedule(sim.now() + afterNanos, () -> {
            sim.traceFault("restart " + copy);
            for (NodeId n : copy) {
                if (!sim.isUp(n)) {
                    sim.start(n);
                }
            }
        });
    }

    private List<NodeId> nodesOf(Fault.Partition f) {
        List<NodeId> all = new ArrayList<>();
        for (Target t : f.groups()) {
            all.addAll(t.resolve(sim));
        }
        return all;
    }

    private PartitionSpec partitionSpec(Fault.Partition f) {
        List<List<NodeId>> groups = new ArrayList<>();
        for (Target t : f.groups()) {
            groups.add(t.resolve(sim));
        }
        switch (f.kind()) {
            case ISOLATE: {
                List<NodeId> isolated = groups.get(0);
                List<List<NodeId>> singletons = new ArrayList<>();
                for (NodeId n : isolated) {
                    singletons.add(List.of(n));
                }
                // Each isolated node is its own group; everyone else stays together.
                return new PartitionSpec.Split(singletons, true);
            }
            case SPLIT:
                return new PartitionSpec.Split(groups, false);
            case ONE_WAY:
                require(groups.size() == 2, f, "one-way needs two groups (from, to)");
                return new PartitionSpec.OneWay(groups.get(0), groups.get(1));
            case BRIDGE:
                require(groups.size() == 3 && groups.get(2).size() == 1, f, "bridge needs two sides and one bridge node");
                return new PartitionSpec.Bridge(groups.get(0), groups.get(1), groups.get(2).get(0));
            case MAJORITY_MINORITY: {
                List<NodeId> nodes = new ArrayList<>(groups.get(0));
                sim.random("faults").shuffle(nodes);
                return PartitionSpec.majorityMinority(nodes);
            }
            case RING:
                return new PartitionSpec.Ring(groups.get(0));
            default:
                throw new IllegalArgumentException("unknown partition kind " + f.kind());
        }
    }

    private static void require(boolean ok, Fault f, String message) {
        if (!ok) {
            throw new IllegalArgumentException(f.describe() + ": " + message);
        }
    }
}
