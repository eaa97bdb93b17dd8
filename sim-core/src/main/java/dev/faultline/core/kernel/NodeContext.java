package dev.faultline.core.kernel;

import dev.faultline.core.storage.Durable;
import dev.faultline.core.storage.Storage;

/**
 * Everything a node may do. Time comes from {@link #now()} (the node's own clock, with its offset
 * and drift), randomness from {@link #random()} (the node's own named stream); nothing else reaches
 * out of the simulation.
 */
public interface NodeContext {
    /** This node. */
    NodeId self();

    /** The node's local clock in nanoseconds: true virtual time plus this node's offset and drift. */
    long now();

    /** This node's random stream ({@code node:<name>}); it continues across restarts. */
    SimRandom random();

    /**
     * Sends a message. It leaves when the work declared by the current handler ends, then travels
     * the link (bandwidth, latency, faults).
     */
    void send(NodeId to, Message message);

    /**
     * Sets the timer with this tag to fire after {@code delayNanos} of this node's local time,
     * replacing any pending timer with an equal tag. Tags are compared with {@code equals}.
     */
    void setTimer(Object tag, long delayNanos);

    /** Cancels the pending timer with this tag, if any (lazily: O(1)). */
    void cancelTimer(Object tag);

    /** Whether a timer with this tag is pending. */
    boolean hasTimer(Object tag);

    /** Declares CPU work done by the current handler; the node stays busy that long (times its slow factor). */
    void work(long costNanos);

    /** This node's durable storage: what survives a crash. */
    Storage storage();

    /**
     * A synchronous fsync of these durables: they become durable now and the node is charged the
     * storage's fsync latency as work, so messages sent by this handler leave after the fsync.
     */
    void fsync(Durable... durables);

    /** Records a protocol state change in the trace (and in the run's fingerprint). */
    void trace(String category, String detail);

    /** Looks up another node by name; {@code null} when there is none. */
    NodeId node(String name);
}
