package dev.faultline.core.fault;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * Which nodes a fault hits, resolved at the moment the fault fires (a role such as
 * {@code active-controller} names whoever holds it then). Protocol modules add role targets with
 * {@link #of}.
 */
public interface Target {
    /** The nodes this target names now; may be empty (the fault then does nothing, and says so). */
    List<NodeId> resolve(Simulation sim);

    /** How the target was written, e.g. {@code broker-3} or {@code leader-of(orders-0)}. */
    String describe();

    /** One node by name. */
    static Target node(String name) {
        return of(name, sim -> {
            NodeId id = sim.node(name);
            if (id == null) {
                throw new IllegalArgumentException("no node named '" + name + "'");
            }
            return List.of(id);
        });
    }

    /** Several nodes by name. */
    static Target nodes(List<String> names) {
        return of(String.join(",", names), sim -> {
            List<NodeId> out = new ArrayList<>();
            for (String name : names) {
                out.addAll(node(name).resolve(sim));
            }
            return out;
        });
    }

    /** One node drawn (from the {@code faults} stream) among what {@code among} names now. */
    static Target randomOne(String description, Target among) {
        return of(description, sim -> {
            List<NodeId> candidates = among.resolve(sim);
            if (candidates.isEmpty()) {
                return List.of();
            }
            return List.of(candidates.get(sim.random("faults").nextInt(candidates.size())));
        });
    }

    /** A target computed by a function of the simulation's state. */
    static Target of(String description, Function<Simulation, List<NodeId>> resolver) {
        return new Target() {
            @Override
            public List<NodeId> resolve(Simulation sim) {
                return resolver.apply(sim);
            }

            @Override
            public String describe() {
                return description;
            }

            @Override
            public String toString() {
                return description;
            }
        };
    }
}
