package dev.faultline.core.kafka;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.Errors;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaMessage.FetchPartition;
import dev.faultline.core.kafka.KafkaMessage.FetchRequest;
import dev.faultline.core.kafka.KafkaMessage.FetchResponse;
import dev.faultline.core.kafka.KafkaMessage.PartitionData;
import dev.faultline.core.kafka.KafkaMessage.ProduceRequest;
import dev.faultline.core.kernel.NodeId;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.List;

/**
 * The partition-leader half of a broker (docs/model.md#produce-path, #follower-fetch,
 * #isr-maintenance-and-the-high-watermark): produce with acks 0/1/all and
 * {@code min.insync.replicas} (acks=all requests wait in the {@link ProducePurgatory}), serving
 * follower fetches through incremental sessions with long polls, follower bookkeeping, ISR shrink
 * and expand through AlterPartition, and the high watermark. Consumer fetches and epoch lookups,
 * which change nothing, are {@link LeaderReads}'; the follower fetch sessions (news per follower,
 * parked long polls) are {@link FollowerFetchSessions}'.
 */
final class LeaderSide {
    private final KafkaBroker b;
    private final ReplicaTable t;
    private final FollowerFetchSessions sessions;
    private final ProducePurgatory purgatory;
    /**
     * Led partitions (local indexes) that may have an in-sync follower short of the leader's log end:
     * added when a leadership starts, records are appended, the ISR changes or a follower fetches
     * from behind the end; dropped by {@link #expireIsr} once every ISR follower is at the end. A
     * partition outside it has every in-sync follower caught up, so the periodic ISR check (and
     * DP-L1) need not look at it: their cost follows the partitions written to, not all partitions.
     */
    final IntLinkedOpenHashSet lagging = new IntLinkedOpenHashSet();
    /** Partitions this broker leads now (the CPU charged for an isr-expiration run covers them all, as in Kafka). */
    private int leaders;
    private final long lagNanos;
    private final boolean hwAdvanceBelowMinIsr;

    LeaderSide(KafkaBroker broker) {
        this.b = broker;
        this.t = broker.replicas;
        this.sessions = new FollowerFetchSessions(broker);
        this.purgatory = new ProducePurgatory(broker, this);
        this.lagNanos = broker.config.getMillisAsNanos("replica.lag.time.max.ms");
        this.hwAdvanceBelowMinIsr = broker.config.getBoolean("replication.hwAdvanceBelowMinIsr");
    }

    // ------------------------------------------------------------------ role

    /**
     * Become leader (docs/model.md#leader-epochs-and-truncation): new epoch entry at the log end,
     * no truncation, HW from the local one.
     */
    void becomeLeader(int i, PartitionState s, boolean traceEach) {
        int p = s.partition();
        boolean sameEpoch = t.role[i] == ReplicaTable.LEADER && t.leaderEpoch[i] == s.leaderEpoch();
        int oldMask = t.isrMask[i];
        t.leaderEpoch[i] = s.leaderEpoch();
        t.partitionEpoch[i] = s.partitionEpoch();
        t.isrMask[i] = b.maskOf(p, s.isr());
        if (sameEpoch) { // an ISR-only change pushed by the control plane
            // An addition learnt here rather than from the AlterPartition answer (KRaft: the broker
            // replays the PartitionChangeRecord while the answer is late or lost) is judged as one.
            int added = t.isrMask[i] & ~oldMask;
            for (int r = 0; added != 0; r++, added >>>= 1) {
                if ((added & 1) != 0) {
                    b.observer.isrExpanded(b.brokerId, p, b.cluster.replica(p, r));
                }
            }
            LeaderState ls = t.leaderStates[i];
            ls.proposedIsrMask = -1;
            lagging.add(i);
            maybeAdvanceHighWatermark(i);
            b.observer.touched(b.brokerId, p);
            return;
        }
        b.followerSide.stopFetching(i);
        if (t.role[i] != ReplicaTable.LEADER) {
            leaders++;
        }
        t.role[i] = ReplicaTable.LEADER;
        t.leader[i] = b.brokerId;
        lagging.add(i);
        // An empty replica gets its log (and the epoch entry at offset 0) with its first record.
        PartitionLog log = b.store.log(i);
        long leo = log == null ? 0 : log.logEndOffset();
        if (log != null) {
            log.assignEpoch(s.leaderEpoch(), leo);
        }
        t.leaderStates[i] = new LeaderState(b.cluster.replicationFactor(p), b.slotOf(p, b.brokerId), leo, b.ctx.now(), t.isrMask[i]);
        t.setFlag(i, ReplicaTable.VALIDATED, true);
        purgatory.fail(i, Errors.NOT_LEADER_OR_FOLLOWER);
        b.observer.becameLeader(b.brokerId, p, s.leaderEpoch());
        b.env.failover().leadershipApplied(b.brokerId, p, s.leaderEpoch(), b.ctx.now());
        maybeAdvanceHighWatermark(i);
        b.observer.touched(b.brokerId, p);
        if (traceEach) {
            b.ctx.trace("leader", b.cluster.partitionName(p) + " leader epoch " + s.leaderEpoch() + " isr " + s.isr() + " leo " + leo);
        }
    }

    /**
     * Warm start: lead partition {@code i} as the established leader at {@code s} (see
     * {@link KafkaBroker}'s adoption): the role, the epochs, the ISR, and an established fetch
     * session with each in-sync follower (caught up at the log end, high watermark sent), with no
     * observer, failover or trace report. The log is empty.
     */
    void adoptLeader(int i, PartitionState s) {
        int p = s.partition();
        t.leaderEpoch[i] = s.leaderEpoch();
        t.partitionEpoch[i] = s.partitionEpoch();
        t.isrMask[i] = b.maskOf(p, s.isr());
        t.role[i] = ReplicaTable.LEADER;
        t.leader[i] = b.brokerId;
        leaders++;
        PartitionLog log = b.store.log(i);
        long leo = log == null ? 0 : log.logEndOffset();
        if (log != null) {
            log.assignEpoch(s.leaderEpoch(), leo);
        }
        long now = b.ctx.now();
        LeaderState ls = new LeaderState(b.cluster.replicationFactor(p), b.slotOf(p, b.brokerId), leo, now, t.isrMask[i]);
        t.leaderStates[i] = ls;
        t.setFlag(i, ReplicaTable.VALIDATED, true);
        // The fetch sessions are established: each in-sync follower last fetched at the log end and was
        // sent the high watermark (its broker epoch comes with its next fetch).
        int rf = b.cluster.replicationFactor(p);
        for (int r = 0; r < rf; r++) {
            int follower = b.cluster.replica(p, r);
            if (follower == b.brokerId || (t.isrMask[i] & (1 << r)) == 0) {
                continue;
            }
            ls.onFollowerFetch(r, leo, leo, -1, now);
            ls.markSent(r, t.highWatermark[i]);
            sessions.open(follower, false);
        }
    }

    /** Stop leading (becoming follower or offline): fail waiting produces, drop follower state. */
    void resign(int i) {
        if (t.role[i] == ReplicaTable.LEADER) {
            leaders--;
            lagging.remove(i);
            purgatory.fail(i, Errors.NOT_LEADER_OR_FOLLOWER);
            t.leaderStates[i] = null;
        }
    }

    // ------------------------------------------------------------------ produce

    /**
     * A produce request (docs/model.md#produce-path) for several partitions: each is appended on
     * its own (NOT_LEADER_OR_FOLLOWER with the broker's metadata leader as the KIP-951 hint, or
     * NOT_ENOUGH_REPLICAS), and the response goes when every acks=all partition is committed or
     * failed; acks=0 gets no response.
     */
    void onProduce(NodeId from, ProduceRequest r) {
        int n = r.partitions().length;
        b.ctx.work(b.partitionCostNanos * n);
        ProducePurgatory.DelayedProduce d = new ProducePurgatory.DelayedProduce(from, r);
        for (int k = 0; k < n; k++) {
            int p = r.partitions()[k];
            int i = t.local(p);
            if (i < 0 || t.role[i] != ReplicaTable.LEADER) {
                d.errors[k] = Errors.NOT_LEADER_OR_FOLLOWER;
                d.leaders[k] = p >= 0 && p < b.metadataLeader.length ? b.metadataLeader[p] : -1;
                continue;
            }
            int minIsr = b.cluster.minInsyncReplicas(p);
            if (r.acks() == -1 && Integer.bitCount(t.isrMask[i]) < minIsr) {
                d.errors[k] = Errors.NOT_ENOUGH_REPLICAS;
                continue;
            }
            PartitionLog log = b.store.logForWrite(i);
            int epoch = t.leaderEpoch[i];
            long base = log.logEndOffset();
            log.assignEpoch(epoch, base); // no-op unless the replica was empty when it became leader
            long now = b.ctx.now();
            noteCaughtUpFollowers(i, base);
            for (long id : r.recordIds()[k]) {
                log.append(id, epoch, b.env.hostClock().getAsLong());
            }
            long last = log.logEndOffset() - 1;
            b.maybeFlush(log);
            lagging.add(i);
            sessions.markNews(i);
            b.observer.touched(b.brokerId, p);
            if (r.acks() == -1) {
                purgatory.hold(i, d, k, base, last + 1, epoch, now + r.timeoutNanos());
            } else {
                d.errors[k] = Errors.NONE;
                d.baseOffsets[k] = base;
                d.epochs[k] = epoch;
            }
            maybeAdvanceHighWatermark(i);
        }
        purgatory.resolved(d); // the appending is done
    }

    private void noteCaughtUpFollowers(int i, long oldLeo) {
        int p = t.partitions[i];
        LeaderState ls = t.leaderStates[i];
        int rf = b.cluster.replicationFactor(p);
        for (int r = 0; r < rf; r++) {
            int follower = b.cluster.replica(p, r);
            FollowerSession s = follower == b.brokerId ? null : sessions.get(follower);
            if (s != null) {
                ls.onLeaderAppend(r, oldLeo, s.lastRequestNanos);
            }
        }
    }

    // ------------------------------------------------------------------ high watermark and ISR

    int maximalIsrMask(int i) {
        LeaderState ls = t.leaderStates[i];
        return t.isrMask[i] | (ls != null && ls.alterInFlight() ? ls.proposedIsrMask : 0);
    }

    /**
     * HW = min LEO over the maximal ISR, never decreasing
     * (docs/model.md#isr-maintenance-and-the-high-watermark).
     */
    void maybeAdvanceHighWatermark(int i) {
        if (t.role[i] != ReplicaTable.LEADER) {
            return;
        }
        int p = t.partitions[i];
        if (!hwAdvanceBelowMinIsr && Integer.bitCount(t.isrMask[i]) < b.cluster.minInsyncReplicas(p)) {
            return;
        }
        LeaderState ls = t.leaderStates[i];
        long min = b.logEndOffset(i);
        int mask = maximalIsrMask(i);
        int rf = b.cluster.replicationFactor(p);
        for (int r = 0; r < rf; r++) {
            if ((mask & (1 << r)) != 0 && b.cluster.replica(p, r) != b.brokerId) {
                min = Math.min(min, ls.followerLeo(r));
            }
        }
        if (min > t.highWatermark[i]) {
            t.highWatermark[i] = min;
            sessions.markNews(i);
            b.observer.touched(b.brokerId, p);
            purgatory.complete(i);
        }
    }

    /**
     * A follower fetched at {@code fetchOffset}; maybe it rejoins the ISR
     * (docs/model.md#isr-maintenance-and-the-high-watermark).
     */
    private void maybeExpandIsr(int i, int slot) {
        LeaderState ls = t.leaderStates[i];
        if ((t.isrMask[i] & (1 << slot)) != 0) {
            return;
        }
        long leo = ls.followerLeo(slot);
        if (leo >= t.highWatermark[i] && leo >= ls.epochStartOffset) {
            if (ls.alterInFlight()) {
                noteRejoin(i, slot); // one ISR change at a time: try again at the follower's next fetch
            } else {
                proposeIsr(i, t.isrMask[i] | (1 << slot), "expand");
            }
        }
    }

    /** Re-check ISR expansion of partition {@code i} for the follower at {@code slot} at its next fetch. */
    private void noteRejoin(int i, int slot) {
        FollowerSession s = sessions.get(b.cluster.replica(t.partitions[i], slot));
        if (s != null) {
            s.rejoin.add(i);
        }
    }

    /**
     * The follower fetched with {@code brokerEpoch}: re-check the partitions noted for it by
     * {@link #noteRejoin} that were not in this fetch (idle ones; those in it were re-checked with
     * it), from what its last fetch of each told this leader in this leader epoch.
     * Only for the same incarnation of the follower (the broker epoch it fetched those partitions
     * with): a follower that restarted may have lost its log, and must fetch a partition again
     * before it can rejoin that partition's ISR. And only for a partition with nothing new since the
     * follower's fetch of it (its fetch offset is this leader's log end): one with new records is in
     * the follower's next fetches anyway, and is re-checked there.
     */
    private void retryRejoins(FollowerSession session, long brokerEpoch) {
        if (session.rejoin.isEmpty()) {
            return;
        }
        int[] pending = session.rejoin.toIntArray();
        PartitionSets.clear(session.rejoin);
        for (int i : pending) {
            if (t.role[i] == ReplicaTable.LEADER) {
                int slot = b.slotOf(t.partitions[i], session.followerId);
                LeaderState ls = t.leaderStates[i];
                if (ls.followerLeo(slot) >= 0 && ls.brokerEpoch(slot) == brokerEpoch && ls.followerLeo(slot) == b.logEndOffset(i)) {
                    maybeExpandIsr(i, slot);
                }
            }
        }
    }

    /**
     * {@code isr-expiration}: drop followers that are not caught up for {@code replica.lag.time.max.ms}.
     * Kafka looks at every led partition; only those in {@link #lagging} can have a follower to drop,
     * so only they are looked at (the CPU charged still covers every led partition), and those whose
     * in-sync followers are all at the log end leave the set.
     */
    void expireIsr() {
        long now = b.ctx.now();
        if (!lagging.isEmpty()) {
            int[] candidates = lagging.toIntArray();
            for (int i : candidates) {
                if (t.role[i] != ReplicaTable.LEADER) {
                    lagging.remove(i);
                    continue;
                }
                maybeShrinkIsr(i, now);
                if (!t.leaderStates[i].alterInFlight() && inSyncFollowersAtEnd(i)) {
                    lagging.remove(i);
                }
            }
        }
        b.ctx.work(leaders * 50L);
    }

    /** Whether every in-sync follower of led partition {@code i} last fetched at the leader's log end. */
    private boolean inSyncFollowersAtEnd(int i) {
        int p = t.partitions[i];
        LeaderState ls = t.leaderStates[i];
        long leo = b.logEndOffset(i);
        int mask = t.isrMask[i];
        int rf = b.cluster.replicationFactor(p);
        for (int r = 0; r < rf; r++) {
            if ((mask & (1 << r)) != 0 && b.cluster.replica(p, r) != b.brokerId && ls.followerLeo(r) != leo) {
                return false;
            }
        }
        return true;
    }

    private void maybeShrinkIsr(int i, long now) {
        LeaderState ls = t.leaderStates[i];
        if (ls.alterInFlight()) {
            return;
        }
        int p = t.partitions[i];
        long leaderLeo = b.logEndOffset(i);
        int mask = t.isrMask[i];
        int rf = b.cluster.replicationFactor(p);
        int newMask = mask;
        for (int r = 0; r < rf; r++) {
            if ((mask & (1 << r)) == 0 || b.cluster.replica(p, r) == b.brokerId) {
                continue;
            }
            boolean caughtUp = ls.followerLeo(r) == leaderLeo || now - ls.lastCaughtUp(r) <= lagNanos;
            if (!caughtUp) {
                newMask &= ~(1 << r);
            }
        }
        if (newMask != mask) {
            proposeIsr(i, newMask, "shrink");
        }
    }

    void proposeIsr(int i, int newMask, String why) {
        int p = t.partitions[i];
        LeaderState ls = t.leaderStates[i];
        ls.proposedIsrMask = newMask;
        ls.alterProposedNanos = b.ctx.now();
        IntArrayList isr = b.idsOf(p, newMask);
        LongArrayList epochs = new LongArrayList(isr.size());
        for (int k = 0; k < isr.size(); k++) {
            int broker = isr.getInt(k);
            epochs.add(broker == b.brokerId ? b.brokerEpoch : ls.brokerEpoch(b.slotOf(p, broker)));
        }
        int added = newMask & ~t.isrMask[i];
        for (int r = 0; added != 0; r++, added >>>= 1) {
            if ((added & 1) != 0) {
                b.observer.isrExpansionProposed(b.brokerId, p, b.cluster.replica(p, r), ls.brokerEpoch(r), ls.followerLeo(r));
            }
        }
        b.ctx.trace("isr-" + why, b.cluster.partitionName(p) + " propose " + isr + " at partition epoch " + t.partitionEpoch[i]);
        b.agent.alterPartition(new AlterPartitionRequest(b.brokerId, b.brokerEpoch, p, t.leaderEpoch[i], isr, epochs,
                t.partitionEpoch[i]));
    }

    void onAlterPartitionResponse(AlterPartitionResult result) {
        int i = t.local(result.partition());
        if (i < 0 || t.role[i] != ReplicaTable.LEADER) {
            return;
        }
        LeaderState ls = t.leaderStates[i];
        PartitionState s = result.state();
        if (s != null && s.leaderEpoch() == t.leaderEpoch[i] && s.leader() == b.brokerId
                && s.partitionEpoch() > t.partitionEpoch[i]) {
            t.partitionEpoch[i] = s.partitionEpoch();
            int oldMask = t.isrMask[i];
            t.isrMask[i] = b.maskOf(s.partition(), s.isr());
            int added = t.isrMask[i] & ~oldMask;
            for (int r = 0; added != 0; r++, added >>>= 1) {
                if ((added & 1) != 0) {
                    b.observer.isrExpanded(b.brokerId, s.partition(), b.cluster.replica(s.partition(), r));
                }
            }
            b.ctx.trace("isr", b.cluster.partitionName(s.partition()) + " now " + s.isr() + " at partition epoch " + s.partitionEpoch());
        } else if (result.error() != Errors.NONE) {
            b.ctx.trace("isr-rejected", b.cluster.partitionName(result.partition()) + " " + result.error());
        }
        if (ls.alterInFlight()) {
            ls.alterCompletedNanos = b.ctx.now();
        }
        ls.proposedIsrMask = -1;
        lagging.add(i);
        if (result.error() != Errors.NONE) {
            // Simplification: a rejected shrink (for example raced by the controller's own ISR change)
            // is re-evaluated at once rather than at the next isr-expiration run.
            maybeShrinkIsr(i, b.ctx.now());
        }
        // A rejected expansion (an ineligible replica, a fenced epoch) is proposed again when the
        // follower next fetches the partition, never on the answer itself: the oracle answers within
        // the instant of the request, and proposing again there looped forever (IsrAnswerRetryTest).
        maybeAdvanceHighWatermark(i);
        purgatory.complete(i);
        b.observer.touched(b.brokerId, result.partition());
    }

    // ------------------------------------------------------------------ follower fetches

    void onFollowerFetch(NodeId from, FetchRequest r) {
        int follower = r.replicaId();
        FollowerSession session = sessions.open(follower, r.full());
        session.parked = false;
        long now = b.ctx.now();
        session.lastRequestNanos = now;
        List<PartitionData> out = new ArrayList<>();
        for (FetchPartition fp : r.partitions()) {
            int p = fp.partition();
            int i = t.local(p);
            if (i < 0 || t.role[i] != ReplicaTable.LEADER) {
                out.add(PartitionData.error(p, Errors.NOT_LEADER_OR_FOLLOWER, -1));
                continue;
            }
            int epoch = t.leaderEpoch[i];
            if (fp.currentLeaderEpoch() < epoch) {
                out.add(PartitionData.error(p, Errors.FENCED_LEADER_EPOCH, epoch));
                continue;
            }
            if (fp.currentLeaderEpoch() > epoch) {
                out.add(PartitionData.error(p, Errors.UNKNOWN_LEADER_EPOCH, epoch));
                continue;
            }
            PartitionLog log = b.store.log(i);
            long leo = log == null ? 0 : log.logEndOffset();
            if (fp.lastFetchedEpoch() != KafkaMessage.NO_EPOCH) {
                // Truncation on fetch (KAFKA-10554): the follower's last epoch must end at or after its fetch offset here.
                PartitionLog.EpochEndOffset eo = log == null ? PartitionLog.EpochEndOffset.UNDEFINED : log.endOffsetFor(fp.lastFetchedEpoch());
                if (eo.endOffset() < 0 || eo.epoch() < fp.lastFetchedEpoch() || eo.endOffset() < fp.fetchOffset()) {
                    long end = eo.endOffset() < 0 ? 0 : eo.endOffset();
                    out.add(new PartitionData(p, Errors.NONE, epoch, t.highWatermark[i], leo, -1, KafkaMessage.EMPTY_IDS,
                            KafkaMessage.EMPTY_EPOCHS, eo.epoch(), end));
                    continue; // KAFKA-13141: no follower state update from a diverging fetch
                }
            }
            if (fp.fetchOffset() > leo) {
                out.add(new PartitionData(p, Errors.OFFSET_OUT_OF_RANGE, epoch, t.highWatermark[i], leo, -1, KafkaMessage.EMPTY_IDS,
                        KafkaMessage.EMPTY_EPOCHS, KafkaMessage.NO_EPOCH, -1));
                continue;
            }
            int slot = b.slotOf(p, follower);
            t.leaderStates[i].onFollowerFetch(slot, fp.fetchOffset(), leo, r.brokerEpoch(), now);
            if (fp.fetchOffset() != leo) {
                lagging.add(i);
            }
            session.rejoin.remove(i); // re-checked here, as before; noted again if a change is in flight
            maybeExpandIsr(i, slot);
            maybeAdvanceHighWatermark(i);
            // Answered from this request at once (instead of through the session's news set): the
            // same data, at a cost proportional to the request.
            sessions.addNews(session, i, out);
            if (!session.dirty.isEmpty()) {
                session.dirty.remove(i);
            }
        }
        retryRejoins(session, r.brokerEpoch());
        sessions.collectNews(session, out);
        b.ctx.work(b.partitionCostNanos * (r.partitions().size() + out.size()));
        if (out.isEmpty()) {
            sessions.park(session, r.requestId());
            return;
        }
        b.ctx.send(from, new FetchResponse(r.requestId(), out));
    }

    /** Answers parked fetches whose sessions got news during this handler. */
    void wakeParkedFetches() {
        sessions.wakeParkedFetches();
    }

    void onParkedFetchTimeout(BrokerTimer.ParkedFetchTimeout tag) {
        sessions.onParkedFetchTimeout(tag);
    }
}
