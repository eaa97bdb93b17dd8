package dev.faultline.raft.quorum;

import dev.faultline.raft.quorum.RaftMessage.BeginQuorumEpochRequest;
import dev.faultline.raft.quorum.RaftMessage.ClientAppend;
import dev.faultline.raft.quorum.RaftMessage.ClientAppendReply;
import dev.faultline.raft.quorum.RaftMessage.EndQuorumEpochRequest;
import dev.faultline.raft.quorum.RaftMessage.Heartbeat;
import it.unimi.dsi.fastutil.longs.LongArrayFIFOQueue;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.List;

/**
 * What a leader does besides answering fetches: the {@code LeaderChangeMessage} at its epoch start,
 * the append accumulator with {@code append.linger.ms}, flushing its own appends, check-quorum,
 * BeginQuorumEpoch resends (Kafka policy) or heartbeats (classic policy), and EndQuorumEpoch when it
 * resigns.
 */
final class LeaderDuties {
    private final RaftNode node;
    /** Serialized size of a {@code LeaderChangeMessage} control record (leader, voters, granting voters). */
    static final int LEADER_CHANGE_RECORD_BYTES = 48;

    private final LongArrayList accumulated = new LongArrayList();
    private final List<Object> accumulatedPayloads = new ArrayList<>();
    private final it.unimi.dsi.fastutil.ints.IntArrayList accumulatedSizes = new it.unimi.dsi.fastutil.ints.IntArrayList();
    private long accumulatedBytes;
    private long firstAccumulatedNanos = -1;
    /** Pairs (last offset of a client batch, accept time of its first record), oldest first. */
    private final LongArrayFIFOQueue pendingBatches = new LongArrayFIFOQueue();
    private long lastHeartbeatNanos = -1;

    LeaderDuties(RaftNode node) {
        this.node = node;
    }

    /** onBecomeLeader: append and flush the LeaderChange record, announce the epoch, start the timers. */
    void start(LeaderState leader) {
        start(leader, true);
    }

    /**
     * @param newEpoch false for a leader that resumes an epoch it has led since before the run (warm
     *     start): its LeaderChange record is long committed
     */
    void start(LeaderState leader, boolean newEpoch) {
        if (newEpoch) {
            node.append(leader.epoch(), true, node.selfId, null, LEADER_CHANGE_RECORD_BYTES, true);
        }
        flushAndAcknowledge(leader);
        BeginQuorumEpochRequest announce = new BeginQuorumEpochRequest(leader.epoch(), node.selfId);
        sendToOtherVoters(announce);
        if (node.config.isClassic()) {
            lastHeartbeatNanos = node.ctx.now();
            long hb = ((TimerPolicy.Classic) node.config.timerPolicy()).heartbeatIntervalNanos();
            node.ctx.setTimer(RaftTimer.HEARTBEAT, hb);
        } else {
            node.ctx.setTimer(RaftTimer.BEGIN_EPOCH_RESEND, node.config.beginQuorumEpochResendNanos());
        }
        if (node.config.usesCheckQuorum()) {
            node.ctx.setTimer(RaftTimer.CHECK_QUORUM, node.config.checkQuorumTimeoutNanos());
        }
    }

    /** Leaving Leader: drop the accumulator and the leader's timers. */
    void stop() {
        accumulated.clear();
        accumulatedPayloads.clear();
        accumulatedSizes.clear();
        accumulatedBytes = 0;
        firstAccumulatedNanos = -1;
        pendingBatches.clear();
        node.ctx.cancelTimer(RaftTimer.LINGER);
        node.ctx.cancelTimer(RaftTimer.CHECK_QUORUM);
        node.ctx.cancelTimer(RaftTimer.BEGIN_EPOCH_RESEND);
        node.ctx.cancelTimer(RaftTimer.HEARTBEAT);
    }

    void handleClientAppend(int client, ClientAppend request) {
        if (!node.quorum.isLeader()) {
            node.ctx.send(node.peers[client], new ClientAppendReply(node.quorum.epoch(), node.quorum.leaderId(), false));
            return;
        }
        accumulate(request.value(), null, LogEntry.DEFAULT_RECORD_BYTES);
        node.ctx.send(node.peers[client], new ClientAppendReply(node.quorum.epoch(), node.selfId, true));
    }

    /**
     * Adds a record to the batch being lingered; returns the offset it will get. A batch is full at
     * {@link LogEntry#MAX_BATCH_SIZE_BYTES}: a record that does not fit completes it, and the
     * completed batch is written at once (Kafka's raft thread drains completed batches without
     * waiting for the linger).
     */
    long accumulate(long value, Object payload, int sizeBytes) {
        if (!accumulated.isEmpty() && accumulatedBytes + sizeBytes + LogEntry.BATCH_HEADER_BYTES > LogEntry.MAX_BATCH_SIZE_BYTES) {
            appendAccumulated();
        }
        if (accumulated.isEmpty()) {
            firstAccumulatedNanos = node.ctx.now();
            node.ctx.setTimer(RaftTimer.LINGER, node.config.appendLingerNanos());
        }
        long offset = node.log.endOffset() + accumulated.size();
        accumulated.add(value);
        accumulatedPayloads.add(payload);
        accumulatedSizes.add(sizeBytes);
        accumulatedBytes += sizeBytes;
        return offset;
    }

    /** The offset the next accumulated record gets. */
    long nextOffset() {
        return node.log.endOffset() + accumulated.size();
    }

    /** Linger expired: append the accumulated records as one batch and flush. */
    void appendAccumulated() {
        if (!(node.quorum.state() instanceof LeaderState) || accumulated.isEmpty()) {
            return;
        }
        LeaderState leader = (LeaderState) node.quorum.state();
        long last = -1;
        for (int i = 0; i < accumulated.size(); i++) {
            last = node.append(leader.epoch(), false, accumulated.getLong(i), accumulatedPayloads.get(i), accumulatedSizes.getInt(i), i == 0);
        }
        pendingBatches.enqueue(last);
        pendingBatches.enqueue(firstAccumulatedNanos);
        accumulated.clear();
        accumulatedPayloads.clear();
        accumulatedSizes.clear();
        accumulatedBytes = 0;
        firstAccumulatedNanos = -1;
        node.ctx.cancelTimer(RaftTimer.LINGER);
        flushAndAcknowledge(leader);
        node.leaderFetch.completeParked();
    }

    /** The leader flushes its appends; only flushed offsets count toward its own acknowledgement. */
    private void flushAndAcknowledge(LeaderState leader) {
        node.ctx.fsync(node.log.durable());
        if (leader.updateEndOffset(node.selfId, node.log.endOffset(), node.ctx.now(), node.config.bugs().commitRule())) {
            node.leaderFetch.onHighWatermarkAdvanced(leader);
        }
    }

    /** Called when the HW reached {@code highWatermark}: forget batches now committed. */
    void onCommitted(long highWatermark) {
        while (!pendingBatches.isEmpty() && pendingBatches.firstLong() < highWatermark) {
            pendingBatches.dequeueLong();
            pendingBatches.dequeueLong();
        }
    }

    long oldestUncommittedAppendNanos() {
        if (!pendingBatches.isEmpty()) {
            // The queue holds (lastOffset, acceptNanos) pairs: peek the second long of the head pair.
            long offset = pendingBatches.dequeueLong();
            long at = pendingBatches.dequeueLong();
            pendingBatches.enqueueFirst(at);
            pendingBatches.enqueueFirst(offset);
            return at;
        }
        return firstAccumulatedNanos;
    }

    long lastHeartbeatNanos() {
        return lastHeartbeatNanos;
    }

    /** Check-quorum (KAFKA-15489): resign when a majority has not fetched within {@code 1.5 × fetch timeout}. */
    void onCheckQuorum() {
        if (!(node.quorum.state() instanceof LeaderState)) {
            return;
        }
        LeaderState leader = (LeaderState) node.quorum.state();
        long now = node.ctx.now();
        long deadline = leader.checkQuorumDeadline(now, node.config.checkQuorumTimeoutNanos());
        if (deadline <= now) {
            resign(leader);
        } else {
            node.ctx.setTimer(RaftTimer.CHECK_QUORUM, deadline - now);
        }
    }

    private void resign(LeaderState leader) {
        int[] successors = leader.successorsByEndOffset();
        List<Integer> list = new ArrayList<>(successors.length);
        for (int s : successors) {
            list.add(s);
        }
        node.ctx.trace("raft", "check-quorum: resigning epoch " + leader.epoch());
        node.resign();
        sendToOtherVoters(new EndQuorumEpochRequest(leader.epoch(), node.selfId, list));
    }

    void resendBeginQuorumEpoch() {
        if (node.quorum.state() instanceof LeaderState) {
            sendToOtherVoters(new BeginQuorumEpochRequest(node.quorum.epoch(), node.selfId));
            node.ctx.setTimer(RaftTimer.BEGIN_EPOCH_RESEND, node.config.beginQuorumEpochResendNanos());
        }
    }

    void sendHeartbeats() {
        if (node.quorum.state() instanceof LeaderState) {
            sendToOtherVoters(new Heartbeat(node.quorum.epoch(), node.selfId));
            lastHeartbeatNanos = node.ctx.now();
            long hb = ((TimerPolicy.Classic) node.config.timerPolicy()).heartbeatIntervalNanos();
            node.ctx.setTimer(RaftTimer.HEARTBEAT, hb);
        }
    }

    private void sendToOtherVoters(RaftMessage message) {
        for (int voter : node.quorum.voters()) {
            if (voter != node.selfId) {
                node.ctx.send(node.peers[voter], message);
            }
        }
    }
}
