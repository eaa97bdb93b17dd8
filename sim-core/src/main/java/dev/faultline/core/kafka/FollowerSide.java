package dev.faultline.core.kafka;

import dev.faultline.core.control.Errors;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kafka.KafkaMessage.FetchPartition;
import dev.faultline.core.kafka.KafkaMessage.FetchRequest;
import dev.faultline.core.kafka.KafkaMessage.FetchResponse;
import dev.faultline.core.kafka.KafkaMessage.OffsetsForLeaderEpochRequest;
import dev.faultline.core.kafka.KafkaMessage.OffsetsForLeaderEpochResponse;
import dev.faultline.core.kafka.KafkaMessage.PartitionData;
import dev.faultline.core.kernel.NodeId;
import it.unimi.dsi.fastutil.ints.IntIterator;
import java.util.ArrayList;
import java.util.List;

/**
 * The follower half of a broker (docs/model.md#follower-fetch,
 * docs/model.md#leader-epochs-and-truncation): one fetcher per leader broker with an incremental
 * session and long polls, appending fetched records, learning the high watermark, and truncating by
 * leader-epoch lineage.
 *
 * <p>Protocol generations: by default truncation on fetch ({@code lastFetchedEpoch} /
 * {@code DivergingEpoch}, Kafka 2.8+), which resolves divergence over as many rounds as needed (the
 * KIP-279 rule). Planted bug {@code replication.truncateToHighWatermark} restores pre-0.11
 * behaviour (truncate to the local HW on becoming follower and at restart, no lineage check);
 * {@code replication.singleRoundEpochLookup} restores 0.11 (one OffsetsForLeaderEpoch round with the
 * KIP-101 answer before fetching, no lineage check afterwards).
 */
final class FollowerSide {
    private final KafkaBroker b;
    private final ReplicaTable t;
    private final ReplicaFetcher[] fetchers;
    private final boolean truncateToHighWatermark;
    private final boolean singleRoundEpochLookup;
    private final long backoffNanos;
    private final long socketTimeoutNanos;

    FollowerSide(KafkaBroker broker) {
        this.b = broker;
        this.t = broker.replicas;
        this.fetchers = new ReplicaFetcher[broker.cluster.maxBrokerId() + 1];
        this.truncateToHighWatermark = broker.config.getBoolean("replication.truncateToHighWatermark");
        this.singleRoundEpochLookup = broker.config.getBoolean("replication.singleRoundEpochLookup");
        this.backoffNanos = broker.config.getMillisAsNanos("replica.fetch.backoff.ms");
        this.socketTimeoutNanos = broker.config.getMillisAsNanos("replica.socket.timeout.ms");
    }

    // ------------------------------------------------------------------ role

    void becomeFollower(int i, PartitionState s, boolean traceEach) {
        int p = s.partition();
        int oldLeader = t.leader[i];
        boolean sameLeaderEpoch = t.role[i] == ReplicaTable.FOLLOWER && t.leaderEpoch[i] == s.leaderEpoch();
        t.leaderEpoch[i] = s.leaderEpoch();
        t.partitionEpoch[i] = s.partitionEpoch();
        t.isrMask[i] = b.maskOf(p, s.isr());
        if (sameLeaderEpoch && oldLeader == s.leader()) {
            return; // ISR-only change
        }
        b.leaderSide.resign(i);
        stopFetching(i);
        t.role[i] = ReplicaTable.FOLLOWER;
        t.leader[i] = s.leader();
        t.setFlag(i, ReplicaTable.VALIDATED, false);
        b.observer.touched(b.brokerId, p);
        if (traceEach) {
            b.ctx.trace("follower", b.cluster.partitionName(p) + " follows " + s.leader() + " at leader epoch " + s.leaderEpoch());
        }
        if (truncateToHighWatermark) {
            b.truncate(i, t.highWatermark[i], "become follower: truncate to high watermark (pre-KIP-101)");
        } else if (singleRoundEpochLookup) {
            PartitionLog log = b.store.log(i);
            if (log != null && log.latestEpoch() != KafkaMessage.NO_EPOCH) {
                t.setFlag(i, ReplicaTable.AWAITING_EPOCH_LOOKUP, true);
                sendEpochLookup(i);
                return;
            }
        }
        startFetching(i);
    }

    /**
     * Warm start: follow {@code s.leader()} for partition {@code i} (see {@link KafkaBroker}'s
     * adoption) at the state's epochs and ISR, in that leader's fetcher with an established session;
     * the requests go out in {@link #startFetchers}. An established follower has nothing to truncate:
     * it is marked validated (it agrees with its leader, both logs being empty).
     */
    void adoptFollower(int i, PartitionState s) {
        t.leaderEpoch[i] = s.leaderEpoch();
        t.partitionEpoch[i] = s.partitionEpoch();
        t.isrMask[i] = b.maskOf(s.partition(), s.isr());
        t.role[i] = ReplicaTable.FOLLOWER;
        t.leader[i] = s.leader();
        t.setFlag(i, ReplicaTable.VALIDATED, true);
        ReplicaFetcher f = fetchers[s.leader()];
        if (f == null) {
            f = new ReplicaFetcher(s.leader());
            f.needFull = false; // the session with the leader is established (see LeaderSide.adoptLeader)
            fetchers[s.leader()] = f;
        }
        t.setFlag(i, ReplicaTable.FETCHING, true);
        f.fetching++;
    }

    /**
     * Warm start: each fetcher set up by {@link #adoptFollower} sends its first request, an
     * incremental one in the established session (the leader's side is set up by
     * {@code LeaderSide.adoptLeader}): it lists no partition, so it costs nothing per partition.
     */
    void startFetchers() {
        for (ReplicaFetcher f : fetchers) {
            if (f != null) {
                maybeSend(f);
            }
        }
    }

    /** The single-round lookup of {@code replication.singleRoundEpochLookup}; resent if unanswered within the socket timeout. */
    private void sendEpochLookup(int i) {
        int p = t.partitions[i];
        b.ctx.send(b.brokerNode(t.leader[i]), new OffsetsForLeaderEpochRequest(b.brokerId, p, t.leaderEpoch[i], b.store.log(i).latestEpoch()));
        b.ctx.setTimer(new BrokerTimer.EpochLookupTimeout(p, t.leaderEpoch[i]), socketTimeoutNanos);
    }

    void onEpochLookupTimeout(BrokerTimer.EpochLookupTimeout tag) {
        int i = t.local(tag.partition());
        if (i >= 0 && t.role[i] == ReplicaTable.FOLLOWER && t.leaderEpoch[i] == tag.leaderEpoch()
                && t.hasFlag(i, ReplicaTable.AWAITING_EPOCH_LOOKUP)) {
            sendEpochLookup(i);
        }
    }

    /** KIP-101: truncate to min(leader's answer, own LEO) once, then fetch. */
    void onOffsetsForLeaderEpochResponse(int leaderId, OffsetsForLeaderEpochResponse r) {
        int i = t.local(r.partition());
        if (i < 0 || t.role[i] != ReplicaTable.FOLLOWER || t.leader[i] != leaderId || t.leaderEpoch[i] != r.currentLeaderEpoch()
                || !t.hasFlag(i, ReplicaTable.AWAITING_EPOCH_LOOKUP)) {
            return;
        }
        if (r.error() != Errors.NONE) {
            b.ctx.trace("epoch-lookup", b.cluster.partitionName(r.partition()) + " " + r.error() + "; waiting for new leadership");
            return;
        }
        t.setFlag(i, ReplicaTable.AWAITING_EPOCH_LOOKUP, false);
        b.ctx.cancelTimer(new BrokerTimer.EpochLookupTimeout(r.partition(), t.leaderEpoch[i]));
        if (r.endOffset() >= 0) {
            b.truncate(i, Math.min(r.endOffset(), b.logEndOffset(i)), "OffsetsForLeaderEpoch answered " + r.endOffset());
        }
        startFetching(i);
    }

    private void startFetching(int i) {
        int leaderId = t.leader[i];
        ReplicaFetcher f = fetchers[leaderId];
        if (f == null) {
            f = new ReplicaFetcher(leaderId);
            fetchers[leaderId] = f;
        }
        if (!t.hasFlag(i, ReplicaTable.FETCHING)) {
            t.setFlag(i, ReplicaTable.FETCHING, true);
            f.fetching++;
        }
        f.changed.add(i);
        f.removed.rem(t.partitions[i]);
        maybeSend(f);
    }

    /** Leaves whatever fetcher the partition was in. */
    void stopFetching(int i) {
        t.setFlag(i, ReplicaTable.AWAITING_EPOCH_LOOKUP, false);
        int leaderId = t.leader[i];
        if (leaderId < 0 || leaderId >= fetchers.length) {
            return;
        }
        ReplicaFetcher f = fetchers[leaderId];
        if (f != null && t.hasFlag(i, ReplicaTable.FETCHING)) {
            t.setFlag(i, ReplicaTable.FETCHING, false);
            f.fetching--;
            f.changed.remove(i);
            f.removed.add(t.partitions[i]);
        }
    }

    // ------------------------------------------------------------------ fetch loop

    private void maybeSend(ReplicaFetcher f) {
        if (f.inFlight || f.backingOff || f.fetching == 0) {
            return;
        }
        NodeId leader = b.brokerNode(f.leaderId);
        List<FetchPartition> parts = new ArrayList<>();
        if (f.needFull) {
            for (int i = 0; i < t.size(); i++) {
                if (fetchingFrom(f, i)) {
                    parts.add(fetchState(i));
                }
            }
        } else {
            IntIterator it = f.changed.iterator();
            while (it.hasNext()) {
                int i = it.nextInt();
                if (fetchingFrom(f, i)) {
                    parts.add(fetchState(i));
                }
            }
        }
        int[] removed = f.needFull ? new int[0] : f.removed.toIntArray();
        f.requestId++;
        FetchRequest request = new FetchRequest(b.brokerId, b.brokerEpoch, f.requestId, f.needFull, parts, removed);
        f.needFull = false;
        PartitionSets.clear(f.changed);
        f.removed.clear();
        if (f.removed.elements().length > 64) {
            f.removed.trim();
        }
        f.inFlight = true;
        b.ctx.work(b.partitionCostNanos * parts.size());
        b.ctx.send(leader, request);
        b.ctx.setTimer(new BrokerTimer.FetchTimeout(f.leaderId, f.requestId), socketTimeoutNanos);
    }

    private boolean fetchingFrom(ReplicaFetcher f, int i) {
        return t.hasFlag(i, ReplicaTable.FETCHING) && t.leader[i] == f.leaderId;
    }

    private FetchPartition fetchState(int i) {
        PartitionLog log = b.store.log(i);
        long leo = log == null ? 0 : log.logEndOffset();
        int lastFetchedEpoch = truncateToHighWatermark || singleRoundEpochLookup || log == null ? KafkaMessage.NO_EPOCH
                : log.latestEpoch();
        return new FetchPartition(t.partitions[i], t.leaderEpoch[i], leo, lastFetchedEpoch);
    }

    void onFetchResponse(int leaderId, FetchResponse r) {
        ReplicaFetcher f = leaderId >= 0 && leaderId < fetchers.length ? fetchers[leaderId] : null;
        if (f == null || !f.inFlight || r.requestId() != f.requestId) {
            return; // late answer to a request we gave up on
        }
        f.inFlight = false;
        b.ctx.cancelTimer(new BrokerTimer.FetchTimeout(leaderId, f.requestId));
        boolean backoff = false;
        for (PartitionData d : r.partitions()) {
            int i = t.local(d.partition());
            if (i < 0 || t.role[i] != ReplicaTable.FOLLOWER || !fetchingFrom(f, i)) {
                continue;
            }
            backoff |= apply(f, i, d);
        }
        b.ctx.work(b.partitionCostNanos * r.partitions().size());
        if (backoff) {
            backOff(f);
        } else {
            maybeSend(f);
        }
    }

    /** Applies one partition of a fetch response; returns whether the fetcher should back off. */
    private boolean apply(ReplicaFetcher f, int i, PartitionData d) {
        int p = d.partition();
        if (d.error() == Errors.FENCED_LEADER_EPOCH) {
            // We are behind the leader's epoch: wait for the control plane to tell us the new state.
            stopFetching(i);
            return false;
        }
        if (d.error() == Errors.NOT_LEADER_OR_FOLLOWER || d.error() == Errors.UNKNOWN_LEADER_EPOCH) {
            f.changed.add(i);
            return true;
        }
        if (d.diverging()) {
            truncateOnDivergence(i, d.divergingEpoch(), d.divergingEndOffset());
            f.changed.add(i);
            return false;
        }
        if (d.error() == Errors.OFFSET_OUT_OF_RANGE) {
            // Our log is longer than the leader's (possible only without lineage checks).
            b.truncate(i, Math.min(b.logEndOffset(i), d.logEndOffset()), "offset out of range: leader log ends at " + d.logEndOffset());
            f.changed.add(i);
            return false;
        }
        if (d.error() != Errors.NONE) {
            f.changed.add(i);
            return true;
        }
        long leo = b.logEndOffset(i);
        if (d.ids().length > 0 && d.baseOffset() != leo) {
            f.changed.add(i); // stale data: tell the leader where we are
            return false;
        }
        if (d.ids().length > 0) {
            PartitionLog log = b.store.logForWrite(i);
            long now = b.env.hostClock().getAsLong();
            for (int k = 0; k < d.ids().length; k++) {
                log.assignEpoch(d.epochs()[k], leo + k);
                log.append(d.ids()[k], d.epochs()[k], now);
            }
            b.maybeFlush(log);
            f.changed.add(i);
        }
        t.highWatermark[i] = Math.min(d.highWatermark(), b.logEndOffset(i));
        t.setFlag(i, ReplicaTable.VALIDATED, true);
        b.observer.touched(b.brokerId, p);
        return false;
    }

    /**
     * DivergingEpoch (epoch E, end offset O) from the leader: if we know E, truncate to
     * min(O, our end of E); otherwise truncate to the end of our largest epoch below E, and the
     * next fetch asks again with that epoch (KIP-279's rule over several rounds).
     */
    private void truncateOnDivergence(int i, int divergingEpoch, long divergingEndOffset) {
        PartitionLog log = b.store.log(i);
        if (log == null) {
            return;
        }
        long leo = log.logEndOffset();
        long target;
        PartitionLog.EpochEndOffset own = log.endOffsetFor(divergingEpoch);
        if (divergingEpoch == KafkaMessage.NO_EPOCH || own.endOffset() < 0) {
            target = Math.min(divergingEndOffset, leo);
        } else if (own.epoch() == divergingEpoch) {
            target = Math.min(Math.min(divergingEndOffset, own.endOffset()), leo);
        } else {
            target = Math.min(own.endOffset(), leo);
        }
        b.truncate(i, target, "diverging epoch " + divergingEpoch + " ends at " + divergingEndOffset);
    }

    private void backOff(ReplicaFetcher f) {
        f.backingOff = true;
        b.ctx.setTimer(new BrokerTimer.FetchBackoff(f.leaderId), backoffNanos);
    }

    void onBackoffEnd(int leaderId) {
        ReplicaFetcher f = fetchers[leaderId];
        if (f != null) {
            f.backingOff = false;
            maybeSend(f);
        }
    }

    void onFetchTimeout(BrokerTimer.FetchTimeout tag) {
        ReplicaFetcher f = fetchers[tag.leaderId()];
        if (f == null || !f.inFlight || f.requestId != tag.requestId()) {
            return;
        }
        f.inFlight = false;
        f.needFull = true; // the session state is unknown: start a new one
        backOff(f);
    }

    /** The leader's process is gone: drop the session and retry after the backoff. */
    void onConnectionReset(int leaderId) {
        if (leaderId >= fetchers.length) {
            return;
        }
        ReplicaFetcher f = fetchers[leaderId];
        if (f == null || !f.inFlight) {
            return;
        }
        b.ctx.cancelTimer(new BrokerTimer.FetchTimeout(leaderId, f.requestId));
        f.inFlight = false;
        f.needFull = true;
        backOff(f);
    }
}
