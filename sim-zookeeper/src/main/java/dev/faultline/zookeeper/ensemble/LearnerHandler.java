package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.kernel.NodeId;

/** The leader's side of one learner connection ({@code LearnerHandler}). */
final class LearnerHandler {
    final long sid;
    final NodeId node;
    final Channel channel;
    final long acceptedEpoch;
    /** ACKEPOCH content, once received. */
    boolean epochAcked;
    long peerCurrentEpoch;
    long peerLastZxid;
    /** Sync and NEWLEADER were sent: proposals and commits are forwarded from now on. */
    boolean forwarding;
    boolean newLeaderAcked;
    /** {@code tickOfNextAckDeadline}: every packet from the learner pushes it to tick + syncLimit. */
    long tickOfNextAckDeadline;

    LearnerHandler(long sid, NodeId node, long connectionId, long acceptedEpoch, long firstDeadlineTick) {
        this.sid = sid;
        this.node = node;
        this.channel = new Channel(connectionId);
        this.acceptedEpoch = acceptedEpoch;
        this.tickOfNextAckDeadline = firstDeadlineTick;
    }

    /** {@code LearnerHandler.synced()}: alive and not past its ack deadline. */
    boolean synced(long tick) {
        return tick <= tickOfNextAckDeadline;
    }
}
