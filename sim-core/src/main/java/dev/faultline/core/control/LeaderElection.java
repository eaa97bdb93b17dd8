package dev.faultline.core.control;

import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.function.IntPredicate;

/**
 * The partition leader-election rules every control plane shares (Kafka's
 * {@code PartitionLeaderElectionAlgorithms}, docs/model.md#partition-leader-election,
 * docs/model.md#isr-changes-in-kraft, docs/model.md#unclean-leader-election). Pure functions: the
 * same inputs give the same leader in ZooKeeper mode, KRaft mode and the oracle, so a timing
 * difference between modes comes from coordination, never from different rules.
 *
 * <p>Assignment order is the replica list of the partition (preferred leader first).
 */
public final class LeaderElection {
    /** No leader ({@code -1} in Kafka). */
    public static final int NO_LEADER = -1;

    private LeaderElection() {
    }

    /**
     * The outcome of an election.
     *
     * @param leader the elected broker, or {@link #NO_LEADER}
     * @param unclean whether the leader was not in the ISR (data may be lost,
     * docs/model.md#unclean-leader-election)
     */
    public record Election(int leader, boolean unclean) {
        public static final Election NONE = new Election(NO_LEADER, false);

        public boolean elected() {
            return leader != NO_LEADER;
        }
    }

    /**
     * Offline-partition election: the first replica in assignment order that is live and in the
     * ISR; if there is none and {@code uncleanEnabled} ({@code unclean.leader.election.enable}), the
     * first live replica in assignment order, flagged unclean; else no leader.
     */
    public static Election offlinePartition(int[] assignment, IntList isr, IntPredicate live, boolean uncleanEnabled) {
        for (int replica : assignment) {
            if (live.test(replica) && isr.contains(replica)) {
                return new Election(replica, false);
            }
        }
        if (uncleanEnabled) {
            for (int replica : assignment) {
                if (live.test(replica)) {
                    return new Election(replica, true);
                }
            }
        }
        return Election.NONE;
    }

    /**
     * Controlled-shutdown election: the first replica in assignment order that is live, in the ISR
     * and not shutting down. Never unclean.
     */
    public static Election controlledShutdown(int[] assignment, IntList isr, IntPredicate live, IntPredicate shuttingDown) {
        for (int replica : assignment) {
            if (live.test(replica) && isr.contains(replica) && !shuttingDown.test(replica)) {
                return new Election(replica, false);
            }
        }
        return Election.NONE;
    }

    /**
     * The ISR stored with a controlled-shutdown election's leader
     * (docs/model.md#partition-leader-election): the ISR minus the shutting-down brokers; unchanged
     * when no leader was elected or nothing would remain.
     */
    public static IntList isrAfterControlledShutdown(Election election, IntList isr, IntPredicate shuttingDown) {
        if (!election.elected()) {
            return isr;
        }
        IntArrayList out = new IntArrayList(isr.size());
        for (int i = 0; i < isr.size(); i++) {
            if (!shuttingDown.test(isr.getInt(i))) {
                out.add(isr.getInt(i));
            }
        }
        return out.isEmpty() ? isr : out;
    }

    /** Preferred-replica election: the first assigned replica if it is live and in the ISR. */
    public static Election preferredReplica(int[] assignment, IntList isr, IntPredicate live) {
        int preferred = assignment[0];
        return live.test(preferred) && isr.contains(preferred) ? new Election(preferred, false) : Election.NONE;
    }

    /**
     * The ISR after {@code broker} is removed (broker failure, fencing, shrink). Kafka never empties
     * an ISR: when {@code broker} is the last member it stays (the partition goes leaderless with
     * ISR [broker], KAFKA-5083 fixed; KRaft without ELR keeps the last member too).
     */
    public static IntList isrWithout(IntList isr, int broker) {
        if (!isr.contains(broker) || isr.size() == 1) {
            return isr;
        }
        IntArrayList out = new IntArrayList(isr.size() - 1);
        for (int i = 0; i < isr.size(); i++) {
            if (isr.getInt(i) != broker) {
                out.add(isr.getInt(i));
            }
        }
        return out;
    }

    /** The ISR members that are live, in ISR order; if none is live, the ISR unchanged (never empty). */
    public static IntList liveIsr(IntList isr, IntPredicate live) {
        IntArrayList out = new IntArrayList(isr.size());
        for (int i = 0; i < isr.size(); i++) {
            if (live.test(isr.getInt(i))) {
                out.add(isr.getInt(i));
            }
        }
        return out.isEmpty() ? isr : out;
    }

    /**
     * The ISR to store with a newly elected leader: the live ISR members for a clean election
     * (Kafka: {@code liveInSyncReplicas}), only the leader for an unclean one.
     */
    public static IntList isrAfterElection(Election election, IntList isr, IntPredicate live) {
        if (!election.elected()) {
            return isr;
        }
        if (election.unclean()) {
            return IntList.of(election.leader());
        }
        IntList liveIsr = liveIsr(isr, live);
        return liveIsr.contains(election.leader()) ? liveIsr : IntList.of(election.leader());
    }
}
