package dev.faultline.core.control;

import dev.faultline.core.kernel.NodeId;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The ground-truth history of control-plane decisions
 * (docs/architecture.md#ground-truth-and-checkers): every leader election (clean or unclean), every
 * ISR change and every controller change, with virtual time and epochs. Control planes append at
 * the moment a decision becomes authoritative (ZooKeeper write applied, metadata record committed,
 * oracle decision). Checkers read it (DP-S1 classifies a loss as EXPECTED after an unclean
 * election); nodes never do.
 *
 * <p>Initial partition creation is not logged (it would cost memory per partition at scale).
 */
public final class ControlHistory {
    /** What kind of decision. */
    public enum Kind { LEADER_ELECTED, ISR_CHANGED, CONTROLLER_ELECTED }

    /**
     * One decision.
     *
     * @param timeNanos virtual time it became authoritative
     * @param kind what changed
     * @param state the partition state after it ({@code null} for controller changes)
     * @param unclean whether a leader was elected from outside the ISR
     * @param controller the new controller (controller changes only)
     * @param controllerEpoch the controller epoch (controller changes only)
     * @param cause why, e.g. {@code broker-2 failed}, {@code AlterPartition}, {@code restart}
     */
    public record Decision(long timeNanos, Kind kind, PartitionState state, boolean unclean, NodeId controller, long controllerEpoch,
                           String cause) {
    }

    private final List<Decision> decisions = new ArrayList<>();
    private final Int2LongOpenHashMap lastUncleanElection = new Int2LongOpenHashMap();
    private final Int2IntOpenHashMap maxUncleanEpoch = new Int2IntOpenHashMap();
    /** Per partition with an unclean election: each unclean leader epoch and when it became authoritative. */
    private final it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap<it.unimi.dsi.fastutil.ints.Int2LongRBTreeMap> uncleanEpochs =
            new it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap<>();
    private final FailoverRecorder failover;
    private long leaderElections;
    private long uncleanElections;
    private long isrChanges;
    private long controllerChanges;

    private long lastControllerChangeNanos = Long.MIN_VALUE;
    private final List<java.util.function.IntConsumer> partitionListeners = new ArrayList<>();

    /**
     * Told the partition of every leader election and ISR change as it becomes authoritative
     * (omniscient watchers keep indexes with it instead of scanning every partition).
     */
    public void addPartitionListener(java.util.function.IntConsumer listener) {
        partitionListeners.add(listener);
    }

    private void partitionChanged(int partition) {
        for (java.util.function.IntConsumer l : partitionListeners) {
            l.accept(partition);
        }
    }

    /** When the latest controller became active ({@code Long.MIN_VALUE} before any). */
    public long lastControllerChangeNanos() {
        return lastControllerChangeNanos;
    }

    public ControlHistory(FailoverRecorder failover) {
        this.failover = failover;
        lastUncleanElection.defaultReturnValue(Long.MIN_VALUE);
        maxUncleanEpoch.defaultReturnValue(Integer.MIN_VALUE);
    }

    /** A new leader (or no leader) was decided for a partition. */
    public void leaderElected(long timeNanos, PartitionState state, boolean unclean, String cause) {
        decisions.add(new Decision(timeNanos, Kind.LEADER_ELECTED, state, unclean, null, 0, cause));
        leaderElections++;
        if (unclean) {
            uncleanElections++;
            lastUncleanElection.put(state.partition(), timeNanos);
            maxUncleanEpoch.put(state.partition(), Math.max(maxUncleanEpoch.get(state.partition()), state.leaderEpoch()));
            uncleanEpochs.computeIfAbsent(state.partition(), p -> new it.unimi.dsi.fastutil.ints.Int2LongRBTreeMap())
                    .put(state.leaderEpoch(), timeNanos);
        }
        if (failover != null) {
            failover.leaderElected(state.partition(), state.leader(), state.leaderEpoch(), timeNanos);
        }
        partitionChanged(state.partition());
    }

    /** The ISR of a partition changed without a leader change. */
    public void isrChanged(long timeNanos, PartitionState state, String cause) {
        decisions.add(new Decision(timeNanos, Kind.ISR_CHANGED, state, false, null, 0, cause));
        isrChanges++;
        partitionChanged(state.partition());
    }

    /** A controller became active with this epoch. */
    public void controllerElected(long timeNanos, NodeId controller, long controllerEpoch, String cause) {
        lastControllerChangeNanos = Math.max(lastControllerChangeNanos, timeNanos);
        decisions.add(new Decision(timeNanos, Kind.CONTROLLER_ELECTED, null, false, controller, controllerEpoch, cause));
        controllerChanges++;
        if (failover != null) {
            failover.controllerElected(controller, timeNanos);
        }
    }

    /** Every decision in order (read only). */
    public List<Decision> decisions() {
        return Collections.unmodifiableList(decisions);
    }

    /** Whether an unclean election of the partition became authoritative at or after {@code sinceNanos}. */
    public boolean uncleanElectionSince(int partition, long sinceNanos) {
        long last = lastUncleanElection.get(partition);
        return last != Long.MIN_VALUE && last >= sinceNanos;
    }

    /**
     * Whether an unclean election of the partition chose a leader epoch newer than {@code leaderEpoch}. An ack
     * carrying an older epoch came from a leader that election had already superseded (e.g. a paused leader that
     * resumed and answered queued produce requests before it learned of the election): in the partition's
     * lineage the unclean election comes after that ack even when it became authoritative earlier in time.
     */
    public boolean uncleanElectionAfterEpoch(int partition, int leaderEpoch) {
        return leaderEpoch >= 0 && maxUncleanEpoch.get(partition) > leaderEpoch;
    }

    /** When the unclean election that chose {@code leaderEpoch} became authoritative; {@code Long.MIN_VALUE} if that epoch was not unclean. */
    public long uncleanElectionTime(int partition, int leaderEpoch) {
        it.unimi.dsi.fastutil.ints.Int2LongRBTreeMap m = uncleanEpochs.get(partition);
        return m == null || !m.containsKey(leaderEpoch) ? Long.MIN_VALUE : m.get(leaderEpoch);
    }

    /**
     * The unclean leader epochs of the partition in {@code (afterEpoch, upToEpoch]}, oldest first
     * (the unclean elections in a lineage between two leader epochs).
     */
    public int[] uncleanEpochsBetween(int partition, int afterEpoch, int upToEpoch) {
        it.unimi.dsi.fastutil.ints.Int2LongRBTreeMap m = uncleanEpochs.get(partition);
        if (m == null || upToEpoch <= afterEpoch) {
            return new int[0];
        }
        return m.subMap(afterEpoch + 1, upToEpoch + 1).keySet().toIntArray();
    }

    /** Whether the partition ever had an unclean election. */
    public boolean everUnclean(int partition) {
        return lastUncleanElection.containsKey(partition);
    }

    public long leaderElections() {
        return leaderElections;
    }

    public long uncleanElections() {
        return uncleanElections;
    }

    public long isrChanges() {
        return isrChanges;
    }

    public long controllerChanges() {
        return controllerChanges;
    }
}
