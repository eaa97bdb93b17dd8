package dev.faultline.core.kernel;

/** Builds a node's process; called at the first start and at every restart. */
@FunctionalInterface
public interface NodeFactory {
    Node create(NodeContext context);
}
