package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kernel.Time;
import it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap;
import java.util.ArrayList;
import java.util.List;

/**
 * A ZooKeeper-mode broker's {@code AlterPartitionManager} and its broker-to-controller channel: the
 * ISR changes its partition leaders propose, sent to the controller the broker knows.
 *
 * <p>Per partition, the AlterPartition the leader is waiting for is kept (sent, or queued until a
 * controller is known, the request in flight is answered, or the retry back-off ends): Kafka's
 * manager keeps its unsent ISR updates and sends them all in one request, one request in flight at
 * a time; the channel keeps a request queued across NOT_CONTROLLER answers, so the leader's pending
 * ISR change never sees that error. Its timers are {@link ZkBrokerAgent.AlterPartitionTimeout} and
 * {@link ZkBrokerAgent.AlterPartitionRetry}.
 */
final class AlterPartitionManager {
    private final ZkBrokerAgent agent;
    private final Int2ObjectAVLTreeMap<AlterPartitionRequest> queued = new Int2ObjectAVLTreeMap<>();
    /** The requests of the batch in flight, by partition (empty when none is). */
    private final Int2ObjectAVLTreeMap<AlterPartitionRequest> inFlight = new Int2ObjectAVLTreeMap<>();
    /** The correlation id of the batch in flight (0 when none), and the controller it went to. */
    private long batchId;
    private int sentTo = -1;
    /** Whether the retry back-off after a NOT_CONTROLLER answer is running. */
    private boolean backingOff;

    AlterPartitionManager(ZkBrokerAgent agent) {
        this.agent = agent;
    }

    /** A new process: nothing queued or in flight. */
    void reset() {
        inFlight.clear();
        queued.clear();
        batchId = 0;
        sentTo = -1;
        backingOff = false;
    }

    /** A leader's proposal; a newer one supersedes one queued or in flight (the in-flight one's late answer is discarded). */
    void propose(AlterPartitionRequest request) {
        queued.put(request.partition(), request);
        maybeSend();
    }

    /**
     * Sends every queued AlterPartition that is not in flight, in one request, to the controller this
     * broker knows, unless a request is in flight or the NOT_CONTROLLER back-off runs (Kafka's
     * {@code AlterPartitionManager.maybePropagateIsrChanges}); with no known controller they stay
     * queued until one is learnt ({@link #onControllerChanged}).
     */
    private void maybeSend() {
        int controller = agent.activeControllerId();
        if (batchId != 0 || backingOff || controller < 0 || queued.isEmpty()) {
            return;
        }
        List<AlterPartitionRequest> batch = new ArrayList<>(queued.size());
        for (AlterPartitionRequest r : queued.values()) {
            batch.add(r);
            inFlight.put(r.partition(), r);
        }
        batchId = agent.nextCorrelationId();
        sentTo = controller;
        agent.context().send(agent.plane().brokerNode(controller), new ControllerRequest.AlterPartition(batchId, batch));
        agent.context().setTimer(new ZkBrokerAgent.AlterPartitionTimeout(agent.brokerId(), batchId), timeoutNanos());
    }

    void onResponse(ControllerRequest.AlterPartitionResponse resp) {
        if (resp.correlationId() != batchId) {
            return; // an answer to a request that timed out: discarded
        }
        agent.context().cancelTimer(new ZkBrokerAgent.AlterPartitionTimeout(agent.brokerId(), batchId));
        int to = sentTo;
        batchId = 0;
        sentTo = -1;
        if (resp.error() == Errors.NOT_CONTROLLER) {
            // The channel absorbs NOT_CONTROLLER: the requests stay queued for the next controller,
            // at once when another one is known, else after retry.backoff.ms.
            inFlight.clear();
            int controller = agent.activeControllerId();
            if (controller < 0 || controller == to) {
                backingOff = true;
                agent.context().setTimer(new ZkBrokerAgent.AlterPartitionRetry(agent.brokerId()), retryBackoffNanos());
            }
            maybeSend();
            return;
        }
        for (AlterPartitionResult result : resp.results()) {
            int p = result.partition();
            AlterPartitionRequest sent = inFlight.get(p);
            if (sent != null && queued.get(p) == sent) {
                queued.remove(p);
                agent.handle().alterPartitionResponse(result);
            }
        }
        inFlight.clear();
        maybeSend();
    }

    /** The timeout of request {@code correlationId} fired. */
    void onTimeout(long correlationId) {
        if (correlationId == batchId) {
            onTimeout();
        }
    }

    /**
     * No answer within the request timeout ({@code controller.socket.timeout.ms}): the channel treats
     * it as a disconnection and sends the same proposals again, as Kafka's broker-to-controller
     * channel does for AlterPartition (its retry time-out is unbounded, so the leader never sees a
     * time-out). The leader keeps its proposal pending, and with it the maximal ISR that holds the
     * high watermark back: a leader that gave up could advance the high watermark without the joining
     * follower while the controller, which may still have the first copy queued, writes that follower
     * into the ISR (DP-S6; seen in a cold 100,000-partition ZooKeeper-mode start whose controller took
     * longer than 30 s to answer). The first copy's late answer is discarded; the second one's answer
     * (INVALID_UPDATE_VERSION with the state written, if the first copy was applied) settles it.
     */
    private void onTimeout() {
        agent.context().trace("zk-broker", "broker " + agent.brokerId() + " AlterPartition for " + inFlight.size()
                + " partition(s) timed out; sent again");
        batchId = 0;
        sentTo = -1;
        inFlight.clear();
        maybeSend();
    }

    /** The NOT_CONTROLLER back-off ended. */
    void onRetry() {
        backingOff = false;
        maybeSend();
    }

    /**
     * The broker learnt a new active controller. Like the channel manager's controller-node
     * provider, the AlterPartitions waiting for a controller (or for their back-off after
     * NOT_CONTROLLER) go to the new one at once; a request in flight waits for its answer or timeout.
     */
    void onControllerChanged() {
        if (backingOff) {
            backingOff = false;
            agent.context().cancelTimer(new ZkBrokerAgent.AlterPartitionRetry(agent.brokerId()));
        }
        maybeSend();
    }

    /**
     * The back-off before an AlterPartition answered NOT_CONTROLLER goes again to the same
     * controller: {@code retry.backoff.ms} (100). Simplification: Kafka's channel disconnects and
     * waits for its metadata to name a controller, reconnecting after {@code reconnect.backoff.ms};
     * the model waits one fixed back-off (a newly learnt controller is tried at once).
     */
    private long retryBackoffNanos() {
        return Long.parseLong(agent.plane().cluster().config().getString("retry.backoff.ms", "100")) * Time.MILLISECOND;
    }

    /**
     * The AlterPartition request timeout: {@code controller.socket.timeout.ms} (default 30000), the
     * request timeout of the broker-to-controller channel. A request or response lost on the way
     * (a partition drops it silently, with no connection reset) is noticed only then. Kafka's
     * channel manager then disconnects and re-sends the queued request to the controller it finds,
     * and so does the model ({@link #onTimeout()}). Without the timeout a lost AlterPartition left
     * the leader waiting forever, so it never shrank its ISR again (fuzz zookeeper seed 20, DP-L1).
     */
    private long timeoutNanos() {
        return Long.parseLong(agent.plane().cluster().config().getString("controller.socket.timeout.ms", "30000")) * Time.MILLISECOND;
    }
}
