package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.LeaderElection;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.zookeeper.client.Result;
import dev.faultline.zookeeper.client.ZkClient;
import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.CreateMode;
import dev.faultline.zookeeper.ensemble.Op;
import it.unimi.dsi.fastutil.ints.Int2LongAVLTreeMap;
import it.unimi.dsi.fastutil.ints.IntAVLTreeSet;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * The ZooKeeper-mode controller's ZooKeeper I/O ({@code KafkaZkClient} as the controller uses it):
 * reads that fill the {@link ControllerContext}, and writes of decided partition changes, each a
 * {@code multi} whose first op is {@code CheckOp(/controller_epoch, epochZkVersion)} (KAFKA-6082; a
 * failed check means another controller exists and this one resigns) and whose second is
 * conditional on the partition's zkVersion. Batches are pipelined up to
 * {@code zookeeper.max.in.flight.requests} ({@link Pipeline}). A call is retried on
 * {@code CONNECTIONLOSS} ({@code retryRequestsUntilConnected}); answers that arrive once the
 * controller resigned are dropped. A write that fails on the partition's own zkVersion re-reads
 * the state (Kafka retries at once; the model leaves it for the next event that touches the
 * partition). Each successful write updates the context and is recorded for the checks and the
 * history.
 */
final class ControllerZk {
    /** What {@link #readBrokers} found: the brokers gone since the last read, and those new or bounced. */
    record BrokerDelta(IntAVLTreeSet dead, IntAVLTreeSet born) {
    }

    private final ZkBrokerAgent agent;
    private final ZkControlPlane plane;
    private final ClusterSpec cluster;
    private final NodeContext ctx;
    private final ZkClient zk;
    private final ControllerContext context;
    private final int controllerEpoch;
    private final int epochZkVersion;
    private final int maxInFlight;
    private final ZkCosts costs;
    /** Planted bug PB-ZKC-1 {@code zkController.noEpochZkVersionCheck} (KAFKA-6082 reverted): writes lack the CheckOp. */
    private final boolean noEpochZkVersionCheck;
    private final BooleanSupplier active;
    /** Test switch zkController.cacheKeepsOldZkVersion (ZkModeBugs, KZ-S7). */
    private final ZkModeBugs bugs;
    /** The controller to resign on a failed epoch check. */
    private final ZkController owner;

    ControllerZk(ZkController owner, ZkBrokerAgent agent, ControllerContext context, int controllerEpoch, int epochZkVersion,
                 BooleanSupplier active) {
        this.owner = owner;
        this.agent = agent;
        this.plane = agent.plane();
        this.cluster = plane.cluster();
        this.ctx = agent.context();
        this.zk = agent.zk();
        this.context = context;
        this.controllerEpoch = controllerEpoch;
        this.epochZkVersion = epochZkVersion;
        this.active = active;
        this.maxInFlight = Integer.parseInt(cluster.config().getString("zookeeper.max.in.flight.requests", "10"));
        this.costs = ZkCosts.of(cluster);
        this.noEpochZkVersionCheck = Boolean.parseBoolean(cluster.config().getString("zkController.noEpochZkVersionCheck", "false"));
        this.bugs = ZkModeBugs.of(cluster);
    }

    /** Whether the controller's ZooKeeper session is still usable (not expired or closed). */
    boolean sessionAlive() {
        return zk.state().isAlive();
    }

    /** Issues a ZooKeeper call, retrying on CONNECTIONLOSS ({@code retryRequestsUntilConnected}). */
    private void call(Consumer<Consumer<Result>> op, Consumer<Result> then) {
        op.accept(r -> {
            if (!active.getAsBoolean()) {
                return;
            }
            if (r.code() == Code.CONNECTIONLOSS) {
                call(op, then);
                return;
            }
            then.accept(r);
        });
    }

    // ------------------------------------------------------------------ reads

    /**
     * Reads the live brokers and their epochs (czxid of /brokers/ids/N, re-arming the child watch),
     * updates the context's live brokers and epochs, then passes what changed to {@code then}.
     */
    void readBrokers(Consumer<BrokerDelta> then) {
        call(cb -> zk.getChildren(KafkaZnodes.BROKER_IDS, true, cb), children -> {
            List<String> ids = children.children() == null ? List.of() : children.children();
            Int2LongAVLTreeMap epochs = new Int2LongAVLTreeMap();
            Pipeline.start(ids.size(), maxInFlight, (i, pipe) -> {
                int id = Integer.parseInt(ids.get(i));
                call(cb -> zk.getData(KafkaZnodes.brokerPath(id), false, cb), r -> {
                    if (r.ok()) {
                        epochs.put(id, r.stat().czxid());
                    }
                    pipe.completed();
                });
            }, () -> {
                IntAVLTreeSet dead = new IntAVLTreeSet(context.liveBrokers);
                IntAVLTreeSet born = new IntAVLTreeSet();
                for (var e : epochs.int2LongEntrySet()) {
                    int id = e.getIntKey();
                    if (!context.liveBrokers.contains(id)) {
                        born.add(id);
                    } else if (context.brokerEpochs.get(id) != e.getLongValue()) {
                        born.add(id); // bounced: failure followed by startup
                    } else {
                        dead.remove(id);
                    }
                }
                context.liveBrokers.clear();
                context.liveBrokers.addAll(epochs.keySet());
                context.brokerEpochs.clear();
                context.brokerEpochs.putAll(epochs);
                then.accept(new BrokerDelta(dead, born));
            });
        });
    }

    /** Reads the children of {@code /brokers/topics} (re-arming the child watch), in the order ZooKeeper lists them. */
    void readTopicNames(Consumer<List<String>> then) {
        call(cb -> zk.getChildren(KafkaZnodes.TOPICS, true, cb), r -> then.accept(r.children() == null ? List.of() : r.children()));
    }

    /** Reads each topic's assignment znode with a data watch (T reads, pipelined). */
    void readTopicAssignments(List<String> names, Runnable then) {
        Pipeline.start(names.size(), maxInFlight, (i, pipe) ->
                call(cb -> zk.getData(KafkaZnodes.topicPath(names.get(i)), true, cb), r -> pipe.completed()), then);
    }

    /**
     * Reads every partition's state (P reads, pipelined) into the context, except for partitions
     * of topics an admin has not created yet (not in {@code topicsInZooKeeper}).
     */
    void readPartitionStates(Set<String> topicsInZooKeeper, Runnable then) {
        Pipeline.start(cluster.partitionCount(), maxInFlight, (p, pipe) -> {
            if (cluster.createdAtRuntime(p) && !topicsInZooKeeper.contains(cluster.topics().get(cluster.topicOf(p)).name())) {
                pipe.completed();
                return;
            }
            readPartition(p, pipe::completed);
        }, then);
    }

    /**
     * Reads the states of {@code partitions} again (pipelined) into the context, then runs
     * {@code then}, which decides on the fresh states. Kafka 3.9's state machines read every
     * partition of a transition from ZooKeeper before deciding and writing, rather than trusting
     * the controller's cache: {@code ZkPartitionStateMachine.doElectLeaderForPartitions} (every
     * election: offline, controlled shutdown, preferred) and
     * {@code ZkReplicaStateMachine.doRemoveReplicasFromIsr} (every OfflineReplica transition, for
     * all replicas of the broker that have a partition state, not only those it changes) both
     * start with {@code getTopicPartitionStatesRaw}; all reads of a batch complete before its
     * writes go out ({@code handleRequests} waits for every response). Each read costs a ZooKeeper
     * round trip in the pipeline and {@link ZkCosts#stateReadNanos} on the controller.
     */
    void rereadStates(IntList partitions, Runnable then) {
        Pipeline.start(partitions.size(), maxInFlight, (i, pipe) -> readPartition(partitions.getInt(i), pipe::completed), then);
    }

    private void readPartition(int p, Runnable then) {
        call(cb -> zk.getData(plane.layout().path(p, true), false, cb), r -> {
            if (r.ok()) {
                KafkaZnodes.StateData d = KafkaZnodes.StateData.decode(r.data());
                context.set(p, d.leader(), d.leaderEpoch(), d.isr(), r.stat().version());
            }
            ctx.work(costs.stateReadNanos());
            then.run();
        });
    }

    // ------------------------------------------------------------------ writes

    /** Writes the changes (epoch-checked, conditional on each partition's zkVersion), pipelined. */
    void write(List<PartitionStateMachine.Change> changes, Runnable then) {
        Pipeline.start(changes.size(), maxInFlight, (i, pipe) -> {
            PartitionStateMachine.Change c = changes.get(i);
            int p = c.partition();
            String path = plane.layout().path(p, true);
            plane.checks().beforeWrite(cluster, p, c.data());
            ctx.work(costs.writePartitionNanos());
            int expectedVersion = context.zkVersion(p);
            List<Op> ops = noEpochZkVersionCheck ? List.of(new Op.SetData(path, c.data().encode(), expectedVersion))
                    : List.of(new Op.Check(KafkaZnodes.CONTROLLER_EPOCH, epochZkVersion), new Op.SetData(path, c.data().encode(), expectedVersion));
            call(cb -> zk.multi(ops, cb), r -> {
                if (r.ok()) {
                    plane.checks().controllerWriteApplied(agent.brokerId(), controllerEpoch, r.zxid(), plane.controllerEpochZnode());
                    plane.checks().partitionWritten(cluster, p, context.isr(p), context.leaderEpoch(p), c.data(), c.leaderChange(),
                            c.cause().equals("AlterPartition"));
                    // Only a real leader change counts as an election: a broker becomes leader that was
                    // not (or was dropped and re-elected in this write). Losing the leader (-1) and
                    // ISR-only writes are recorded as ISR changes.
                    boolean elected = c.leaderChange() && c.data().leader() != LeaderElection.NO_LEADER
                            && (c.data().leader() != context.leader(p) || c.viaNoLeader());
                    int version = r.results().get(ops.size() - 1).stat().version();
                    // Test switch zkController.cacheKeepsOldZkVersion (ZkModeBugs, KZ-S7): the cache keeps the old znode version.
                    int cachedVersion = bugs.cacheKeepsOldZkVersion() ? context.zkVersion(p) : version;
                    context.set(p, c.data().leader(), c.data().leaderEpoch(), c.data().isr(), cachedVersion);
                    PartitionState s = c.data().toState(p, version);
                    if (elected) {
                        plane.history().leaderElected(ctx.now(), s, c.unclean(), c.cause());
                    } else {
                        plane.history().isrChanged(ctx.now(), s, c.cause());
                    }
                    pipe.completed();
                } else if (epochCheckFailed(r)) {
                    // ControllerMovedException: /controller_epoch changed under us.
                    agent.resignController(owner, "controller epoch zkVersion check failed");
                } else {
                    readPartition(p, pipe::completed);
                }
            });
        }, then);
    }

    /** Creates the partitions' znodes and state znodes (epoch-checked), pipelined; marks them created. */
    void create(List<PartitionStateMachine.Change> changes, Runnable then) {
        Pipeline.start(changes.size(), maxInFlight, (i, pipe) -> {
            PartitionStateMachine.Change c = changes.get(i);
            int p = c.partition();
            plane.checks().beforeWrite(cluster, p, c.data());
            ctx.work(costs.writePartitionNanos());
            List<Op> ops = new ArrayList<>();
            if (!noEpochZkVersionCheck) {
                ops.add(new Op.Check(KafkaZnodes.CONTROLLER_EPOCH, epochZkVersion));
            }
            ops.add(new Op.Create(plane.layout().path(p, false), "", CreateMode.PERSISTENT));
            ops.add(new Op.Create(plane.layout().path(p, true), c.data().encode(), CreateMode.PERSISTENT));
            call(cb -> zk.multi(ops, cb), r -> {
                if (r.ok()) {
                    plane.checks().controllerWriteApplied(agent.brokerId(), controllerEpoch, r.zxid(), plane.controllerEpochZnode());
                    context.set(p, c.data().leader(), c.data().leaderEpoch(), c.data().isr(), r.results().get(ops.size() - 1).stat().version());
                    pipe.completed();
                } else if (epochCheckFailed(r)) {
                    agent.resignController(owner, "controller epoch zkVersion check failed");
                } else {
                    readPartition(p, pipe::completed); // created meanwhile by another controller: load it
                }
            });
        }, then);
    }

    /** Whether a failed multi failed on its CheckOp of {@code /controller_epoch}. */
    private boolean epochCheckFailed(Result r) {
        return !noEpochZkVersionCheck && r.results() != null && !r.results().isEmpty() && r.results().get(0).code() != Code.OK;
    }
}
