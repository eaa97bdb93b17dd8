package dev.faultline.core.kernel;

/**
 * An actor of the simulation: a broker, a controller, a ZooKeeper server, a Raft voter or a client.
 * A node is reached only through these three callbacks and acts only through the
 * {@link NodeContext} it was built with. Every callback runs to completion at one virtual instant;
 * the work it declares with {@link NodeContext#work} then keeps the node busy.
 *
 * <p>A node object is the volatile process. A crash discards it; a restart builds a fresh one from
 * the node's {@link dev.faultline.core.storage.Storage}, which is the only thing that survives.
 */
public interface Node {
    /** Called once when the process starts (first start or restart). */
    default void onStart() {
    }

    /** A message arrived from {@code from}. */
    void onMessage(NodeId from, Message message);

    /** The timer set with this tag fired. */
    default void onTimer(Object tag) {
    }
}
