package dev.faultline.zookeeper.kafka;

import dev.faultline.zookeeper.client.ZkClient;
import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.CreateMode;
import dev.faultline.zookeeper.ensemble.Op;
import java.util.List;

/**
 * A ZooKeeper-mode broker's run for {@code /controller} (docs/model.md#controller-election-and-epoch-fencing,
 * {@code KafkaController.elect}): if {@code /controller} exists the broker learns who it names;
 * otherwise it creates it (ephemeral) and raises {@code /controller_epoch} in one {@code multi}
 * conditional on the epoch znode's version, and on success becomes the controller with that epoch
 * and the epoch znode's new version ({@link ZkBrokerAgent#becomeController}). Requests are retried
 * on {@code CONNECTIONLOSS} ({@code retryRequestsUntilConnected}) through the broker's current
 * session.
 */
final class ControllerElection {
    private final ZkBrokerAgent agent;
    /** Test switch {@code zkController.reuseControllerEpoch} (KZ-S1) among the controller's switches. */
    private final ZkModeBugs bugs;

    ControllerElection(ZkBrokerAgent agent, ZkModeBugs bugs) {
        this.agent = agent;
        this.bugs = bugs;
    }

    private ZkClient zk() {
        return agent.zk();
    }

    /** {@code elect()}: if /controller exists learn who it is, else try to create it with the next epoch. */
    void elect() {
        zk().exists(KafkaZnodes.CONTROLLER, true, r -> {
            if (r.ok()) {
                zk().getData(KafkaZnodes.CONTROLLER, false, d -> {
                    if (d.ok()) {
                        agent.onControllerIs(Integer.parseInt(d.data()));
                    }
                });
            } else if (r.code() == Code.NONODE) {
                tryToBecomeController();
            } else if (r.code() == Code.CONNECTIONLOSS) {
                agent.reelectAfterControllerChange();
            }
        });
    }

    private void tryToBecomeController() {
        zk().getData(KafkaZnodes.CONTROLLER_EPOCH, false, e -> {
            if (e.code() == Code.CONNECTIONLOSS) {
                tryToBecomeController(); // retryRequestUntilConnected
                return;
            }
            if (!e.ok()) {
                return;
            }
            int epoch = Integer.parseInt(e.data());
            int version = e.stat().version();
            // Test switch zkController.reuseControllerEpoch (ZkModeBugs, KZ-S1): the epoch is written back unchanged.
            int next = bugs.reuseControllerEpoch() ? epoch : epoch + 1;
            List<Op> ops = List.of(new Op.Create(KafkaZnodes.CONTROLLER, Integer.toString(agent.brokerId()), CreateMode.EPHEMERAL),
                    new Op.SetData(KafkaZnodes.CONTROLLER_EPOCH, Integer.toString(next), version));
            registerController(ops, next);
        });
    }

    /**
     * {@code registerControllerAndIncrementControllerEpoch}: the multi is retried until connected; a
     * NODEEXISTS or BADVERSION answer may mean an earlier attempt of ours was applied and only its
     * answer was lost with the connection, so {@code checkControllerAndEpoch} reads
     * {@code /controller} and {@code /controller_epoch} back: if they name this broker and the new
     * epoch, it is the controller. (Without this, a lost answer left {@code /controller} naming a
     * broker that never acted as controller, and nobody else ran: fuzz zookeeper seed 1209, KZ-L1.)
     */
    private void registerController(List<Op> ops, int newEpoch) {
        zk().multi(ops, r -> {
            if (r.ok()) {
                agent.becomeController(newEpoch, r.results().get(1).stat().version());
            } else if (r.code() == Code.CONNECTIONLOSS) {
                registerController(ops, newEpoch);
            } else {
                checkControllerAndEpoch(newEpoch);
            }
        });
    }

    private void checkControllerAndEpoch(int newEpoch) {
        zk().getData(KafkaZnodes.CONTROLLER, false, c -> {
            if (c.code() == Code.CONNECTIONLOSS) {
                checkControllerAndEpoch(newEpoch);
            } else if (c.ok() && Integer.parseInt(c.data()) == agent.brokerId()) {
                zk().getData(KafkaZnodes.CONTROLLER_EPOCH, false, e -> {
                    if (e.code() == Code.CONNECTIONLOSS) {
                        checkControllerAndEpoch(newEpoch);
                    } else if (e.ok() && Integer.parseInt(e.data()) == newEpoch && !agent.hasController()) {
                        agent.context().trace("zk-broker", "broker " + agent.brokerId() + ": /controller and /controller_epoch " + newEpoch
                                + " name it, so its own earlier attempt was applied and only the answer was lost");
                        agent.becomeController(newEpoch, e.stat().version());
                    } else {
                        agent.reelectAfterControllerChange();
                    }
                });
            } else {
                agent.reelectAfterControllerChange();
            }
        });
    }
}
