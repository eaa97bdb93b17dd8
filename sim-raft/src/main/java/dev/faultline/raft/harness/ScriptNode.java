package dev.faultline.raft.harness;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;

/** A node through which test scripts send single messages into the quorum; it ignores what it receives. */
final class ScriptNode implements Node {
    private final NodeContext ctx;

    ScriptNode(NodeContext ctx) {
        this.ctx = ctx;
    }

    void send(NodeId to, Message message) {
        ctx.send(to, message);
    }

    @Override
    public void onMessage(NodeId from, Message message) {
    }
}
