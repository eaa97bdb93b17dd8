package dev.faultline.raft.harness;

import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.raft.quorum.RaftMessage.ClientAppend;
import dev.faultline.raft.quorum.RaftMessage.ClientAppendReply;

/**
 * A client that appends one record (its next sequence number) every {@code [minNanos, maxNanos]}
 * to the leader it believes in, following redirects; with no answer for {@code staleNanos} it tries
 * the next voter. Records sent to a non-leader are not retried (the workload measures throughput
 * of the quorum, not client delivery).
 */
public final class AppendClient implements Node {
    private static final String NEXT = "next-append";
    private final NodeContext ctx;
    private final NodeId[] voters;
    private final long minNanos;
    private final long maxNanos;
    private final long staleNanos;
    private int target;
    private long sequence;
    private long lastAnswerNanos;
    private long accepted;

    public AppendClient(NodeContext ctx, NodeId[] voters, long minNanos, long maxNanos, long staleNanos) {
        this.ctx = ctx;
        this.voters = voters;
        this.minNanos = minNanos;
        this.maxNanos = maxNanos;
        this.staleNanos = staleNanos;
    }

    @Override
    public void onStart() {
        lastAnswerNanos = ctx.now();
        ctx.setTimer(NEXT, ctx.random().nextLongBetween(minNanos, maxNanos));
    }

    @Override
    public void onTimer(Object tag) {
        if (ctx.now() - lastAnswerNanos > staleNanos) {
            target = (target + 1) % voters.length;
            lastAnswerNanos = ctx.now();
        }
        ctx.send(voters[target], new ClientAppend(0, ++sequence));
        ctx.setTimer(NEXT, ctx.random().nextLongBetween(minNanos, maxNanos));
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (message instanceof ConnectionReset) {
            target = (target + 1) % voters.length;
            return;
        }
        ClientAppendReply reply = (ClientAppendReply) message;
        lastAnswerNanos = ctx.now();
        if (reply.accepted()) {
            accepted++;
        } else if (reply.leaderId() >= 0 && reply.leaderId() < voters.length) {
            target = reply.leaderId();
        }
    }

    /** Records the leader accepted so far. */
    public long accepted() {
        return accepted;
    }
}
