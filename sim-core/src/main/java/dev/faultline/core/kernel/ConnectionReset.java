package dev.faultline.core.kernel;

/**
 * Delivered to a sender when its message reached a peer whose process had crashed while its host
 * stayed up (docs/architecture.md#processes-and-lifecycle). A powered-off host or a partition sends
 * nothing: those are detected only by timeouts.
 *
 * @param peer the node whose process was down
 */
public record ConnectionReset(NodeId peer) implements Message {
}
