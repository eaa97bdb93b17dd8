package dev.faultline.core.control;

import dev.faultline.core.control.AdminMessage.CreateTopicsRequest;
import dev.faultline.core.control.AdminMessage.CreateTopicsResponse;
import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import java.util.ArrayDeque;
import java.util.List;

/**
 * An administrator's {@code AdminClient} that creates topics
 * (docs/model.md#topic-creation-at-runtime): it sends {@code CreateTopics} to the node it believes
 * is the controller and retries until it is answered {@link Errors#NONE} or
 * {@link Errors#TOPIC_ALREADY_EXISTS}, as Kafka's AdminClient retries retriable errors within
 * {@code default.api.timeout.ms}. A {@link Errors#NOT_CONTROLLER} answer names the controller the
 * receiver knows, which is asked next (at once the first time, as the AdminClient sends to the
 * controller its metadata names; after {@code retry.backoff.ms} when that one redirects again); a
 * connection reset, a request timeout ({@code request.timeout.ms}, 30000 for the AdminClient) or an
 * error without a hint moves to the next candidate after {@code retry.backoff.ms} (100).
 *
 * <p>Simplifications: the controller is found through the answers of the candidates
 * ({@code controllerHint}) instead of a separate Metadata request (same information: the receiver's
 * metadata cache); the admin never gives up (no {@code default.api.timeout.ms}), so a creation that
 * takes longer than a minute still completes and is measured. One topic at a time, in request order.
 */
public final class TopicAdminClient implements Node {
    /** The AdminClient's {@code request.timeout.ms} default. */
    public static final long REQUEST_TIMEOUT_NANOS = 30_000_000_000L;
    /** The AdminClient's {@code retry.backoff.ms} default. */
    public static final long RETRY_BACKOFF_NANOS = 100_000_000L;

    private record Retry(long correlationId) {
    }

    private record Timeout(long correlationId) {
    }

    private final NodeContext ctx;
    private final List<NodeId> candidates;
    private final ArrayDeque<String> queue = new ArrayDeque<>();
    private int next;
    private NodeId target;
    private NodeId inFlightTo;
    private long correlationId;
    private boolean inFlight;
    private boolean followedHint;

    /**
     * @param candidates the nodes that may answer CreateTopics (ZooKeeper mode: brokers; KRaft:
     *        controller voters), asked round robin when no controller is known
     */
    public TopicAdminClient(NodeContext ctx, List<NodeId> candidates) {
        if (candidates.isEmpty()) {
            throw new IllegalArgumentException("an admin client needs at least one node to ask");
        }
        this.ctx = ctx;
        this.candidates = List.copyOf(candidates);
    }

    /** Asks for a topic to be created (called by the control plane as a world action). */
    public void createTopic(String topic) {
        queue.addLast(topic);
        ctx.trace("admin", "create topic " + topic + " requested");
        if (!inFlight) {
            send();
        }
    }

    /** Whether every requested topic was acknowledged. */
    public boolean idle() {
        return queue.isEmpty();
    }

    @Override
    public void onStart() {
    }

    private void send() {
        if (queue.isEmpty()) {
            inFlight = false;
            return;
        }
        if (target == null) {
            target = candidates.get(next++ % candidates.size());
        }
        inFlight = true;
        correlationId++;
        inFlightTo = target;
        ctx.send(target, new CreateTopicsRequest(correlationId, queue.peekFirst()));
        ctx.setTimer(new Timeout(correlationId), REQUEST_TIMEOUT_NANOS);
    }

    private void retryLater(NodeId hint) {
        followedHint = false;
        ctx.cancelTimer(new Timeout(correlationId));
        target = hint;
        correlationId++; // answers to the abandoned request are ignored
        ctx.setTimer(new Retry(correlationId), RETRY_BACKOFF_NANOS);
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (message instanceof ConnectionReset r) {
            if (inFlight && r.peer().equals(inFlightTo)) {
                ctx.trace("admin", "connection to " + from.name() + " reset; retrying");
                retryLater(null);
            }
            return;
        }
        if (!(message instanceof CreateTopicsResponse r) || r.correlationId() != correlationId || !inFlight) {
            return;
        }
        ctx.cancelTimer(new Timeout(correlationId));
        if (r.error() == Errors.NONE || r.error() == Errors.TOPIC_ALREADY_EXISTS) {
            ctx.trace("admin", "create topic " + r.topic() + ": " + r.error());
            queue.pollFirst();
            send();
            return;
        }
        NodeId hint = r.controllerHint() == null ? null : ctx.node(r.controllerHint());
        ctx.trace("admin", "create topic " + r.topic() + " at " + from.name() + ": " + r.error()
                + (hint == null ? "" : ", controller is " + hint.name()));
        if (hint != null && !hint.equals(from) && !followedHint) {
            // The controller named in the answer is asked at once, as the AdminClient sends to the
            // controller its metadata names; a second redirect in a row waits for the backoff.
            followedHint = true;
            ctx.cancelTimer(new Timeout(correlationId));
            target = hint;
            send();
            return;
        }
        retryLater(hint != null && !hint.equals(from) ? hint : null);
    }

    @Override
    public void onTimer(Object tag) {
        if (tag instanceof Retry r && r.correlationId() == correlationId) {
            send();
        } else if (tag instanceof Timeout t && t.correlationId() == correlationId) {
            ctx.trace("admin", "CreateTopics to " + inFlightTo.name() + " timed out");
            retryLater(null);
        }
    }

    /**
     * The admin client node named {@code admin-client} in a simulation: added and started the first
     * time a topic is created at runtime, reused afterwards.
     */
    public static TopicAdminClient in(dev.faultline.core.kernel.Simulation sim, List<NodeId> candidates) {
        NodeId node = sim.node("admin-client");
        if (node == null) {
            node = sim.addNode("admin-client", ctx -> new TopicAdminClient(ctx, candidates));
            sim.start(node);
        }
        TopicAdminClient client = sim.process(node, TopicAdminClient.class);
        if (client == null) {
            throw new IllegalStateException("the admin client is down");
        }
        return client;
    }
}
