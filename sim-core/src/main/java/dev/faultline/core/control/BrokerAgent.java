package dev.faultline.core.control;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeId;

/**
 * The control plane's part of a broker process: the ZooKeeper client and (when elected) the
 * ZooKeeper-mode controller; or the KRaft broker lifecycle manager, metadata-log replayer and, for a
 * combined node, the Raft voter and quorum controller; or the oracle's stub. One agent per broker
 * incarnation ({@link ControlPlane#newBrokerAgent}); it dies with the process.
 *
 * <p>Routing: the broker handles its own data-plane messages and timers and forwards everything
 * else to the agent; the agent returns {@code false} for what it does not own (the broker then fails
 * loudly). The agent keeps its timer tags of its own types so that they never equal the broker's.
 */
public interface BrokerAgent {
    /**
     * The broker process started (first start or restart) and its storage is loaded: register,
     * start sessions and heartbeats, start timers. {@code broker} is the handle to act on.
     */
    void start(BrokerHandle broker);

    /** A message the broker does not own. Returns whether the agent handled it. */
    boolean onMessage(NodeId from, Message message);

    /** A timer the broker does not own. Returns whether the agent handled it. */
    boolean onTimer(Object tag);

    /**
     * The broker, as partition leader, asks for an ISR change (AlterPartition). The agent sends it to
     * the controller; the answer comes back through {@link BrokerHandle#alterPartitionResponse}.
     * The broker keeps at most one request in flight per partition.
     */
    void alterPartition(AlterPartitionRequest request);

    /** This incarnation's broker epoch, or -1 before registration. */
    long brokerEpoch();

    /**
     * The operator asked this broker process to stop cleanly (SIGTERM with
     * {@code controlled.shutdown.enable}: Kafka's controlled shutdown,
     * docs/model.md#controlled-shutdown). Called once per incarnation, inside one of the broker's
     * own event handlers. The agent asks its control plane to move leadership (and ISR membership)
     * away from this broker, and calls {@code readyToStop} exactly once when the process may exit:
     * the control plane allowed it, the agent's retries ran out, or
     * {@code controlled.shutdown.enable} is {@code false}. Before calling it the agent releases at
     * once what a clean exit releases (ZooKeeper mode: it closes its session, so
     * {@code /brokers/ids/<id>} goes away without waiting for the session timeout). After
     * {@code readyToStop} the process goes down like a crashed one (volatile state gone,
     * connections closed); if it dies otherwise first, {@code readyToStop} is simply never called.
     *
     * <p>The default has no controlled shutdown: ready at once.
     */
    default void controlledShutdown(Runnable readyToStop) {
        readyToStop.run();
    }
}
