package dev.faultline.core.kafka;

import dev.faultline.core.control.Errors;
import dev.faultline.core.kafka.KafkaMessage.FetchResponse;
import dev.faultline.core.kafka.KafkaMessage.PartitionData;
import it.unimi.dsi.fastutil.ints.IntIterator;
import it.unimi.dsi.fastutil.ints.IntLinkedOpenHashSet;
import java.util.ArrayList;
import java.util.List;

/**
 * A leader broker's follower fetch sessions (Kafka's {@code FetchSessionCache} for replica
 * fetchers, and the delayed fetches of its fetch purgatory; docs/model.md#follower-fetch): one
 * incremental session per follower broker, which partitions have news for it (records or a high
 * watermark it has not been sent), and its parked long poll ({@code replica.fetch.wait.max.ms}),
 * answered as soon as news arrives or when the wait ends. What a fetch does to the follower's
 * state, the ISR and the high watermark is {@link LeaderSide}'s.
 */
final class FollowerFetchSessions {
    private final KafkaBroker b;
    private final ReplicaTable t;
    private final FollowerSession[] sessions;
    /** Followers whose parked fetch got news during this handler. */
    private final IntLinkedOpenHashSet wake = new IntLinkedOpenHashSet();
    private final long fetchWaitNanos;
    private final int fetchMaxRecords;

    FollowerFetchSessions(KafkaBroker broker) {
        this.b = broker;
        this.t = broker.replicas;
        this.sessions = new FollowerSession[broker.cluster.maxBrokerId() + 1];
        this.fetchWaitNanos = broker.config.getMillisAsNanos("replica.fetch.wait.max.ms");
        this.fetchMaxRecords = Math.max(1, broker.config.getInt("replica.fetch.max.bytes") / KafkaMessage.RECORD_BYTES);
    }

    /** The session of {@code follower}, or null. */
    FollowerSession get(int follower) {
        return sessions[follower];
    }

    /** The session of {@code follower}; a new one when it has none or the fetch is a full one. */
    FollowerSession open(int follower, boolean full) {
        FollowerSession session = sessions[follower];
        if (session == null || full) {
            session = new FollowerSession(follower);
            sessions[follower] = session;
        }
        return session;
    }

    /** Nothing to answer: the fetch {@code requestId} waits up to {@code replica.fetch.wait.max.ms} for news. */
    void park(FollowerSession session, long requestId) {
        session.parked = true;
        session.parkedRequestId = requestId;
        b.ctx.setTimer(new BrokerTimer.ParkedFetchTimeout(session.followerId, requestId), fetchWaitNanos);
        wake.remove(session.followerId);
    }

    /** Partition {@code i} has news (records or HW): note it in every follower's session. */
    void markNews(int i) {
        int p = t.partitions[i];
        int rf = b.cluster.replicationFactor(p);
        for (int r = 0; r < rf; r++) {
            int follower = b.cluster.replica(p, r);
            if (follower == b.brokerId) {
                continue;
            }
            FollowerSession s = sessions[follower];
            if (s != null) {
                s.dirty.add(i);
                if (s.parked) {
                    wake.add(follower);
                }
            }
        }
    }

    /** Adds the session's partitions with news to a response and clears them. */
    void collectNews(FollowerSession session, List<PartitionData> out) {
        if (session.dirty.isEmpty()) {
            return;
        }
        IntIterator it = session.dirty.iterator();
        while (it.hasNext()) {
            addNews(session, it.nextInt(), out);
        }
        PartitionSets.clear(session.dirty);
    }

    /** Adds led partition {@code i}'s records and high watermark the follower of {@code session} lacks, if any. */
    void addNews(FollowerSession session, int i, List<PartitionData> out) {
        if (t.role[i] != ReplicaTable.LEADER) {
            return;
        }
        int p = t.partitions[i];
        int slot = b.slotOf(p, session.followerId);
        LeaderState ls = t.leaderStates[i];
        PartitionLog log = b.store.log(i);
        long leo = log == null ? 0 : log.logEndOffset();
        long hw = t.highWatermark[i];
        long from = ls.followerLeo(slot);
        if (from < 0 || (from >= leo && ls.hwSent(slot) == hw)) {
            return; // nothing new, or the follower has not told us its position yet
        }
        int count = (int) Math.min(Math.max(0, leo - from), fetchMaxRecords);
        long[] ids = new long[count];
        int[] epochs = new int[count];
        for (int k = 0; k < count; k++) {
            ids[k] = log.id(from + k);
            epochs[k] = log.epoch(from + k);
        }
        ls.markSent(slot, hw);
        out.add(new PartitionData(p, Errors.NONE, t.leaderEpoch[i], hw, leo, from, ids, epochs, KafkaMessage.NO_EPOCH, -1));
    }

    /** Answers parked fetches whose sessions got news during this handler. */
    void wakeParkedFetches() {
        if (wake.isEmpty()) {
            return;
        }
        IntIterator it = wake.iterator();
        while (it.hasNext()) {
            int follower = it.nextInt();
            FollowerSession s = sessions[follower];
            if (s == null || !s.parked) {
                continue;
            }
            List<PartitionData> out = new ArrayList<>();
            collectNews(s, out);
            if (out.isEmpty()) {
                continue;
            }
            s.parked = false;
            b.ctx.cancelTimer(new BrokerTimer.ParkedFetchTimeout(follower, s.parkedRequestId));
            b.ctx.work(b.partitionCostNanos * out.size());
            b.ctx.send(b.brokerNode(follower), new FetchResponse(s.parkedRequestId, out));
        }
        wake.clear();
    }

    void onParkedFetchTimeout(BrokerTimer.ParkedFetchTimeout tag) {
        FollowerSession s = sessions[tag.followerId()];
        if (s == null || !s.parked || s.parkedRequestId != tag.requestId()) {
            return;
        }
        s.parked = false;
        List<PartitionData> out = new ArrayList<>();
        collectNews(s, out);
        b.ctx.send(b.brokerNode(tag.followerId()), new FetchResponse(tag.requestId(), out));
    }
}
