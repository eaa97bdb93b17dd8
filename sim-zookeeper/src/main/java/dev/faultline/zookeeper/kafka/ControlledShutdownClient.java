package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.Errors;
import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;

/**
 * A ZooKeeper-mode broker's side of controlled shutdown ({@code KafkaServer.controlledShutdown},
 * docs/model.md#controlled-shutdown): up to {@code controlled.shutdown.max.retries} (3) attempts,
 * each a ControlledShutdown(brokerId, brokerEpoch) to the controller the broker knows, answered
 * within {@code controller.socket.timeout.ms}. An attempt fails when no controller is known, the
 * connection breaks, the request times out, the controller answers an error or names partitions
 * this broker still leads; after a failed attempt the broker waits
 * {@code controlled.shutdown.retry.backoff.ms} (5000) if attempts are left, else it shuts down
 * anyway. With {@code controlled.shutdown.enable=false} it exits at once. Its timer is
 * {@link ZkBrokerAgent.ControlledShutdownTimer}.
 */
final class ControlledShutdownClient {
    private final ZkBrokerAgent agent;
    /** The broker's wish to exit, while its controlled shutdown runs; {@code null} otherwise. */
    private Runnable ready;
    /** Attempts left ({@code controlled.shutdown.max.retries} at the start). */
    private int attemptsLeft;
    /** The correlation id of the ControlledShutdown in flight, or 0. */
    private long inFlight;
    /** The controller the request in flight went to. */
    private int sentTo = -1;

    ControlledShutdownClient(ZkBrokerAgent agent) {
        this.agent = agent;
    }

    /** Starts the controlled shutdown; {@code readyToStop} runs when the broker may exit. */
    void start(Runnable readyToStop) {
        ready = readyToStop;
        var config = agent.plane().cluster().config();
        if (!config.getBoolean("controlled.shutdown.enable")) {
            exit("controlled.shutdown.enable is false");
            return;
        }
        attemptsLeft = config.getInt("controlled.shutdown.max.retries");
        attempt();
    }

    private void attempt() {
        attemptsLeft--;
        int controller = agent.activeControllerId();
        if (controller < 0 || !agent.isRegistered()) {
            attemptFailed("no controller known");
            return;
        }
        long correlationId = agent.nextCorrelationId();
        inFlight = correlationId;
        sentTo = controller;
        agent.context().trace("zk-broker", "broker " + agent.brokerId() + " sends ControlledShutdown (broker epoch " + agent.brokerEpoch()
                + ") to controller " + controller);
        agent.context().send(agent.plane().brokerNode(controller),
                new ControllerRequest.ControlledShutdown(correlationId, agent.brokerId(), agent.brokerEpoch()));
        agent.context().setTimer(new ZkBrokerAgent.ControlledShutdownTimer(agent.brokerId(), correlationId),
                agent.plane().cluster().config().getMillisAsNanos("controller.socket.timeout.ms"));
    }

    private void attemptFailed(String why) {
        inFlight = 0;
        if (attemptsLeft > 0) {
            long backoff = agent.plane().cluster().config().getMillisAsNanos("controlled.shutdown.retry.backoff.ms");
            agent.context().trace("zk-broker", "broker " + agent.brokerId() + " controlled shutdown attempt failed (" + why + "); retrying in "
                    + Time.format(backoff));
            agent.context().setTimer(new ZkBrokerAgent.ControlledShutdownTimer(agent.brokerId(), 0), backoff);
        } else {
            exit("controlled shutdown failed (" + why + "), retries exhausted: shutting down anyway");
        }
    }

    void onTimer(ZkBrokerAgent.ControlledShutdownTimer t) {
        if (ready == null) {
            return;
        }
        if (t.correlationId() == 0) {
            attempt();
        } else if (t.correlationId() == inFlight) {
            attemptFailed("no answer within controller.socket.timeout.ms");
        }
    }

    /** The answer to this broker's request, or a connection reset; returns whether the message was consumed. */
    boolean onMessage(NodeId from, Message message) {
        if (message instanceof ControllerRequest.ControlledShutdownResponse resp) {
            if (ready == null || resp.correlationId() != inFlight) {
                return true; // late answer to an attempt that timed out
            }
            agent.context().cancelTimer(new ZkBrokerAgent.ControlledShutdownTimer(agent.brokerId(), inFlight));
            if (resp.error() == Errors.NONE && resp.partitionsRemaining().isEmpty()) {
                inFlight = 0;
                exit("controlled shutdown succeeded");
            } else {
                attemptFailed(resp.error() != Errors.NONE ? resp.error().name() : resp.partitionsRemaining().size() + " partitions still led");
            }
            return true;
        }
        if (message instanceof ConnectionReset reset && inFlight != 0 && sentTo >= 0 && reset.peer().equals(agent.plane().brokerNode(sentTo))) {
            agent.context().cancelTimer(new ZkBrokerAgent.ControlledShutdownTimer(agent.brokerId(), inFlight));
            attemptFailed("connection to controller " + sentTo + " lost");
            return false; // the rest of the agent sees the reset too
        }
        return false;
    }

    /** The process may exit ({@link ZkBrokerAgent#exit}), then the broker is told it may stop. */
    private void exit(String why) {
        agent.exit(why);
        Runnable r = ready;
        ready = null;
        r.run();
    }
}
