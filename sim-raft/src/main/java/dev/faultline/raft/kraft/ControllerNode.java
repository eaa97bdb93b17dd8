package dev.faultline.raft.kraft;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.raft.quorum.RaftNode;

/** A dedicated KRaft controller process ({@code process.roles=controller}): a Raft voter and its quorum controller. */
public final class ControllerNode implements Node {
    private final RaftNode raft;
    private final QuorumController controller;

    private final NodeContext ctx;
    private final KRaftControlPlane plane;

    ControllerNode(NodeContext ctx, KRaftControlPlane plane) {
        this.ctx = ctx;
        this.plane = plane;
        this.raft = plane.newRaftNode(ctx);
        this.controller = new QuorumController(plane, ctx, raft);
        raft.setListener(controller);
    }

    public RaftNode raft() {
        return raft;
    }

    QuorumController controller() {
        return controller;
    }

    /** Whether this controller has claimed leadership (active controller). */
    public boolean isActive() {
        return controller.isActive();
    }

    public int claimEpoch() {
        return controller.claimEpoch();
    }

    @Override
    public void onStart() {
        if (plane.takeWarmStart(ctx.self())) {
            // Warm start: the image is the committed snapshot; the established leader resumes its epoch.
            WarmStart warm = plane.warm();
            controller.warmStart(warm);
            raft.assumeLoaded(warm.snapshot);
            if (warm.leader == ctx.self().index()) {
                raft.startAsEstablishedLeader(0);
            } else {
                raft.onStart();
            }
            return;
        }
        raft.onStart();
    }

    @Override
    public void onMessage(NodeId from, Message message) {
        if (!controller.onMessage(from, message)) {
            raft.onMessage(from, message);
        }
    }

    @Override
    public void onTimer(Object tag) {
        if (!controller.onTimer(tag)) {
            raft.onTimer(tag);
        }
    }
}
