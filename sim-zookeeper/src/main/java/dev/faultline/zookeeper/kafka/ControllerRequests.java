package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.kernel.NodeContext;
import it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;

/**
 * The requests the ZooKeeper-mode controller sends to brokers after a state change
 * ({@code ControllerBrokerRequestBatch}): LeaderAndIsr to a partition's live replicas and
 * UpdateMetadata to live brokers, each carrying a compact snapshot of the context's states
 * ({@link PartitionStates}) and sent through the per-broker request channels
 * ({@link ControllerChannel}). The controller's CPU cost is {@link ZkCosts#requestPartitionNanos}
 * per partition state per recipient.
 */
final class ControllerRequests {
    private final ClusterSpec cluster;
    private final NodeContext ctx;
    private final ControllerContext context;
    private final ControllerChannel channel;
    private final ZkCosts costs;
    private final int controllerId;
    private final int controllerEpoch;

    ControllerRequests(ClusterSpec cluster, NodeContext ctx, ControllerContext context, ControllerChannel channel, ZkCosts costs,
                       int controllerId, int controllerEpoch) {
        this.cluster = cluster;
        this.ctx = ctx;
        this.context = context;
        this.channel = channel;
        this.costs = costs;
        this.controllerId = controllerId;
        this.controllerEpoch = controllerEpoch;
    }

    /**
     * After a state machine's batch was written ({@code sendRequestsToBrokers}): LeaderAndIsr for
     * the changed partitions to each of their live replicas (none to {@code except}, an offline
     * replica's broker, or -1) and UpdateMetadata with them to every live broker.
     */
    void announce(IntList changed, int except) {
        leaderAndIsrForChanges(changed, except);
        updateMetadata(context.liveBrokers, changed);
    }

    /** LeaderAndIsr with {@code partitions} to {@code broker}, if it is live. */
    void leaderAndIsr(int broker, IntList partitions) {
        if (partitions.isEmpty() || !context.liveBrokers.contains(broker)) {
            return;
        }
        ctx.work(costs.requestPartitionNanos() * partitions.size());
        channel.send(broker, new ControllerRequest.LeaderAndIsr(controllerId, controllerEpoch,
                context.brokerEpochs.get(broker), PartitionStates.of(cluster, context, partitions)));
    }

    /** LeaderAndIsr for the changed partitions to each of their live replicas (none to {@code except}). */
    void leaderAndIsrForChanges(IntList changed, int except) {
        if (changed.isEmpty()) {
            return;
        }
        Int2ObjectAVLTreeMap<IntArrayList> byBroker = new Int2ObjectAVLTreeMap<>();
        for (int i = 0; i < changed.size(); i++) {
            int p = changed.getInt(i);
            for (int r = 0; r < cluster.replicationFactor(p); r++) {
                int b = cluster.replica(p, r);
                if (b != except && context.liveBrokers.contains(b)) {
                    byBroker.computeIfAbsent(b, k -> new IntArrayList()).add(p);
                }
            }
        }
        for (var e : byBroker.int2ObjectEntrySet()) {
            leaderAndIsr(e.getIntKey(), e.getValue());
        }
    }

    /** UpdateMetadata with {@code partitions} to each of {@code brokers} that is live. */
    void updateMetadata(Iterable<Integer> brokers, IntList partitions) {
        PartitionStates s = PartitionStates.of(cluster, context, partitions);
        for (int b : brokers) {
            if (context.liveBrokers.contains(b)) {
                ctx.work(costs.requestPartitionNanos() * partitions.size());
                channel.send(b, new ControllerRequest.UpdateMetadata(controllerId, controllerEpoch, context.brokerEpochs.get(b), s));
            }
        }
    }
}
