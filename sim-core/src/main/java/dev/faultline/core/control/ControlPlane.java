package dev.faultline.core.control;

import dev.faultline.core.kernel.NodeId;
import java.util.List;

/**
 * Everything that differs between the metadata modes (docs/architecture.md#the-controlplane-spi):
 * how a broker registers and proves it is alive, who decides partition leadership and ISR changes,
 * how brokers learn of them, and how the controller itself is chosen. The broker data plane
 * ({@code dev.faultline.core.kafka}) is the same in every mode and talks to the control plane only
 * through the {@link BrokerAgent} it embeds and the {@link BrokerHandle} it offers.
 *
 * <p>How the modes fit:
 * <ul>
 *   <li><b>zookeeper</b>: {@link #install} adds the ZAB ensemble nodes; every broker's agent embeds a
 *       ZooKeeper client (session = liveness, {@code /brokers/ids/<id>} = registration) and, once it
 *       wins {@code /controller}, the controller, which sends LeaderAndIsr / UpdateMetadata to the
 *       other brokers' agents, which call {@link BrokerHandle#becomeLeaderOrFollower} and
 *       {@link BrokerHandle#updateMetadata}.</li>
 *   <li><b>kraft</b>: {@link #install} adds dedicated controller voters (or none, when brokers also
 *       vote: their agents embed a voter); each broker agent registers, heartbeats
 *       ({@code broker.heartbeat.interval.ms}), is fenced on session expiry
 *       ({@code broker.session.timeout.ms}), and replays {@code __cluster_metadata} as an observer,
 *       applying deltas through the {@link BrokerHandle}.</li>
 *   <li><b>oracle</b>: no nodes; it observes process liveness after every event and, after a
 *       configurable detection delay (default zero), changes leadership on all brokers at once.</li>
 * </ul>
 *
 * <p>Every mode elects with {@link LeaderElection}, records its decisions in
 * {@link ControlPlaneContext#history()} and reports failover phases to
 * {@link ControlPlaneContext#failover()}.
 *
 * <p>Lifecycle: {@link #install} once, before broker nodes are started; then
 * {@link #newBrokerAgent} each time a broker process is created (every start and restart).
 */
public interface ControlPlane {
    /** The mode name used in scenarios and results: {@code zookeeper}, {@code kraft} or {@code oracle}. */
    String mode();

    /**
     * Adds the control plane's own nodes (ZooKeeper servers, dedicated controllers), invariants and
     * world hooks to the simulation, and creates the initial partition states (topic creation) from
     * the cluster description. Called once, after the broker nodes
     * ({@code broker-<id>}) were added to the simulation and before any of them starts.
     */
    void install(ControlPlaneContext context);

    /** A fresh agent for a new incarnation of broker {@code brokerId}. */
    BrokerAgent newBrokerAgent(int brokerId);

    /** The node acting as active controller now (omniscient read), or {@code null} when there is none. */
    NodeId activeController();

    /**
     * Whether the active controller is busy now (omniscient read): it has work in progress or
     * queued that a request reaching it now waits behind, such as the ZooKeeper-mode controller's
     * event queue, which processes one event at a time. DP-L1 does not count such time against a
     * leader's AlterPartition in flight. Default: never (a controller that answers at once).
     */
    default boolean activeControllerBusy() {
        return false;
    }

    /** The nodes that can become controller (ZooKeeper mode: brokers; KRaft: voters; oracle: none). */
    List<NodeId> controllerCandidates();

    /** The authoritative partition states. */
    PartitionStateView partitionStates();

    /**
     * An administrator creates a topic that the cluster description marks
     * {@link ClusterSpec#createdAtRuntime(String) created at runtime}; called as a world action at the
     * moment the request is sent. Returns at once; the topic comes to exist later in virtual time:
     * <ul>
     *   <li><b>zookeeper</b>: an admin client ({@link TopicAdminClient}) sends CreateTopics to the
     *       controller broker, which writes {@code /brokers/topics/<topic>}; the controller's child
     *       watch on {@code /brokers/topics} queues a TopicChange event, which writes each partition's
     *       state znode and sends LeaderAndIsr / UpdateMetadata
     *       (docs/model.md#the-controllers-event-queue-and-request-channels,
     *       docs/model.md#topic-creation-at-runtime).</li>
     *   <li><b>kraft</b>: the admin client sends CreateTopics to the active controller, which appends
     *       the topic and partition records; the topic exists once they commit and brokers replay
     *       them (docs/model.md#quorum-controller, docs/model.md#broker-metadata-replay).</li>
     *   <li><b>oracle</b>: created on every live broker at once.</li>
     * </ul>
     * New partitions elect the first live (KRaft: unfenced) replica of their assignment as leader,
     * with every live replica in the ISR. Until then the partitions have no state (the view answers
     * {@code null}) and brokers host no replica role for them. The admin client retries until it is
     * answered (as Kafka's AdminClient retries NOT_CONTROLLER and timeouts); creating a topic twice
     * is answered {@link Errors#TOPIC_ALREADY_EXISTS}.
     *
     * @throws IllegalArgumentException when the topic is unknown or not created at runtime
     */
    default void createTopic(String topic) {
        throw new UnsupportedOperationException(mode() + " mode cannot create topics at runtime");
    }
}
