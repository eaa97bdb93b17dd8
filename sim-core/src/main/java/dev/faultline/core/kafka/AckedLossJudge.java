package dev.faultline.core.kafka;

import dev.faultline.core.check.classify.Classifier;
import dev.faultline.core.check.classify.Evidence;
import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.ControlHistory;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.Long2ObjectLinkedOpenHashMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectMap;
import it.unimi.dsi.fastutil.longs.Long2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.longs.LongOpenHashSet;
import java.util.ArrayList;
import java.util.List;

/**
 * DP-S1 (no acknowledged write is lost) and the cases that may excuse a loss, each judged against the
 * record's lineage at the moment it left it and scoped to the replica, offset and election that
 * excuse it (docs/invariants.md):
 * <ul>
 * <li><b>Unclean election.</b> A record is lost to an unclean election only if the leader that
 * election chose did not hold it at its offset when it took over, and the election came after the
 * ack in the partition's lineage (a leader epoch newer than the ack's). A record the unclean leader
 * still held, and that a later clean leader lacks, is a BUG. Acks still on their way to the
 * producer at that takeover count as acknowledged. Two lineage cases without an observed takeover
 * stay excused and say so: an unclean leader that never applied its leadership, and an ack sent by
 * a leader that an unclean election had already replaced (a paused leader answering queued
 * produces).</li>
 * <li><b>Power loss.</b> A record is lost to a power loss only if a power loss cut it, after the
 * ack, from the very replica that now takes over without it, and no member of that leader's ISR at
 * the takeover holds it (KIP-966's last replica standing). A cut on another replica excuses
 * nothing.</li>
 * <li><b>A leader that lost it before taking over.</b> A power loss or a lost disk cut it, after the
 * ack, from the replica that now takes over without it before fetching again, while other ISR
 * members still hold it: in ZooKeeper mode a HAZARD (KIP-966's unclean shutdown, which no
 * ZooKeeper-mode controller can see); in the other modes no rule covers it.</li>
 * </ul>
 * The judge states what it found as {@link Evidence}; the {@link Classifier} decides the class
 * (docs/invariants.md#classification). A BUG stops the run; a HAZARD or EXPECTED loss is recorded
 * and the run goes on. Work is per acknowledged record of the partition at a leader change or a
 * power-loss cut, never per partition.
 */
final class AckedLossJudge {
    /** In-flight acks older than this are forgotten (a response that never arrived: dropped, or its producer died). */
    private static final long IN_FLIGHT_ACK_RETENTION_NANOS = Time.seconds(600);

    private final DataPlaneChecker checker;
    private final Simulation sim;
    private final ClusterSpec cluster;
    private final ControlHistory controlHistory;
    private final KafkaHistory history;
    private final boolean failOnExpectedLoss;

    private final List<DataLoss> losses = new ArrayList<>();
    private final LongOpenHashSet reportedLosses = new LongOpenHashSet();
    /** Per record id: the replicas a power loss cut it from after its ack (the leader sent it). */
    private final Long2ObjectOpenHashMap<IntArrayList> cutFrom = new Long2ObjectOpenHashMap<>();
    /** Per record id whose ack was in flight when an unclean leader without it took over: why it is excused. */
    private final Long2ObjectOpenHashMap<String> lostToUnclean = new Long2ObjectOpenHashMap<>();
    /** Unclean leader epochs whose leader was seen taking over: partition &lt;&lt; 32 | epoch. */
    private final LongOpenHashSet uncleanTakeoversSeen = new LongOpenHashSet();
    /**
     * acks=all successes sent by a leader that the producer has not received yet, per partition:
     * record id to {offset, virtual send time, leader epoch}. A loss of such a record is after its
     * ack (the leader's decision), although the history records the ack only on arrival.
     */
    private final Int2ObjectOpenHashMap<Long2ObjectLinkedOpenHashMap<long[]>> acksInFlight = new Int2ObjectOpenHashMap<>();

    AckedLossJudge(DataPlaneChecker checker, Simulation sim, ClusterSpec cluster, ControlHistory controlHistory, KafkaHistory history,
                   boolean failOnExpectedLoss) {
        this.checker = checker;
        this.sim = sim;
        this.cluster = cluster;
        this.controlHistory = controlHistory;
        this.history = history;
        this.failOnExpectedLoss = failOnExpectedLoss;
    }

    List<DataLoss> losses() {
        return losses;
    }

    /**
     * The producer received the acks=all success for {@code recordId}: it is in the history now.
     * Returns when the leader sent it ({@code receivedAt} if the send was not seen or was forgotten).
     */
    long ackReceived(int partition, long recordId, long receivedAt) {
        Long2ObjectLinkedOpenHashMap<long[]> inFlight = acksInFlight.get(partition);
        long[] sent = inFlight == null ? null : inFlight.remove(recordId);
        if (inFlight != null && inFlight.isEmpty()) {
            acksInFlight.remove(partition);
        }
        return sent != null ? sent[1] : receivedAt;
    }

    void ackSent(int partition, ReplicaLogView leaderLog, int leaderEpoch, long baseOffset, long lastOffset) {
        Long2ObjectLinkedOpenHashMap<long[]> inFlight = acksInFlight.get(partition);
        if (inFlight == null) {
            inFlight = new Long2ObjectLinkedOpenHashMap<>();
            acksInFlight.put(partition, inFlight);
        }
        long now = sim.now();
        while (!inFlight.isEmpty() && inFlight.get(inFlight.firstLongKey())[1] < now - IN_FLIGHT_ACK_RETENTION_NANOS) {
            inFlight.removeFirst();
        }
        for (long o = Math.max(0, baseOffset); o <= lastOffset && o < leaderLog.logEndOffset(); o++) {
            inFlight.put(leaderLog.recordId(o), new long[] {o, now, leaderEpoch});
        }
    }

    /** A power loss is about to cut {@code [newEndOffset, oldEndOffset)} from the replica's log (still readable). */
    void powerLossCut(int brokerId, int partition, ReplicaLogView log, long oldEndOffset, long newEndOffset) {
        KafkaHistory.Acked acked = history.ackedAll(partition);
        if (acked != null) {
            for (int n = 0; n < acked.offsets.size(); n++) {
                noteCut(brokerId, log, acked.offsets.getLong(n), acked.ids.getLong(n), oldEndOffset, newEndOffset);
            }
        }
        Long2ObjectLinkedOpenHashMap<long[]> inFlight = acksInFlight.get(partition);
        if (inFlight != null) {
            for (Long2ObjectMap.Entry<long[]> e : inFlight.long2ObjectEntrySet()) {
                noteCut(brokerId, log, e.getValue()[0], e.getLongKey(), oldEndOffset, newEndOffset);
            }
        }
    }

    private void noteCut(int brokerId, ReplicaLogView log, long offset, long id, long oldEndOffset, long newEndOffset) {
        if (offset >= newEndOffset && offset < oldEndOffset && offset < log.logEndOffset() && log.recordId(offset) == id) {
            IntArrayList brokers = cutFrom.get(id);
            if (brokers == null) {
                brokers = new IntArrayList(2);
                cutFrom.put(id, brokers);
            }
            if (!brokers.contains(brokerId)) {
                brokers.add(brokerId);
            }
        }
    }

    /** DP-S1 at a takeover: the new leader's log must hold every acknowledged acks=all record at its offset. */
    void checkNewLeader(int brokerId, int partition) {
        KafkaBroker leader = checker.process(brokerId);
        if (leader == null || !leader.isLeader(partition)) {
            return;
        }
        int epoch = leader.leaderEpoch(partition);
        long uncleanAt = controlHistory.uncleanElectionTime(partition, epoch);
        ReplicaLogView log = leader.log(partition);
        long leo = log.logEndOffset();
        if (uncleanAt != Long.MIN_VALUE) {
            uncleanTakeoversSeen.add(((long) partition << 32) | (epoch & 0xFFFFFFFFL));
            // Acks on their way to the producer: lost here too, although the history learns of them later.
            Long2ObjectLinkedOpenHashMap<long[]> inFlight = acksInFlight.get(partition);
            if (inFlight != null) {
                for (Long2ObjectMap.Entry<long[]> e : inFlight.long2ObjectEntrySet()) {
                    long offset = e.getValue()[0];
                    if (e.getValue()[2] < epoch && !(offset < leo && log.recordId(offset) == e.getLongKey())) {
                        lostToUnclean.put(e.getLongKey(), uncleanReason(brokerId, epoch, uncleanAt, offset, leo));
                    }
                }
            }
        }
        KafkaHistory.Acked acked = history.ackedAll(partition);
        if (acked == null) {
            return;
        }
        for (int n = 0; n < acked.offsets.size(); n++) {
            long offset = acked.offsets.getLong(n);
            long id = acked.ids.getLong(n);
            if (offset < leo && log.recordId(offset) == id || reportedLosses.contains(id)) {
                continue;
            }
            reportedLosses.add(id);
            long ackedAt = acked.times.getLong(n);
            long ackSentAt = acked.sentTimes.getLong(n);
            int ackEpoch = acked.epochs.getInt(n);
            String what = "record " + Long.toHexString(id) + " acknowledged at " + cluster.partitionName(partition) + " offset " + offset
                    + " (leader epoch " + ackEpoch + ") is not in the log of new leader broker-" + brokerId + " at leader epoch " + epoch
                    + " (log end " + leo + (offset < leo ? ", holds " + Long.toHexString(log.recordId(offset)) : "") + ")";
            Excuse excuse = excuse(leader, brokerId, partition, epoch, uncleanAt, offset, id, ackEpoch, ackSentAt, leo);
            List<Evidence> evidence = excuse == null ? List.of() : excuse.evidence();
            ViolationClass c = Classifier.classify("DP-S1", evidence, checker.mode()).violationClass();
            String reason = excuse == null ? "no exemption applies" : excuse.reason();
            losses.add(new DataLoss(cluster.partitionName(partition), offset, id, ackedAt, sim.now(), c, reason));
            String message = what + " [" + c + ": " + reason + "]";
            if (c == ViolationClass.BUG || failOnExpectedLoss) {
                checker.violation("DP-S1", message, evidence, brokerId);
            } else {
                checker.excused("DP-S1", message, evidence, brokerId);
            }
        }
    }

    /** What a checker found that may excuse a loss, in its own words (the {@link Classifier} decides what it makes of it). */
    private record Excuse(List<Evidence> evidence, String reason) {
        Excuse(Evidence evidence, String reason) {
            this(List.of(evidence), reason);
        }
    }

    /**
     * What the judge established about the loss of one record at this takeover, naming the election
     * or cut: an unclean election after the ack, a power-loss cut of every in-sync copy, or a new
     * leader that lost it outside the protocol and took over before fetching again; null when none.
     */
    private Excuse excuse(KafkaBroker leader, int brokerId, int partition, int epoch, long uncleanAt, long offset, long id, int ackEpoch,
                          long ackSentAt, long leo) {
        if (uncleanAt != Long.MIN_VALUE && ackEpoch < epoch) {
            return new Excuse(Evidence.UNCLEAN_ELECTION, uncleanReason(brokerId, epoch, uncleanAt, offset, leo));
        }
        String inFlight = lostToUnclean.get(id);
        if (inFlight != null) {
            return new Excuse(Evidence.UNCLEAN_ELECTION, inFlight);
        }
        for (int u : controlHistory.uncleanEpochsBetween(partition, ackEpoch, epoch)) {
            long at = controlHistory.uncleanElectionTime(partition, u);
            if (!uncleanTakeoversSeen.contains(((long) partition << 32) | (u & 0xFFFFFFFFL))) {
                return new Excuse(Evidence.UNCLEAN_ELECTION, "the unclean election of leader epoch " + u + " at " + Time.format(at)
                        + " came after the ack (epoch " + ackEpoch + ") and its leader never took over; this leader descends from it");
            }
            // Judged at the ack's send, the leader's decision: an ack sent before the election and received
            // after it was not sent by a replaced leader.
            if (at <= ackSentAt) {
                // A leader deposed by an unclean election acknowledged it before learning of the election
                // (fuzz kraft seed 653: broker-2, paused 11 s, answered a queued produce at epoch 0 after the
                // controller had elected broker-3 uncleanly at epoch 2): lost to that election.
                return new Excuse(Evidence.UNCLEAN_ELECTION, "acknowledged at leader epoch " + ackEpoch + " (sent at " + Time.format(ackSentAt)
                        + ") by a leader that the unclean election of epoch " + u + " at " + Time.format(at) + " had already replaced");
            }
        }
        IntArrayList cut = cutFrom.get(id);
        if (cut != null && cut.contains(brokerId) && noIsrMemberHolds(leader, partition, offset, id)) {
            return new Excuse(Evidence.LAST_COPY_LOST_OUTSIDE_PROTOCOL, "a power loss cut it from broker-" + brokerId + " (offset " + offset
                    + ") after the ack, and no member of its ISR " + java.util.Arrays.toString(leader.isr(partition)) + " at leader epoch "
                    + epoch + " holds it");
        }
        if (cut != null && cut.contains(brokerId) && checker.cutSinceValidated(brokerId, partition)) {
            // The ISR still holds it: the new leader lost it outside the protocol and took over before
            // fetching again, while it still counted as in sync (KIP-966's unclean-shutdown case).
            return new Excuse(Evidence.LEADER_LOST_DATA_BEFORE_TAKEOVER, "broker-" + brokerId + " lost it (offset " + offset
                    + ") to a power loss or a lost disk after the ack and took over at leader epoch " + epoch
                    + " before fetching again, while ISR " + java.util.Arrays.toString(leader.isr(partition)) + " still holds it");
        }
        return null;
    }

    private static String uncleanReason(int brokerId, int epoch, long uncleanAt, long offset, long leo) {
        return "lost to the unclean election of leader epoch " + epoch + " at " + Time.format(uncleanAt) + ": broker-" + brokerId
                + ", elected from outside the ISR, did not hold offset " + offset + " when it took over (log end " + leo + ")";
    }

    /** Whether no member of the leader's ISR (up or down, page cache included) holds {@code id} at {@code offset}. */
    private boolean noIsrMemberHolds(KafkaBroker leader, int partition, long offset, long id) {
        for (int member : leader.isr(partition)) {
            ReplicaLogView log = checker.logOf(member, partition);
            if (offset < log.logEndOffset() && log.recordId(offset) == id) {
                return false;
            }
        }
        return true;
    }
}
