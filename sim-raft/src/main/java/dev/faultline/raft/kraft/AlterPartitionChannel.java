package dev.faultline.raft.kraft;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.BrokerHandle;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.raft.kraft.ControllerMessage.AlterPartitionMessage;
import dev.faultline.raft.kraft.ControllerMessage.AlterPartitionReply;

/**
 * A KRaft broker's AlterPartition channel (Kafka's {@code AlterPartitionManager} over its
 * broker-to-controller channel): per partition, the AlterPartition the leader waits for. Like
 * Kafka's channel, a NOT_CONTROLLER answer keeps it queued and sends it again (see
 * {@link #onNotController}), and so does a time-out (see {@link #onTimeout}); the leader sees only
 * the final answer. Copies go to the controller its {@link KRaftBrokerAgent} targets; each copy has
 * its own correlation id, and only the latest copy's answer counts.
 */
final class AlterPartitionChannel {
    private final KRaftBrokerAgent agent;
    private final KRaftControlPlane plane;
    private final int brokerId;
    private NodeContext ctx;
    private BrokerHandle broker;
    private final it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap<AlterPartitionRequest> alterQueued =
            new it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap<>();
    /** Per queued partition, the correlation id of its latest copy sent (only its answer counts). */
    private final it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap alterSendIds = new it.unimi.dsi.fastutil.ints.Int2LongOpenHashMap();
    /** The last correlation id given to an AlterPartition copy (never reused within this process). */
    private long lastAlterSendId;

    AlterPartitionChannel(KRaftBrokerAgent agent, KRaftControlPlane plane, int brokerId) {
        this.agent = agent;
        this.plane = plane;
        this.brokerId = brokerId;
    }

    /** A new incarnation of the broker: nothing is queued (correlation ids go on). */
    void start(NodeContext ctx, BrokerHandle broker) {
        this.ctx = ctx;
        this.broker = broker;
        alterQueued.clear();
        alterSendIds.clear();
    }

    void alterPartition(AlterPartitionRequest request) {
        alterQueued.put(request.partition(), request);
        send(request.partition());
    }

    private void send(int p) {
        ctx.cancelTimer(new KRaftBrokerAgent.AlterRetry(p));
        long sendId = ++lastAlterSendId;
        alterSendIds.put(p, sendId);
        ctx.send(agent.controllerTarget(), new AlterPartitionMessage(alterQueued.get(p), sendId));
        ctx.setTimer(new KRaftBrokerAgent.AlterTimeout(p), plane.quorumConfig().requestTimeoutNanos());
    }

    /** The correlation id of partition {@code p}'s latest AlterPartition copy, or -1 when none is queued (tests). */
    long sendId(int p) {
        return alterQueued.containsKey(p) ? alterSendIds.get(p) : -1;
    }

    /** The back-off after a NOT_CONTROLLER answer ended: send again if still queued. */
    void onRetry(int p) {
        if (alterQueued.containsKey(p)) {
            send(p);
        }
    }

    /** An answer from {@code from}: the leader gets it unless it is late or says NOT_CONTROLLER. */
    void onReply(NodeId from, AlterPartitionReply r) {
        int p = r.result().partition();
        if (!alterQueued.containsKey(p) || alterSendIds.get(p) != r.sendId()) {
            // The answer to a copy sent before a time-out (Kafka's channel closed that connection
            // and never reads it), or to a request already answered: not the leader's business.
            ctx.trace("kraft-broker", "broker-" + brokerId + " discards a late AlterPartition answer for "
                    + plane.cluster().partitionName(p) + " (" + r.result().error() + ")");
            return;
        }
        ctx.cancelTimer(new KRaftBrokerAgent.AlterTimeout(p));
        if (r.result().error() == Errors.NOT_CONTROLLER) {
            agent.retarget(r.leaderHint());
            if (alterQueued.containsKey(p)) {
                onNotController(from, p);
                return;
            }
        }
        alterQueued.remove(p);
        alterSendIds.remove(p);
        broker.alterPartitionResponse(r.result());
    }

    /**
     * Partition {@code p}'s AlterPartition got no answer within the request time-out: the channel
     * sends the same proposal again (to the controller it now knows), as Kafka's broker-to-controller
     * channel does for AlterPartition, whose retries are unbounded, so the leader never sees a
     * time-out. The leader keeps its proposal pending, and with it the maximal ISR that holds the high
     * watermark back. The model answered the leader {@code REQUEST_TIMED_OUT} before: the leader then
     * advanced the high watermark without the joining follower while the controller, reached late by
     * the first copy, wrote that follower into the ISR (DP-S6, {@code KRaftAlterPartitionTimeoutTest}).
     * The first copy's late answer is discarded (see {@link #onReply}); the second copy's answer
     * settles it ({@code INVALID_UPDATE_VERSION} with the state written, if the first was applied).
     */
    void onTimeout(int p) {
        if (!alterQueued.containsKey(p)) {
            return;
        }
        ctx.trace("kraft-broker", "broker-" + brokerId + " AlterPartition for " + plane.cluster().partitionName(p)
                + " timed out; sent again");
        send(p);
    }

    /**
     * Partition {@code p}'s AlterPartition was answered NOT_CONTROLLER by {@code from}: it goes at
     * once to a different controller this broker now knows (the Raft leader its observer follows,
     * or the answer's hint), else again after {@code retry.backoff.ms} (100). Simplification: Kafka's
     * channel waits for its metadata to name a controller, reconnecting after
     * {@code reconnect.backoff.ms}; the model waits one fixed back-off.
     */
    private void onNotController(NodeId from, int p) {
        int known = agent.raft().knownLeader();
        if (known < 0 || !plane.isVoter(known)) {
            known = agent.controllerHint();
        }
        if (known >= 0 && plane.isVoter(known) && !plane.peers()[known].equals(from)) {
            send(p);
        } else {
            long backoffNanos = Long.parseLong(plane.cluster().config().getString("retry.backoff.ms", "100")) * dev.faultline.core.kernel.Time.MILLISECOND;
            ctx.setTimer(new KRaftBrokerAgent.AlterRetry(p), backoffNanos);
        }
    }
}
