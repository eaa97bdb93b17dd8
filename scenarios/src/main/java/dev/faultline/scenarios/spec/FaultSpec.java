package dev.faultline.scenarios.spec;

import com.fasterxml.jackson.annotation.JsonAlias;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.faultline.core.fault.Fault;
import dev.faultline.scenarios.spec.Formats.As;
import dev.faultline.scenarios.spec.Formats.Format;
import dev.faultline.scenarios.spec.Formats.Names;
import java.util.List;

/**
 * A fault as written in a scenario's {@code faults} (docs/scenarios.md#faults): its key names what
 * happens, and its targets are still names and roles, resolved when the fault fires. Each kind of
 * fault is one record below; {@link Scenario.FaultEntry} adds when it fires and for how long.
 */
public sealed interface FaultSpec {
    /** The YAML key of this fault. */
    String key();

    /** Faults that hit nodes: the key names the action. */
    enum NodeAction {
        CRASH("crash"), POWER_LOSS("power-loss"), RESTART("restart"), RECOVER("recover"), PAUSE("pause"), RESUME("resume"), WIPE_DISK("wipe-disk"),
        CONTROLLED_SHUTDOWN("controlled-shutdown");

        public final String key;

        NodeAction(String key) {
            this.key = key;
        }
    }

    /**
     * {@code crash}, {@code power-loss}, {@code restart} (crash and start again), {@code recover}
     * (start what is down, resume what is paused), {@code pause}, {@code resume}, {@code wipe-disk},
     * {@code controlled-shutdown} (brokers only: the operator stops the broker cleanly; it moves its
     * leadership away through the control plane, then exits; with {@code for} it starts again that
     * long after it exited).
     *
     * @param action which
     * @param targets node names or roles, resolved when the fault fires
     */
    record NodeFault(NodeAction action, List<String> targets) implements FaultSpec {
        public NodeFault {
            targets = List.copyOf(targets);
        }

        @Override
        public String key() {
            return action.key;
        }
    }

    /**
     * {@code partition}: groups of targets; the kind says how they are cut.
     *
     * @param kind isolate, split (groups; {@code rest} is everyone else), one-way (from, to), bridge
     *     (a, b, via), majority-minority, ring
     * @param groups the groups, as target lists
     */
    record PartitionFault(Fault.PartitionKind kind, List<List<String>> groups) implements FaultSpec {
        public PartitionFault {
            groups = groups.stream().map(List::copyOf).toList();
        }

        @Override
        public String key() {
            return "partition";
        }
    }

    /** {@code heal}: every partition and link fault ends. */
    record HealFault() implements FaultSpec {
        @Override
        public String key() {
            return "heal";
        }
    }

    /** Link faults: the key names the kind. */
    enum LinkAction {
        DELAY("delay"), DROP("drop"), DUPLICATE("duplicate"), REORDER("reorder");

        public final String key;

        LinkAction(String key) {
            this.key = key;
        }
    }

    /**
     * {@code delay}, {@code drop}, {@code duplicate}, {@code reorder} on the links from → to.
     *
     * @param action which
     * @param from sending nodes (names or roles)
     * @param to receiving nodes
     * @param bothWays also the links to → from
     * @param delayNanos the added latency ({@code delay} only)
     * @param probability per message ({@code drop}, {@code duplicate}, {@code reorder})
     * @param messages message types hit (simple class names such as {@code FetchResponse}); empty for all
     */
    record LinkFaultSpec(LinkAction action, List<String> from, List<String> to, boolean bothWays, long delayNanos,
                                double probability, List<String> messages) implements FaultSpec {
        public LinkFaultSpec {
            from = List.copyOf(from);
            to = List.copyOf(to);
            messages = List.copyOf(messages);
        }

        @Override
        public String key() {
            return action.key;
        }
    }

    /**
     * {@code clock}: a node's clock jumps by an offset and drifts.
     *
     * @param targets nodes
     * @param offsetNanos clock offset (may be negative)
     * @param driftPpm drift in parts per million
     */
    record ClockFault(@JsonProperty("target") @JsonAlias("targets") @Names List<String> targets,
                             @JsonProperty("offset") @As(Format.SIGNED_DURATION) long offsetNanos, long driftPpm) implements FaultSpec {
        public ClockFault {
            targets = List.copyOf(targets);
        }

        @Override
        public String key() {
            return "clock";
        }
    }

    /**
     * {@code slow}: every handler on the nodes takes {@code factor} times as long (GC-heavy host).
     *
     * @param targets nodes
     * @param factor slowdown, e.g. 4
     */
    record SlowFault(@JsonProperty("target") @JsonAlias("targets") @Names List<String> targets,
                            @JsonProperty(defaultValue = "4") double factor) implements FaultSpec {
        public SlowFault {
            targets = List.copyOf(targets);
        }

        @Override
        public String key() {
            return "slow";
        }
    }

    /**
     * {@code pause-controller-thread}: the controller event thread alone stops on the target brokers,
     * as behind a long lock or callback (the event queue is described in docs/model.md, "The
     * controller's event queue and request channels"); the process, its ZooKeeper session and its
     * data plane keep running. ZooKeeper mode; it resumes after {@code for}.
     *
     * @param targets brokers (typically {@code active-controller})
     */
    record ControllerThreadPause(List<String> targets) implements FaultSpec {
        public ControllerThreadPause {
            targets = List.copyOf(targets);
        }

        @Override
        public String key() {
            return "pause-controller-thread";
        }
    }

    /**
     * {@code force-controller-election}: an administrator deletes {@code /controller}, so the brokers
     * race to become controller again (the controller epoch goes up). ZooKeeper mode.
     */
    record ForceControllerElection() implements FaultSpec {
        @Override
        public String key() {
            return "force-controller-election";
        }
    }
}
