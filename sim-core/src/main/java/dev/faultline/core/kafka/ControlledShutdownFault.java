package dev.faultline.core.kafka;

import dev.faultline.core.fault.Fault;
import dev.faultline.core.fault.Target;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import java.util.ArrayList;
import java.util.List;

/**
 * The operator's clean stop of brokers (docs/model.md#controlled-shutdown):
 * each target broker gets a SIGTERM, runs a controlled shutdown through its control plane
 * ({@link KafkaBroker#controlledShutdown}), and once allowed the process exits
 * ({@link Simulation#stop}); it stays down for {@code downNanos} (when positive) and then starts
 * again, like {@code crash ... for}. Targets that are not running brokers are skipped.
 */
public final class ControlledShutdownFault {
    private ControlledShutdownFault() {
    }

    /** The fault: a controlled shutdown of every target broker, each down for {@code downNanos} after it exits. */
    public static Fault of(Target target, long downNanos) {
        String description = "controlled-shutdown " + target.describe() + (downNanos > 0 ? " for " + Time.format(downNanos) : "");
        return new Fault.Custom(description, sim -> {
            List<NodeId> hit = new ArrayList<>();
            for (NodeId node : target.resolve(sim)) {
                if (begin(sim, node, downNanos)) {
                    hit.add(node);
                }
            }
            return hit;
        });
    }

    /**
     * Sends the SIGTERM to one broker now; returns whether a running broker got it. Its exit and
     * restart are scheduled when its control plane lets it go.
     */
    public static boolean begin(Simulation sim, NodeId node, long downNanos) {
        if (!(sim.process(node) instanceof KafkaBroker broker)) {
            return false; // down, or not a broker
        }
        broker.controlledShutdown(() -> sim.schedule(sim.now(), () -> exit(sim, node, broker, downNanos)));
        return true;
    }

    /** The exit, after the handler that allowed it (and the work it declared: its sends leave first). */
    private static void exit(Simulation sim, NodeId node, KafkaBroker broker, long downNanos) {
        if (sim.process(node) != broker) {
            return; // it died (or was restarted) meanwhile
        }
        long busyUntil = sim.busyUntil(node);
        if (busyUntil > sim.now()) {
            sim.schedule(busyUntil, () -> exit(sim, node, broker, downNanos));
            return;
        }
        sim.traceFault(node.name() + " exits after controlled shutdown");
        sim.stop(node);
        if (downNanos > 0) {
            sim.schedule(sim.now() + downNanos, () -> {
                if (!sim.isUp(node)) {
                    sim.traceFault("restart " + node.name() + " after controlled shutdown");
                    sim.start(node);
                }
            });
        }
    }
}
