package dev.faultline.raft.quorum;

import dev.faultline.raft.quorum.RaftMessage.FetchError;
import dev.faultline.raft.quorum.RaftMessage.FetchRequest;
import dev.faultline.raft.quorum.RaftMessage.FetchResponse;
import dev.faultline.raft.quorum.RaftMessage.FetchSnapshotRequest;
import dev.faultline.raft.quorum.RaftMessage.FetchSnapshotResponse;
import java.util.List;

/**
 * The replica's side of Fetch (followers and observers): one request in flight, matched by
 * correlation id (late responses are discarded), diverging-epoch truncation, append, flush (voters
 * only), high watermark from the response, and the fetch timeout reset
 * (docs/model.md#fetch-and-the-high-watermark, docs/architecture.md#disks-and-durability).
 */
final class ReplicaFetcher {
    private final RaftNode node;
    private long correlationId;
    private boolean inFlight;
    private int target = -1;
    /** The voter whose Fetch last timed out, until some answer arrives: an observer looking for the leader avoids it. */
    private int timedOut = -1;
    /**
     * The snapshot this follower is fetching (KIP-630: its Fetch offset was below the leader's log
     * start), by id, and how many of its bytes have arrived; {@code -1} when none.
     */
    private long snapshotEnd = -1;
    private int snapshotEpoch;
    private long snapshotPosition;

    ReplicaFetcher(RaftNode node) {
        this.node = node;
    }

    /** The node index the Fetch in flight went to, or -1 when none is in flight. */
    int inFlightTarget() {
        return inFlight ? target : -1;
    }

    /** A transition: forget the request in flight (its response will be discarded). */
    void reset() {
        inFlight = false;
        snapshotEnd = -1;
        node.ctx.cancelTimer(RaftTimer.FETCH_REQUEST);
        node.ctx.cancelTimer(RaftTimer.FETCH_RETRY);
    }

    /** Sends a Fetch to the leader, or to a random voter while the leader is unknown. */
    void sendFetch() {
        EpochState s = node.quorum.state();
        if (s instanceof FollowerState && snapshotEnd >= 0) {
            target = ((FollowerState) s).leaderId();
            correlationId++;
            inFlight = true;
            node.ctx.send(node.peers[target], new FetchSnapshotRequest(s.epoch(), node.selfId, snapshotEnd, snapshotEpoch,
                    snapshotPosition, correlationId));
            node.ctx.setTimer(RaftTimer.FETCH_REQUEST, node.config.requestTimeoutNanos());
            return;
        }
        if (s instanceof FollowerState) {
            target = ((FollowerState) s).leaderId();
        } else if (s instanceof UnattachedState && !node.quorum.isVoter()) {
            int[] voters = node.quorum.voters();
            if (timedOut >= 0 && voters.length > 1) {
                target = voters[node.ctx.random().nextInt(voters.length - 1)];
                if (target == timedOut) {
                    target = voters[voters.length - 1];
                }
            } else {
                target = voters[node.ctx.random().nextInt(voters.length)];
            }
        } else {
            return;
        }
        long end = node.log.endOffset();
        correlationId++;
        inFlight = true;
        node.ctx.send(node.peers[target], new FetchRequest(s.epoch(), node.selfId, end, node.log.epochBefore(end),
                correlationId));
        node.ctx.setTimer(RaftTimer.FETCH_REQUEST, node.config.requestTimeoutNanos());
    }

    /**
     * Observer lost its leader (or never had one): ask a random voter other than the one its last
     * Fetch went to (which timed out; Kafka's observer picks among voters whose connection is not
     * backing off).
     */
    void rediscover() {
        EpochState s = node.quorum.state();
        if (s instanceof FollowerState) {
            // Keep following but let the next request go to a random voter.
            inFlight = false;
            int[] voters = node.quorum.voters();
            int previous = target;
            if (voters.length > 1 && previous >= 0) {
                target = voters[node.ctx.random().nextInt(voters.length - 1)];
                if (target == previous) {
                    target = voters[voters.length - 1];
                }
            } else {
                target = voters[node.ctx.random().nextInt(voters.length)];
            }
            long end = node.log.endOffset();
            correlationId++;
            inFlight = true;
            node.ctx.send(node.peers[target], new FetchRequest(s.epoch(), node.selfId, end, node.log.epochBefore(end),
                    correlationId));
            node.ctx.setTimer(RaftTimer.FETCH_REQUEST, node.config.requestTimeoutNanos());
            node.ctx.setTimer(RaftTimer.FOLLOWER_TIMEOUT, node.config.fetchTimeoutNanos());
        } else {
            sendFetch();
        }
    }

    void onRequestTimeout() {
        inFlight = false;
        timedOut = target;
        if (node.quorum.isVoter()) {
            sendFetch();
        } else {
            rediscover();
        }
    }

    /**
     * The process the Fetch went to died. Voters back off and retry (their fetch timeout starts an
     * election). An observer following a leader does what Kafka's observer does while its leader's
     * connection backs off after a failure ({@code pollFollowerAsObserver}): it fetches from another
     * voter, whose answer names a newer epoch and leader as soon as that voter knows one, so the
     * observer need not wait for its own fetch timeout.
     */
    void onConnectionReset(int peer) {
        if (inFlight && peer == target) {
            inFlight = false;
            node.ctx.cancelTimer(RaftTimer.FETCH_REQUEST);
            if (!fetchFromAnotherVoter(peer)) {
                node.ctx.setTimer(RaftTimer.FETCH_RETRY, node.config.retryBackoffNanos());
            }
        }
    }

    /**
     * An observer following a leader whose connection failed (reset, or an error answer from the
     * leader itself) sends its next Fetch to another voter at once, as Kafka's
     * {@code pollFollowerAsObserver} does while the leader's connection backs off; that voter's
     * answer names a newer epoch and leader as soon as it knows one. Returns whether it did.
     */
    private boolean fetchFromAnotherVoter(int failed) {
        EpochState s = node.quorum.state();
        int[] voters = node.quorum.voters();
        if (node.quorum.isVoter() || !(s instanceof FollowerState) || voters.length < 2) {
            return false;
        }
        int other = voters[node.ctx.random().nextInt(voters.length - 1)];
        if (other == failed) {
            other = voters[voters.length - 1];
        }
        target = other;
        long end = node.log.endOffset();
        correlationId++;
        inFlight = true;
        node.ctx.send(node.peers[target], new FetchRequest(s.epoch(), node.selfId, end, node.log.epochBefore(end),
                correlationId));
        node.ctx.setTimer(RaftTimer.FETCH_REQUEST, node.config.requestTimeoutNanos());
        return true;
    }

    /** The answer to the request in flight (else a stale or foreign one, ignored): it is no longer in flight. */
    private boolean acceptAnswer(int sender, long answerCorrelationId) {
        if (!inFlight || answerCorrelationId != correlationId || sender != target) {
            return false;
        }
        inFlight = false;
        timedOut = -1;
        node.ctx.cancelTimer(RaftTimer.FETCH_REQUEST);
        return true;
    }

    void handleResponse(int sender, FetchResponse response) {
        if (!acceptAnswer(sender, response.correlationId())) {
            return;
        }
        EpochState s = node.quorum.state();
        if (response.error() != FetchError.NONE) {
            if (s instanceof FollowerState && sender == ((FollowerState) s).leaderId() && response.epoch() == s.epoch()
                    && fetchFromAnotherVoter(sender)) {
                return; // an observer's leader answered with an error (e.g. it resigned): ask another voter
            }
            onError(response, s);
            return;
        }
        if (response.epoch() != s.epoch()) {
            node.ctx.setTimer(RaftTimer.FETCH_RETRY, node.config.retryBackoffNanos());
            return;
        }
        if (!(s instanceof FollowerState)) {
            if (s instanceof UnattachedState && !node.quorum.isVoter()) {
                node.becomeFollower(s.epoch(), sender);   // sends the next fetch
            }
            return;
        }
        FollowerState follower = (FollowerState) s;
        if (follower.leaderId() != sender) {
            sendFetch();
            return;
        }
        if (response.divergingEpoch() >= 0) {
            truncate(response.divergingEpoch(), response.divergingEndOffset());
        } else if (response.snapshotEndOffset() >= 0) {
            // Below the leader's log start: fetch its snapshot first (the next request is a FetchSnapshot).
            snapshotEnd = response.snapshotEndOffset();
            snapshotEpoch = response.snapshotEpoch();
            snapshotPosition = 0;
            node.ctx.trace("raft", "fetch offset " + response.fetchOffset() + " is below the leader's log start: fetching snapshot ("
                    + snapshotEnd + ", " + snapshotEpoch + ")");
        } else if (response.fetchOffset() == node.log.endOffset()) {
            appendRecords(response.records());
            long hw = Math.min(response.highWatermark(), node.log.endOffset());
            node.advanceHighWatermark(hw);
        }
        follower.markFetchedSuccessfully();
        if (node.quorum.isVoter() && !node.config.isClassic()) {
            node.ctx.setTimer(RaftTimer.FOLLOWER_TIMEOUT, node.config.timerPolicy().followerTimeoutNanos(node.ctx.random()));
        } else if (!node.quorum.isVoter()) {
            node.ctx.setTimer(RaftTimer.FOLLOWER_TIMEOUT, node.config.fetchTimeoutNanos());
        }
        node.onLeaderContact();
        sendFetch();
    }

    /**
     * A chunk of the snapshot being fetched ({@code handleFetchSnapshotResponse}): once every byte
     * has arrived the snapshot is kept and, being past the log end, replaces the log; the follower
     * then fetches from its end. An unknown snapshot (the leader cleaned it meanwhile) sends the
     * follower back to Fetch, which names the leader's current one.
     */
    void handleSnapshotResponse(int sender, FetchSnapshotResponse response) {
        if (!acceptAnswer(sender, response.correlationId())) {
            return;
        }
        EpochState s = node.quorum.state();
        if (response.error() == FetchError.SNAPSHOT_NOT_FOUND) {
            snapshotEnd = -1;
            sendFetch();
            return;
        }
        if (response.error() != FetchError.NONE || response.epoch() != s.epoch()) {
            node.ctx.setTimer(RaftTimer.FETCH_RETRY, node.config.retryBackoffNanos());
            return;
        }
        if (!(s instanceof FollowerState) || ((FollowerState) s).leaderId() != sender || snapshotEnd < 0) {
            sendFetch();
            return;
        }
        RaftSnapshot snapshot = response.snapshot();
        if (snapshot.endOffset() != snapshotEnd || snapshot.epoch() != snapshotEpoch || response.position() != snapshotPosition) {
            snapshotEnd = -1; // not the chunk expected: start over from a Fetch
            sendFetch();
            return;
        }
        snapshotPosition += response.chunkBytes();
        if (snapshotPosition >= snapshot.sizeBytes()) {
            snapshotEnd = -1;
            node.installFetchedSnapshot(snapshot);
        }
        ((FollowerState) s).markFetchedSuccessfully();
        if (node.quorum.isVoter() && !node.config.isClassic()) {
            node.ctx.setTimer(RaftTimer.FOLLOWER_TIMEOUT, node.config.timerPolicy().followerTimeoutNanos(node.ctx.random()));
        } else if (!node.quorum.isVoter()) {
            node.ctx.setTimer(RaftTimer.FOLLOWER_TIMEOUT, node.config.fetchTimeoutNanos());
        }
        node.onLeaderContact();
        if (node.quorum.state() == s) {
            sendFetch();
        }
    }

    private void onError(FetchResponse response, EpochState s) {
        if (response.epoch() == s.epoch() && response.leaderId() >= 0 && response.leaderId() != node.selfId
                && !(s instanceof FollowerState) && !(s instanceof LeaderState) && !(s instanceof ResignedState)) {
            node.becomeFollower(s.epoch(), response.leaderId());
            return;
        }
        node.ctx.setTimer(RaftTimer.FETCH_RETRY, node.config.retryBackoffNanos());
    }

    /** Diverging epoch: truncate to the end of that epoch in this log, then fetch again (KIP-595). */
    private void truncate(int divergingEpoch, long divergingEndOffset) {
        RaftLog log = node.log;
        long to = Math.min(log.endOffsetForEpoch(divergingEpoch).offset(), divergingEndOffset);
        if (to < log.endOffset()) {
            node.probe.onTruncate(node.selfId, to, node.highWatermark);
            node.ctx.trace("raft", "truncate " + log.endOffset() + " -> " + to + " (diverging epoch " + divergingEpoch + ")");
            log.truncateTo(to);
            if (node.highWatermark > to) {
                // Kafka's log refuses this; the model lets it happen so that KR-S9 can report it.
                node.highWatermark = to;
            }
        }
    }

    private void appendRecords(List<LogEntry> records) {
        if (records.isEmpty()) {
            return;
        }
        for (int i = 0; i < records.size(); i++) {
            node.appendReplica(records.get(i));
        }
        if (node.quorum.isVoter() && !node.config.bugs().ackBeforeFsync()) {
            // Voters flush fetched data before the next Fetch (KafkaRaftClient.appendAsFollower);
            // test switch ackBeforeFsync (KR-S5) skips the flush.
            node.ctx.fsync(node.log.durable());
        }
    }
}
