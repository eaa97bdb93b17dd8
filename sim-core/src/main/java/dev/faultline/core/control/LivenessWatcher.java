package dev.faultline.core.control;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Observer;
import dev.faultline.core.kernel.Simulation;
import java.util.ArrayList;
import java.util.List;

/**
 * An omniscient, read-only observer of process liveness: after every event it compares each watched
 * node's state (down, paused, running) with the last one seen and tells its listeners of changes.
 * Registered as an {@link Observer}.
 * Costs O(1) per event, and O(watched nodes) after an event that started, stopped, paused or resumed
 * a process ({@link Simulation#lifecycleVersion()}). The oracle control plane and the {@link FailoverWatch} use it.
 */
public final class LivenessWatcher implements Observer {
    /** A node's observable state. */
    public enum State { DOWN, PAUSED, RUNNING }

    /** Receives state changes, in node order within one event. */
    public interface Listener {
        void changed(NodeId node, State from, State to, long atNanos);
    }

    private final Simulation simulation;
    private final List<NodeId> nodes = new ArrayList<>();
    private final List<State> states = new ArrayList<>();
    private final List<Listener> listeners = new ArrayList<>();

    public LivenessWatcher(Simulation simulation) {
        this.simulation = simulation;
    }

    /** Watches a node from now on (its current state is the baseline). */
    public void watch(NodeId node) {
        nodes.add(node);
        states.add(observe(node));
    }

    public void addListener(Listener listener) {
        listeners.add(listener);
    }

    /** The last state observed for a watched node. */
    public State state(NodeId node) {
        int i = nodes.indexOf(node);
        if (i < 0) {
            throw new IllegalArgumentException(node + " is not watched");
        }
        return states.get(i);
    }

    private State observe(NodeId node) {
        if (!simulation.isUp(node)) {
            return State.DOWN;
        }
        return simulation.isPaused(node) ? State.PAUSED : State.RUNNING;
    }

    @Override
    public String name() {
        return "liveness-watch";
    }

    /** The simulation's lifecycle version when the nodes were last looked at. */
    private long seenVersion = -1;

    @Override
    public void afterEvent(long nowNanos) {
        long version = simulation.lifecycleVersion();
        if (version == seenVersion) {
            return; // no process started, stopped, paused or resumed since: nothing to look at
        }
        seenVersion = version;
        for (int i = 0; i < nodes.size(); i++) {
            NodeId node = nodes.get(i);
            State now = observe(node);
            State before = states.get(i);
            if (now != before) {
                states.set(i, now);
                for (Listener l : listeners) {
                    l.changed(node, before, now, nowNanos);
                }
            }
        }
    }
}
