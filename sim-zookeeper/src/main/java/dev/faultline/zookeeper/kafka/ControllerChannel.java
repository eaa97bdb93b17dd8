package dev.faultline.zookeeper.kafka;

import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.Time;
import it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap;
import java.util.ArrayDeque;

/**
 * The controller's request channels to brokers ({@code ControllerChannelManager},
 * docs/model.md#the-controllers-event-queue-and-request-channels): one FIFO queue per broker with
 * one request in flight at a time (Kafka's {@code RequestSendThread} sends a request and blocks
 * until its response). A request whose connection fails (the broker's process is gone:
 * {@code ConnectionReset}) or that gets no response within {@code controller.socket.timeout.ms}
 * (default 30000; a powered-off host, a partition or a lost message) is re-sent after the send
 * thread's fixed 100 ms back-off, again and again, until it is answered, its broker is removed from
 * the live set ({@link #removeBroker}, BrokerChange), or the controller resigns
 * ({@link #shutdown}). Whatever the broker answers (including a stale-epoch error) completes the
 * request: the controller does not resend rejected requests.
 *
 * <p>Simplifications: the connection set-up is not modelled apart from the request itself (the
 * first send stands for connect + send, so {@code awaitReady}'s own socket timeout is folded into the
 * request timeout); a re-send keeps the request's correlation id (Kafka builds a new client request
 * with a new one), so a late answer to the earlier attempt completes the re-sent request too, which
 * has the same content; the responses are not handed to the controller's event queue
 * ({@code LeaderAndIsrResponseReceived} only matters for log-dir failures, not modelled).
 */
final class ControllerChannel {
    /** {@code RequestSendThread}'s back-off after a failed send, before reconnecting and re-sending. */
    static final long BACKOFF_NANOS = 100 * Time.MILLISECOND;

    /** Timer of one broker's channel: the in-flight request's timeout, or the end of the back-off. */
    record Timer(int controllerBrokerId, int controllerEpoch, int broker, boolean backoff) {
    }

    private final ZkControlPlane plane;
    private final NodeContext ctx;
    private final int controllerBrokerId;
    private final int controllerEpoch;
    private final long requestTimeoutNanos;
    private final Int2ObjectAVLTreeMap<BrokerQueue> queues = new Int2ObjectAVLTreeMap<>();
    private long nextCorrelationId;
    private boolean shutdown;

    /** One broker's queue; {@code inFlight} is the request sent and not yet answered (or backing off). */
    private static final class BrokerQueue {
        final ArrayDeque<ControllerRequest.Envelope> queue = new ArrayDeque<>();
        ControllerRequest.Envelope inFlight;
        boolean backingOff;
        int attempts;
    }

    ControllerChannel(ZkControlPlane plane, NodeContext ctx, int controllerBrokerId, int controllerEpoch) {
        this.plane = plane;
        this.ctx = ctx;
        this.controllerBrokerId = controllerBrokerId;
        this.controllerEpoch = controllerEpoch;
        this.requestTimeoutNanos = Long.parseLong(plane.cluster().config().getString("controller.socket.timeout.ms", "30000"))
                * Time.MILLISECOND;
    }

    /** The re-send allowance of one request lost on the way: its timeout and the back-off. */
    static long resendNanos(dev.faultline.core.control.ClusterSpec cluster) {
        return Long.parseLong(cluster.config().getString("controller.socket.timeout.ms", "30000")) * Time.MILLISECOND + BACKOFF_NANOS;
    }

    /** Queues {@code request} for {@code broker} behind its earlier requests. */
    void send(int broker, ControllerRequest request) {
        if (shutdown) {
            return;
        }
        BrokerQueue q = queues.computeIfAbsent(broker, b -> new BrokerQueue());
        q.queue.addLast(new ControllerRequest.Envelope(controllerBrokerId, ++nextCorrelationId, request));
        if (q.inFlight == null) {
            sendNext(broker, q);
        }
    }

    private void sendNext(int broker, BrokerQueue q) {
        q.inFlight = q.queue.pollFirst();
        q.attempts = 0;
        if (q.inFlight != null) {
            transmit(broker, q);
        }
    }

    private void transmit(int broker, BrokerQueue q) {
        q.attempts++;
        q.backingOff = false;
        ctx.send(plane.brokerNode(broker), q.inFlight);
        ctx.setTimer(new Timer(controllerBrokerId, controllerEpoch, broker, false), requestTimeoutNanos);
    }

    /** A broker answered: the in-flight request with that correlation id is done; the next one leaves. */
    void onResponse(int broker, ControllerRequest.EnvelopeResponse response) {
        BrokerQueue q = queues.get(broker);
        if (shutdown || q == null || q.inFlight == null || q.backingOff || q.inFlight.correlationId() != response.correlationId()) {
            return; // a late answer to a request already answered, or to a removed queue
        }
        ctx.cancelTimer(new Timer(controllerBrokerId, controllerEpoch, broker, false));
        sendNext(broker, q);
    }

    /** The broker's process was down when a message reached it: the in-flight request failed. */
    void onConnectionReset(int broker) {
        BrokerQueue q = queues.get(broker);
        if (!shutdown && q != null && q.inFlight != null && !q.backingOff) {
            failed(broker, q, "connection reset");
        }
    }

    void onTimer(Timer t) {
        BrokerQueue q = queues.get(t.broker());
        if (shutdown || q == null || q.inFlight == null) {
            return;
        }
        if (t.backoff()) {
            if (q.backingOff) {
                transmit(t.broker(), q);
            }
        } else if (!q.backingOff) {
            failed(t.broker(), q, "no response within controller.socket.timeout.ms");
        }
    }

    private void failed(int broker, BrokerQueue q, String why) {
        ctx.cancelTimer(new Timer(controllerBrokerId, controllerEpoch, broker, false));
        q.backingOff = true;
        if (q.attempts == 1) { // trace the first failure of a request only: a dead broker fails every 100 ms
            ctx.trace("zk-controller", "controller " + controllerBrokerId + " failed to send " + q.inFlight.request().getClass().getSimpleName()
                    + " to broker " + broker + " (" + why + "); reconnecting and re-sending every " + Time.format(BACKOFF_NANOS));
        }
        ctx.setTimer(new Timer(controllerBrokerId, controllerEpoch, broker, true), BACKOFF_NANOS);
    }

    /** {@code removeBroker}: the broker left the live set; its queue and in-flight request are dropped. */
    void removeBroker(int broker) {
        if (queues.remove(broker) != null) {
            ctx.cancelTimer(new Timer(controllerBrokerId, controllerEpoch, broker, false));
            ctx.cancelTimer(new Timer(controllerBrokerId, controllerEpoch, broker, true));
        }
    }

    /** The controller resigned: every queue stops. */
    void shutdown() {
        shutdown = true;
        for (int b : queues.keySet()) {
            ctx.cancelTimer(new Timer(controllerBrokerId, controllerEpoch, b, false));
            ctx.cancelTimer(new Timer(controllerBrokerId, controllerEpoch, b, true));
        }
        queues.clear();
    }

    /** Requests queued or in flight to {@code broker} (for tests). */
    int pending(int broker) {
        BrokerQueue q = queues.get(broker);
        return q == null ? 0 : q.queue.size() + (q.inFlight == null ? 0 : 1);
    }
}
