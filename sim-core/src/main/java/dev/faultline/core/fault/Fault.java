package dev.faultline.core.fault;

import dev.faultline.core.net.LinkFault;
import java.util.List;

/**
 * A fault the world inflicts on the cluster (docs/scenarios.md#faults). Every fault names its
 * targets, which are resolved when it fires; a fault with a duration reverts itself when the
 * duration ends.
 */
public sealed interface Fault {

    /** A short description for the trace and reports. */
    String describe();

    /** The process dies (page cache survives); restarted after {@code downNanos} when positive. */
    record Crash(Target target, long downNanos) implements Fault {
        @Override
        public String describe() {
            return "crash " + target.describe() + (downNanos > 0 ? " for " + dev.faultline.core.kernel.Time.format(downNanos) : "");
        }
    }

    /** The host loses power (unsynced writes lost); restarted after {@code downNanos} when positive. */
    record PowerLoss(Target target, long downNanos) implements Fault {
        @Override
        public String describe() {
            return "power-loss " + target.describe() + (downNanos > 0 ? " for " + dev.faultline.core.kernel.Time.format(downNanos) : "");
        }
    }

    /** Starts a stopped node, or crashes and restarts a running one. */
    record Restart(Target target) implements Fault {
        @Override
        public String describe() {
            return "restart " + target.describe();
        }
    }

    /** Brings nodes back: starts those that are down and resumes those that are paused; running nodes are left alone. */
    record Recover(Target target) implements Fault {
        @Override
        public String describe() {
            return "recover " + target.describe();
        }
    }

    /** A stop-the-world pause (a long GC): resumed after {@code durationNanos}, or by {@link Resume} when 0. */
    record Pause(Target target, long durationNanos) implements Fault {
        @Override
        public String describe() {
            return "pause " + target.describe() + (durationNanos > 0 ? " for " + dev.faultline.core.kernel.Time.format(durationNanos) : "");
        }
    }

    /** Ends a pause. */
    record Resume(Target target) implements Fault {
        @Override
        public String describe() {
            return "resume " + target.describe();
        }
    }

    /** The disk is lost; the node (crashed if running) restarts empty after {@code downNanos} when positive. */
    record WipeDisk(Target target, long downNanos) implements Fault {
        @Override
        public String describe() {
            return "wipe-disk " + target.describe();
        }
    }

    /** The shapes a partition can take. */
    enum PartitionKind {
        /** Each node of group 0 is cut off from everyone. */
        ISOLATE,
        /** The groups cannot reach each other; unlisted nodes keep all their links (list a "rest" group explicitly). */
        SPLIT,
        /** Group 0 cannot send to group 1; the other direction works. */
        ONE_WAY,
        /** Groups 0 and 1 are cut from each other; the single node of group 2 reaches both. */
        BRIDGE,
        /** Group 0 is split at random into a minority and a majority. */
        MAJORITY_MINORITY,
        /** Group 0 (in order) forms a majorities ring. */
        RING
    }

    /** A network partition; healed after {@code durationNanos} when positive, else by {@link Heal}. */
    record Partition(PartitionKind kind, List<Target> groups, long durationNanos) implements Fault {
        public Partition {
            groups = List.copyOf(groups);
        }

        @Override
        public String describe() {
            StringBuilder sb = new StringBuilder("partition ").append(kind.name().toLowerCase(java.util.Locale.ROOT).replace('_', '-'));
            for (Target t : groups) {
                sb.append(' ').append('[').append(t.describe()).append(']');
            }
            if (durationNanos > 0) {
                sb.append(" for ").append(dev.faultline.core.kernel.Time.format(durationNanos));
            }
            return sb.toString();
        }
    }

    /** Heals every partition and removes every link fault. */
    record Heal() implements Fault {
        @Override
        public String describe() {
            return "heal";
        }
    }

    /**
     * Degrades the links from {@code from} to {@code to} (both directions when {@code bothWays}):
     * extra delay, drops, duplicates, reordering. Removed after {@code durationNanos} when positive.
     */
    record Links(Target from, Target to, boolean bothWays, LinkFault fault, long durationNanos) implements Fault {
        @Override
        public String describe() {
            return "links " + from.describe() + (bothWays ? " <-> " : " -> ") + to.describe() + " " + fault
                    + (durationNanos > 0 ? " for " + dev.faultline.core.kernel.Time.format(durationNanos) : "");
        }
    }

    /**
     * A protocol-specific action of the world (for example pausing one thread of a node, or an
     * administrator's command); {@code action} applies it and returns the nodes it hit.
     */
    record Custom(String description, java.util.function.Function<dev.faultline.core.kernel.Simulation, java.util.List<dev.faultline.core.kernel.NodeId>> action)
            implements Fault {
        @Override
        public String describe() {
            return description;
        }
    }

    /** Sets a node's clock offset and drift. */
    record Clock(Target target, long offsetNanos, long driftPpm) implements Fault {
        @Override
        public String describe() {
            return "clock " + target.describe() + " offset " + dev.faultline.core.kernel.Time.format(offsetNanos) + " drift " + driftPpm + "ppm";
        }
    }

    /** Every handler on the node takes {@code factor} times as long; back to 1 after {@code durationNanos} when positive. */
    record Slow(Target target, double factor, long durationNanos) implements Fault {
        @Override
        public String describe() {
            return "slow " + target.describe() + " " + factor + "x";
        }
    }
}
