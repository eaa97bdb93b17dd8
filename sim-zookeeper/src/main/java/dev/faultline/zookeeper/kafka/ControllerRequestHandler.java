package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.PartitionState;
import java.util.List;

/**
 * How a ZooKeeper-mode broker applies the controller's requests ({@code KafkaApis} for LeaderAndIsr,
 * UpdateMetadata and StopReplica): a request from a controller epoch older than the highest the
 * broker has seen is rejected ({@code STALE_CONTROLLER_EPOCH}), one addressed to another broker
 * epoch too ({@code STALE_BROKER_EPOCH}; docs/model.md#broker-registration-and-broker-epoch,
 * docs/model.md#controller-election-and-epoch-fencing); an accepted one names the controller the
 * broker knows. Applied leader epochs are reported to KZ-S6.
 */
final class ControllerRequestHandler {
    private final ZkBrokerAgent agent;
    /**
     * Planted bug {@code zkBroker.ignoreControllerEpoch} (test switch for KZ-S6; it reverts no
     * historical fix): the broker applies controller requests from a controller epoch older than
     * the highest it has seen, so a deposed (zombie) controller's LeaderAndIsr is obeyed.
     */
    private final boolean ignoreControllerEpoch;
    private int highestControllerEpochSeen = -1;

    ControllerRequestHandler(ZkBrokerAgent agent, boolean ignoreControllerEpoch) {
        this.agent = agent;
        this.ignoreControllerEpoch = ignoreControllerEpoch;
    }

    /** A warm start: the broker has seen controller epoch {@code epoch}. */
    void warm(int epoch) {
        highestControllerEpochSeen = epoch;
    }

    /** Applies a LeaderAndIsr or UpdateMetadata and returns the error code of the answer; {@code null} for other requests. */
    ControllerRequest.Outcome apply(ControllerRequest body) {
        var checks = agent.plane().checks();
        if (body instanceof ControllerRequest.LeaderAndIsr req) {
            ControllerRequest.Outcome outcome = accept(req.controllerId(), req.controllerEpoch(), req.brokerEpoch());
            if (outcome == ControllerRequest.Outcome.NONE) {
                checks.controllerRequestApplied(agent.brokerId(), "LeaderAndIsr", req.controllerId(), req.controllerEpoch(),
                        req.brokerEpoch(), agent.brokerEpoch());
                var states = req.states();
                int[] before = new int[states.size()];
                for (int i = 0; i < before.length; i++) {
                    before[i] = agent.handle().appliedLeaderEpoch(partitionOf(states, i));
                }
                agent.handle().becomeLeaderOrFollower(states);
                for (int i = 0; i < before.length; i++) {
                    int p = partitionOf(states, i);
                    int after = agent.handle().appliedLeaderEpoch(p);
                    if (after != before[i]) { // KZ-S6 judges changes only: no state object for the others
                        checks.leaderEpochApplied(agent.plane().cluster(), agent.brokerId(), states.get(i), before[i], after);
                    }
                }
            }
            return outcome;
        }
        if (body instanceof ControllerRequest.UpdateMetadata req) {
            ControllerRequest.Outcome outcome = accept(req.controllerId(), req.controllerEpoch(), req.brokerEpoch());
            if (outcome == ControllerRequest.Outcome.NONE) {
                checks.controllerRequestApplied(agent.brokerId(), "UpdateMetadata", req.controllerId(), req.controllerEpoch(),
                        req.brokerEpoch(), agent.brokerEpoch());
                agent.handle().updateMetadata(req.states());
            }
            return outcome;
        }
        return null;
    }

    /** StopReplica (no deletion), with the same epoch checks as LeaderAndIsr. */
    void stopReplica(ControllerRequest.StopReplica req) {
        if (req.controllerEpoch() >= highestControllerEpochSeen && req.brokerEpoch() == agent.brokerEpoch()) {
            agent.handle().stopReplicas(req.partitions());
        }
    }

    /** The partition of a request's state {@code i}, without building the state from a compact snapshot. */
    private static int partitionOf(List<PartitionState> states, int i) {
        return states instanceof PartitionStates compact ? compact.partition(i) : states.get(i).partition();
    }

    /** STALE_CONTROLLER_EPOCH / STALE_BROKER_EPOCH checks; an accepted request names the controller. */
    private ControllerRequest.Outcome accept(int controllerId, int controllerEpoch, long targetBrokerEpoch) {
        if (controllerEpoch < highestControllerEpochSeen && !ignoreControllerEpoch) {
            agent.context().trace("zk-broker", "broker " + agent.brokerId() + " rejects controller epoch " + controllerEpoch + " < "
                    + highestControllerEpochSeen);
            return ControllerRequest.Outcome.STALE_CONTROLLER_EPOCH;
        }
        if (targetBrokerEpoch != agent.brokerEpoch()) {
            agent.context().trace("zk-broker", "broker " + agent.brokerId() + " rejects broker epoch " + targetBrokerEpoch + " != "
                    + agent.brokerEpoch());
            return ControllerRequest.Outcome.STALE_BROKER_EPOCH;
        }
        if (controllerEpoch > highestControllerEpochSeen) {
            highestControllerEpochSeen = controllerEpoch;
            agent.plane().failover().brokerLearnedController(agent.brokerId(), agent.context().now());
        }
        agent.learnController(controllerId);
        return ControllerRequest.Outcome.NONE;
    }
}
