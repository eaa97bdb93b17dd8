package dev.faultline.raft.quorum;

import dev.faultline.raft.quorum.RaftMessage.FetchError;
import dev.faultline.raft.quorum.RaftMessage.FetchRequest;
import dev.faultline.raft.quorum.RaftMessage.FetchResponse;
import dev.faultline.raft.quorum.RaftMessage.FetchSnapshotRequest;
import dev.faultline.raft.quorum.RaftMessage.FetchSnapshotResponse;
import it.unimi.dsi.fastutil.ints.Int2ObjectLinkedOpenHashMap;
import java.util.ArrayList;
import java.util.List;

/**
 * The leader's side of Fetch (docs/model.md#fetch-and-the-high-watermark): epoch checks, the
 * diverging-epoch check, the replica's acknowledged offset, and the long poll
 * ({@code MAX_FETCH_WAIT_MS}) completed early on append or high-watermark change.
 */
final class LeaderFetchHandler {
    /**
     * {@code KafkaRaftClient.MAX_FETCH_SIZE_BYTES} (8 MiB): a Fetch returns whole batches up to this
     * many bytes, and always at least one batch.
     */
    static final int MAX_FETCH_SIZE_BYTES = LogEntry.MAX_BATCH_SIZE_BYTES;

    private final RaftNode node;
    private final Int2ObjectLinkedOpenHashMap<FetchRequest> parked = new Int2ObjectLinkedOpenHashMap<>();

    LeaderFetchHandler(RaftNode node) {
        this.node = node;
    }

    void handle(int replica, FetchRequest request) {
        EpochState s = node.quorum.state();
        if (!(s instanceof LeaderState)) {
            respondError(replica, request, FetchError.NOT_LEADER_OR_FOLLOWER);
            return;
        }
        if (request.epoch() < s.epoch()) {
            respondError(replica, request, FetchError.FENCED_LEADER_EPOCH);
            return;
        }
        if (request.epoch() > s.epoch()) {
            respondError(replica, request, FetchError.UNKNOWN_LEADER_EPOCH);
            return;
        }
        LeaderState leader = (LeaderState) s;
        RaftLog log = node.log;
        RaftSnapshot snapshot = snapshotFor(request.fetchOffset(), request.lastFetchedEpoch());
        if (snapshot != null) {
            node.ctx.send(node.peers[replica], new FetchResponse(s.epoch(), node.selfId, FetchError.NONE, -1, -1,
                    request.fetchOffset(), List.of(), leader.highWatermark(), request.correlationId(), snapshot.endOffset(),
                    snapshot.epoch()));
            return;
        }
        if (request.fetchOffset() > 0) {
            RaftLog.OffsetAndEpoch end = log.endOffsetForEpoch(request.lastFetchedEpoch());
            if (end.epoch() != request.lastFetchedEpoch() || end.offset() < request.fetchOffset()) {
                node.ctx.send(node.peers[replica], new FetchResponse(s.epoch(), node.selfId, FetchError.NONE, end.epoch(),
                        end.offset(), request.fetchOffset(), List.of(), leader.highWatermark(), request.correlationId()));
                return;
            }
        }
        if (leader.updateEndOffset(replica, request.fetchOffset(), node.ctx.now(), node.config.bugs().commitRule())) {
            onHighWatermarkAdvanced(leader);
        }
        FetchRequest old = parked.remove(replica);
        if (old != null) {
            node.ctx.cancelTimer(new ParkedFetchTimer(replica));
        }
        if (request.fetchOffset() < log.endOffset()) {
            respond(replica, request, leader);
        } else {
            parked.put(replica, request);
            node.ctx.setTimer(new ParkedFetchTimer(replica), node.config.maxFetchWaitNanos());
        }
    }

    /**
     * {@code ReplicatedLog.validateOffsetAndEpoch}'s snapshot case: with a snapshot at its log start,
     * the leader answers with its latest snapshot when the fetch offset is below the log start, at
     * the log start with another epoch than that snapshot's, or with a last fetched epoch older than
     * its oldest snapshot. Returns that snapshot, or {@code null} to serve the Fetch from the log.
     */
    private RaftSnapshot snapshotFor(long fetchOffset, int lastFetchedEpoch) {
        MetadataLogFile file = node.log.durable();
        RaftSnapshot earliest = file.earliestSnapshot();
        if (earliest == null || (file.startOffset() == 0 && fetchOffset == 0)) {
            return null;
        }
        long start = file.startOffset();
        if (fetchOffset < start || (fetchOffset == start && lastFetchedEpoch != earliest.epoch()) || lastFetchedEpoch < earliest.epoch()) {
            return file.latestSnapshot();
        }
        return null;
    }

    /**
     * FetchSnapshot ({@code handleFetchSnapshotRequest}): the same epoch checks as Fetch, then up to
     * 8 MiB of the named snapshot from the requested position, or SNAPSHOT_NOT_FOUND when this
     * leader no longer (or never) had it. A voter's request counts for check-quorum.
     */
    void handleSnapshot(int replica, FetchSnapshotRequest request) {
        EpochState s = node.quorum.state();
        FetchError error = !(s instanceof LeaderState) ? FetchError.NOT_LEADER_OR_FOLLOWER
                : request.epoch() < s.epoch() ? FetchError.FENCED_LEADER_EPOCH
                : request.epoch() > s.epoch() ? FetchError.UNKNOWN_LEADER_EPOCH : FetchError.NONE;
        RaftSnapshot snapshot = null;
        if (error == FetchError.NONE) {
            ((LeaderState) s).recordFetch(replica, node.ctx.now());
            for (RaftSnapshot candidate : node.log.durable().snapshots()) {
                if (candidate.endOffset() == request.snapshotEndOffset() && candidate.epoch() == request.snapshotEpoch()) {
                    snapshot = candidate;
                }
            }
            if (snapshot == null || request.position() < 0 || request.position() > snapshot.sizeBytes()) {
                error = FetchError.SNAPSHOT_NOT_FOUND;
                snapshot = null;
            }
        }
        if (error != FetchError.NONE) {
            node.ctx.send(node.peers[replica], new FetchSnapshotResponse(node.quorum.epoch(), node.quorum.leaderId(), error,
                    request.position(), 0, null, request.correlationId()));
            return;
        }
        long chunk = Math.min(MAX_FETCH_SIZE_BYTES, snapshot.sizeBytes() - request.position());
        node.ctx.send(node.peers[replica], new FetchSnapshotResponse(s.epoch(), node.selfId, FetchError.NONE, request.position(),
                chunk, snapshot, request.correlationId()));
    }

    /** The leader's HW moved: remember it and complete parked fetches so followers learn it. */
    void onHighWatermarkAdvanced(LeaderState leader) {
        node.advanceHighWatermark(leader.highWatermark());
        node.leader.onCommitted(leader.highWatermark());
        completeParked();
    }

    /** New records or a new HW: answer every parked fetch now. */
    void completeParked() {
        if (parked.isEmpty() || !(node.quorum.state() instanceof LeaderState)) {
            return;
        }
        LeaderState leader = (LeaderState) node.quorum.state();
        while (!parked.isEmpty()) {
            int replica = parked.firstIntKey();
            FetchRequest request = parked.removeFirst();
            node.ctx.cancelTimer(new ParkedFetchTimer(replica));
            respond(replica, request, leader);
        }
    }

    void expireParked(int replica) {
        FetchRequest request = parked.remove(replica);
        if (request != null && node.quorum.state() instanceof LeaderState) {
            respond(replica, request, (LeaderState) node.quorum.state());
        }
    }

    /** No longer leader: tell every parked replica so it need not wait for its request timeout. */
    void releaseParked() {
        while (!parked.isEmpty()) {
            int replica = parked.firstIntKey();
            FetchRequest request = parked.removeFirst();
            node.ctx.cancelTimer(new ParkedFetchTimer(replica));
            respondError(replica, request, FetchError.NOT_LEADER_OR_FOLLOWER);
        }
    }

    private void respond(int replica, FetchRequest request, LeaderState leader) {
        RaftLog log = node.log;
        long from = request.fetchOffset();
        long end = log.endOffset();
        List<LogEntry> records;
        if (end <= from) {
            records = List.of();
        } else {
            ArrayList<LogEntry> copy = new ArrayList<>();
            long bytes = 0;
            long o = from;
            while (o < end) {
                // One batch: up to the next batch start (a fetch from inside a batch gets its rest, with a header).
                long batchEnd = o + 1;
                long batchBytes = log.get(o).sizeBytes() + LogEntry.BATCH_HEADER_BYTES;
                while (batchEnd < end && !log.get(batchEnd).batchStart()) {
                    batchBytes += log.get(batchEnd).sizeBytes();
                    batchEnd++;
                }
                if (o > from && bytes + batchBytes > MAX_FETCH_SIZE_BYTES) {
                    break;
                }
                for (long r = o; r < batchEnd; r++) {
                    copy.add(log.get(r));
                }
                bytes += batchBytes;
                o = batchEnd;
            }
            records = copy;
        }
        node.ctx.send(node.peers[replica], new FetchResponse(leader.epoch(), node.selfId, FetchError.NONE, -1, -1, from,
                records, leader.highWatermark(), request.correlationId()));
    }

    private void respondError(int replica, FetchRequest request, FetchError error) {
        node.ctx.send(node.peers[replica], new FetchResponse(node.quorum.epoch(), node.quorum.leaderId(), error, -1, -1,
                request.fetchOffset(), List.of(), -1, request.correlationId()));
    }
}
