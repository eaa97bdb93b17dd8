package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.control.LeaderElection;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.zookeeper.client.Result;
import dev.faultline.zookeeper.client.ZkClient;
import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.Op;
import it.unimi.dsi.fastutil.ints.Int2LongAVLTreeMap;
import it.unimi.dsi.fastutil.ints.IntAVLTreeSet;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The ZooKeeper-mode controller inside the broker that won {@code /controller} (model-spec §B.2–B.6,
 * {@code KafkaController}). ZooKeeper watch callbacks only enqueue events; one event runs at a time
 * on the controller's own FIFO queue (§0.3), reading ZooKeeper when it runs. Every write is a
 * {@code multi} whose first op is {@code CheckOp(/controller_epoch, epochZkVersion)} (KAFKA-6082);
 * a failed check means another controller exists and this one resigns.
 *
 * <p>Simplifications: topic deletion, reassignment and preferred-leader
 * election are not modelled; a partition write that fails on the partition's own zkVersion re-reads
 * the state and is left for the next event that touches the partition (Kafka retries at once).
 */
final class ZkController {
    /** Controller events ({@code ControllerEvent}). */
    private sealed interface Event permits Failover, BrokerChange, AlterPartitionReceived, ControllerChange, AutoRebalance, TopicChange,
            ControlledShutdownReceived {
    }

    /**
     * {@code TopicChange}: the child watch on {@code /brokers/topics} fired (an admin created a topic),
     * or a new controller looks for topics whose partitions are still New (§B.4 step 10).
     */
    private record TopicChange() implements Event {
    }

    /** {@code AutoPreferredReplicaLeaderElection} (§B.9). */
    private record AutoRebalance() implements Event {
    }

    /** The scheduler's next auto-rebalance check. */
    record RebalanceTimer(int brokerId, int controllerEpoch) {
    }

    /** {@code /controller} changed (or was deleted): re-read it; resign if someone else won. */
    private record ControllerChange() implements Event {
    }

    /** Ends a pause of the controller event thread alone (the {@code pauseThread} fault). */
    record ResumeEventThread(int brokerId) {
    }

    private record Failover() implements Event {
    }

    private record BrokerChange() implements Event {
    }

    private record AlterPartitionReceived(NodeId from, long correlationId, AlterPartitionRequest request) implements Event {
    }

    /** {@code ControlledShutdown} of broker {@code brokerId} at {@code brokerEpoch} (§B.7). */
    private record ControlledShutdownReceived(NodeId from, long correlationId, int brokerId, long brokerEpoch) implements Event {
    }

    /**
     * A decided change of one partition, to be written to ZooKeeper. {@code leaderChange}: a
     * leader-changing write (new leader epoch, LeaderAndIsr); {@code viaNoLeader}: the old leader was
     * dropped and the same broker elected again in one write (a bounced broker, §B.1).
     */
    private record Change(int partition, KafkaZnodes.StateData data, boolean leaderChange, boolean unclean, String cause, boolean viaNoLeader) {
        Change(int partition, KafkaZnodes.StateData data, boolean leaderChange, boolean unclean, String cause) {
            this(partition, data, leaderChange, unclean, cause, false);
        }
    }

    private final ZkBrokerAgent agent;
    private final ZkControlPlane plane;
    private final ClusterSpec cluster;
    private final NodeContext ctx;
    private final ZkClient zk;
    private final int controllerEpoch;
    private final int epochZkVersion;
    private final int maxInFlight;
    private final long partitionCostNanos;
    /** Planted bug PB-ZKC-2 {@code zkController.allowEmptyIsr} (KAFKA-5083 reverted): the last ISR member is removed too. */
    private final boolean allowEmptyIsr;
    /** Planted bug PB-ZKC-1 {@code zkController.noEpochZkVersionCheck} (KAFKA-6082 reverted): writes lack the CheckOp. */
    private final boolean noEpochZkVersionCheck;
    private boolean threadPaused;
    private final boolean autoRebalance;
    private final long rebalanceIntervalNanos;
    private final int imbalancePercentage;
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private boolean running;
    private boolean active = true;
    /** Whether the failover load finished ({@code controllerReady}); read by KZ-L1. */
    private boolean ready;
    /** The request channels to brokers ({@code ControllerChannelManager}). */
    private final ControllerChannel channel;
    // The controller context: the cache of brokers and partition states read from ZooKeeper.
    private final IntAVLTreeSet liveBrokers = new IntAVLTreeSet();
    /** {@code shuttingDownBrokerIds}: live brokers in controlled shutdown; never elected (§B.5) nor added to an ISR. */
    private final IntAVLTreeSet shuttingDown = new IntAVLTreeSet();
    private final Int2LongAVLTreeMap brokerEpochs = new Int2LongAVLTreeMap();
    private final int[] leader;
    private final int[] leaderEpoch;
    private final int[] zkVersion;
    private final IntList[] isr;
    /** Whether each partition exists in ZooKeeper as far as this controller knows (runtime topics start New). */
    private final boolean[] created;

    ZkController(ZkBrokerAgent agent, int controllerEpoch, int epochZkVersion) {
        this.agent = agent;
        this.plane = agent.plane();
        this.cluster = plane.cluster();
        this.ctx = agent.context();
        this.zk = agent.zk();
        this.controllerEpoch = controllerEpoch;
        this.epochZkVersion = epochZkVersion;
        this.maxInFlight = Integer.parseInt(cluster.config().getString("zookeeper.max.in.flight.requests", "10"));
        this.partitionCostNanos = cluster.config().getLong("faultline.broker.partition.cost.ns");
        this.allowEmptyIsr = Boolean.parseBoolean(cluster.config().getString("zkController.allowEmptyIsr", "false"));
        this.autoRebalance = Boolean.parseBoolean(cluster.config().getString("auto.leader.rebalance.enable", "true"));
        this.rebalanceIntervalNanos = Long.parseLong(cluster.config().getString("leader.imbalance.check.interval.seconds", "300"))
                * dev.faultline.core.kernel.Time.SECOND;
        this.imbalancePercentage = Integer.parseInt(cluster.config().getString("leader.imbalance.per.broker.percentage", "10"));
        this.noEpochZkVersionCheck = Boolean.parseBoolean(cluster.config().getString("zkController.noEpochZkVersionCheck", "false"));
        this.channel = new ControllerChannel(plane, ctx, agent.brokerId(), controllerEpoch);
        int n = cluster.partitionCount();
        leader = new int[n];
        leaderEpoch = new int[n];
        zkVersion = new int[n];
        isr = new IntList[n];
        created = new boolean[n];
        for (int p = 0; p < n; p++) {
            if (cluster.createdAtRuntime(p)) {
                // Not known to exist until its state znode is read or written (a New partition).
                leader[p] = LeaderElection.NO_LEADER;
                isr[p] = IntList.of();
            } else {
                created[p] = true;
            }
        }
    }

    int epoch() {
        return controllerEpoch;
    }

    boolean isActive() {
        return active;
    }

    boolean isThreadPaused() {
        return threadPaused;
    }

    /** Whether this controller finished loading from ZooKeeper (KZ-L1's "active controller"). */
    boolean isReady() {
        return ready;
    }

    ControllerChannel channel() {
        return channel;
    }

    void start() {
        enqueue(new Failover());
        if (cluster.hasRuntimeTopics()) {
            // Step 10 for topics an admin created in ZooKeeper whose partitions have no state yet
            // (the previous controller died first): right behind the failover load.
            enqueue(new TopicChange());
        }
    }

    /** The child watch on {@code /brokers/topics} fired. */
    void onTopicsChanged() {
        enqueue(new TopicChange());
    }

    /** {@code onControllerResignation}: stop processing; the queue is dropped. */
    void resign(String why) {
        if (active) {
            active = false;
            queue.clear();
            channel.shutdown();
            ctx.trace("zk-controller", "controller " + agent.brokerId() + " (epoch " + controllerEpoch + ") resigns: " + why);
        }
    }

    void onControllerChanged() {
        enqueue(new ControllerChange());
    }

    /** The controller event thread alone stops for {@code nanos} (sessions and other threads go on). */
    void pauseEventThread(long nanos) {
        threadPaused = true;
        ctx.trace("zk-controller", "controller event thread of broker " + agent.brokerId() + " paused");
        ctx.setTimer(new ResumeEventThread(agent.brokerId()), nanos);
    }

    void resumeEventThread() {
        threadPaused = false;
        ctx.trace("zk-controller", "controller event thread of broker " + agent.brokerId() + " resumed");
        if (!running) {
            next();
        }
    }

    void onRebalanceTimer() {
        if (active) {
            ctx.setTimer(new RebalanceTimer(agent.brokerId(), controllerEpoch), rebalanceIntervalNanos);
            enqueue(new AutoRebalance());
        }
    }

    void onBrokerIdsChanged() {
        enqueue(new BrokerChange());
    }

    void onAlterPartition(NodeId from, long correlationId, AlterPartitionRequest request) {
        enqueue(new AlterPartitionReceived(from, correlationId, request));
    }

    void onControlledShutdown(NodeId from, long correlationId, int brokerId, long brokerEpoch) {
        enqueue(new ControlledShutdownReceived(from, correlationId, brokerId, brokerEpoch));
    }

    // ------------------------------------------------------------------ the event thread

    private void enqueue(Event e) {
        if (!active) {
            return;
        }
        queue.addLast(e);
        if (!running) {
            next();
        }
    }

    private void next() {
        if (threadPaused) {
            running = false;
            return;
        }
        Event e = active ? queue.pollFirst() : null;
        if (e == null) {
            running = false;
            return;
        }
        running = true;
        if (e instanceof Failover) {
            onControllerFailover();
        } else if (e instanceof BrokerChange) {
            processBrokerChange();
        } else if (e instanceof AlterPartitionReceived a) {
            processAlterPartition(a.from(), a.correlationId(), a.request());
        } else if (e instanceof AutoRebalance) {
            processAutoRebalance();
        } else if (e instanceof TopicChange) {
            processTopicChange();
        } else if (e instanceof ControlledShutdownReceived c) {
            processControlledShutdown(c);
        } else if (e instanceof ControllerChange) {
            agent.reelectAfterControllerChange();
            done();
        } else {
            throw new IllegalStateException("unknown controller event " + e);
        }
    }

    /** Partitions the current event read or wrote (KZ-S7 compares them with ZooKeeper when it ends). */
    private IntList touched = IntList.of();

    private void done() {
        if (active) {
            plane.checks().cacheAgrees(agent.brokerId(), controllerEpoch, zk.state().isAlive(),
                    plane, touched, this::cachedState);
            touched = IntList.of();
            next();
        } else {
            running = false;
        }
    }

    // ------------------------------------------------------------------ ZooKeeper access

    /** Issues a ZooKeeper call, retrying on CONNECTIONLOSS ({@code retryRequestsUntilConnected}). */
    private void call(Consumer<Consumer<Result>> op, Consumer<Result> then) {
        op.accept(r -> {
            if (!active) {
                return;
            }
            if (r.code() == Code.CONNECTIONLOSS) {
                call(op, then);
                return;
            }
            then.accept(r);
        });
    }

    /** Reads the live brokers and their epochs (czxid of /brokers/ids/N), then runs {@code then}. */
    private void readBrokers(Runnable then) {
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
                IntAVLTreeSet dead = new IntAVLTreeSet(liveBrokers);
                IntAVLTreeSet born = new IntAVLTreeSet();
                for (var e : epochs.int2LongEntrySet()) {
                    int id = e.getIntKey();
                    if (!liveBrokers.contains(id)) {
                        born.add(id);
                    } else if (brokerEpochs.get(id) != e.getLongValue()) {
                        born.add(id); // bounced: failure followed by startup
                    } else {
                        dead.remove(id);
                    }
                }
                liveBrokers.clear();
                liveBrokers.addAll(epochs.keySet());
                brokerEpochs.clear();
                brokerEpochs.putAll(epochs);
                lastDead = dead;
                lastBorn = born;
                then.run();
            });
        });
    }

    private IntAVLTreeSet lastDead = new IntAVLTreeSet();
    private IntAVLTreeSet lastBorn = new IntAVLTreeSet();

    // ------------------------------------------------------------------ failover (§B.4)

    private void onControllerFailover() {
        ctx.trace("zk-controller", "controller " + agent.brokerId() + " epoch " + controllerEpoch + " loading from ZooKeeper");
        readBrokers(() -> call(cb -> zk.getChildren(KafkaZnodes.TOPICS, true, cb), topics -> {
            List<String> names = topics.children() == null ? List.of() : topics.children();
            // Topic assignments (T reads; the assignment itself comes from the cluster description).
            Pipeline.start(names.size(), maxInFlight, (i, pipe) ->
                    call(cb -> zk.getData(KafkaZnodes.topicPath(names.get(i)), true, cb), r -> pipe.completed()), () ->
                    // Every partition's state (P reads, pipelined).
                    Pipeline.start(cluster.partitionCount(), maxInFlight, (p, pipe) -> readExistingPartition(p, names, pipe::completed), () -> {
                        ctx.work(partitionCostNanos * cluster.partitionCount());
                        // A broker that is not registered now failed before this controller took over
                        // (for example the old controller's own broker): this is when the control
                        // plane learns of it (the recorder ignores brokers with no open failure).
                        for (var b : cluster.brokers()) {
                            if (!liveBrokers.contains(b.id())) {
                                plane.failover().brokerFailureDetected(b.id(), ctx.now());
                            }
                        }
                        List<Change> changes = new ArrayList<>();
                        for (int p = 0; p < cluster.partitionCount(); p++) {
                            if (!created[p]) {
                                continue; // a New partition: the TopicChange behind this event creates it
                            }
                            if (leader[p] == LeaderElection.NO_LEADER || !liveBrokers.contains(leader[p])) {
                                Change c = offlineElection(p, "controller failover");
                                if (c != null) {
                                    changes.add(c);
                                }
                            }
                        }
                        write(changes, () -> {
                            // UpdateMetadata with every partition to every live broker, then LeaderAndIsr
                            // for all hosted partitions to every live broker.
                            sendUpdateMetadata(liveBrokers, allPartitions());
                            for (int b : liveBrokers) {
                                sendLeaderAndIsr(b, hostedBy(b));
                            }
                            touched = allPartitions();
                            plane.failover().controllerReady(ctx.now());
                            ready = true;
                            if (autoRebalance) {
                                // The scheduler's first auto-rebalance check comes 5 s after failover.
                                ctx.setTimer(new RebalanceTimer(agent.brokerId(), controllerEpoch), 5 * dev.faultline.core.kernel.Time.SECOND);
                            }
                            ctx.trace("zk-controller", "controller " + agent.brokerId() + " ready");
                            done();
                        });
                    }));
        }));
    }

    /** {@link #readPartition}, but no read for a partition whose topic an admin has not created yet (not a child of /brokers/topics). */
    private void readExistingPartition(int p, List<String> topicsInZooKeeper, Runnable then) {
        if (cluster.createdAtRuntime(p) && !topicsInZooKeeper.contains(cluster.topics().get(cluster.topicOf(p)).name())) {
            then.run();
            return;
        }
        readPartition(p, then);
    }

    private void readPartition(int p, Runnable then) {
        String topic = cluster.topics().get(cluster.topicOf(p)).name();
        call(cb -> zk.getData(KafkaZnodes.statePath(topic, cluster.partitionInTopic(p)), false, cb), r -> {
            if (r.ok()) {
                KafkaZnodes.StateData d = KafkaZnodes.StateData.decode(r.data());
                created[p] = true;
                leader[p] = d.leader();
                leaderEpoch[p] = d.leaderEpoch();
                isr[p] = d.isr();
                zkVersion[p] = r.stat().version();
            }
            then.run();
        });
    }

    // ------------------------------------------------------------------ broker failure and startup (§B.6)

    private void processBrokerChange() {
        readBrokers(() -> {
            IntAVLTreeSet dead = lastDead;
            IntAVLTreeSet born = lastBorn;
            ctx.trace("zk-controller", "broker change: dead " + dead + ", new " + born);
            // removeBroker for dead and bounced brokers: their queued and in-flight requests are dropped.
            for (int b : dead) {
                channel.removeBroker(b);
            }
            for (int b : born) {
                channel.removeBroker(b);
            }
            List<Change> changes = new ArrayList<>();
            for (int b : dead) {
                plane.failover().brokerFailureDetected(b, ctx.now());
            }
            ctx.work(partitionCostNanos * cluster.partitionCount() / 10);
            // Bounced brokers (in both sets: same id, larger broker epoch) are handled as a failure
            // followed by a startup (§B.1): during the failure step they count as dead, so they lose
            // leadership and ISR membership like any dead broker; the startup step may then elect
            // them again for partitions left without a leader.
            shuttingDown.removeAll(dead);
            shuttingDown.removeAll(born);
            java.util.function.IntPredicate liveAfterFailure = b -> liveBrokers.contains(b) && !dead.contains(b) && !shuttingDown.contains(b);
            for (int p = 0; p < cluster.partitionCount(); p++) {
                if (!created[p]) {
                    continue;
                }
                boolean leaderGone = leader[p] != LeaderElection.NO_LEADER && !liveAfterFailure.test(leader[p]);
                boolean leaderless = leader[p] == LeaderElection.NO_LEADER;
                Change c = null;
                if (leaderGone || (leaderless && !born.isEmpty())) {
                    c = offlineElection(p, leaderGone ? "broker " + leader[p] + " failed" : "broker started", leader[p], isr[p],
                            leaderGone ? liveAfterFailure : liveBrokers::contains);
                } else if (!leaderless) {
                    // Followers on dead brokers leave the ISR; the controller bumps the leader epoch.
                    IntList shrunk = isr[p];
                    for (int b : dead) {
                        shrunk = isrWithout(shrunk, b);
                    }
                    if (!shrunk.equals(isr[p])) {
                        c = new Change(p, new KafkaZnodes.StateData(leader[p], leaderEpoch[p] + 1, controllerEpoch, shrunk),
                                false, false, "replica offline");
                    }
                }
                if (c != null && c.data().leader() == LeaderElection.NO_LEADER && !born.isEmpty()) {
                    // The startup step (onBrokerStartup) of the same event: a bounced broker that is
                    // the last ISR member is clean-eligible again. Both steps go out as one write.
                    Change again = offlineElection(p, "broker started", LeaderElection.NO_LEADER, c.data().isr(), liveBrokers::contains);
                    if (again != null) {
                        c = new Change(p, again.data(), true, again.unclean(), c.cause() + ", then broker started", true);
                    }
                }
                if (c != null) {
                    changes.add(c);
                }
            }
            write(changes, () -> {
                IntArrayList changed = new IntArrayList();
                for (Change c : changes) {
                    changed.add(c.partition());
                }
                touched = changed;
                sendLeaderAndIsrForChanges(changed);
                sendUpdateMetadata(liveBrokers, changed);
                for (int b : born) {
                    sendUpdateMetadata(IntList.of(b), allPartitions());
                    sendLeaderAndIsr(b, hostedBy(b));
                }
                done();
            });
        });
    }

    /** Offline-partition election (§B.5) against the cache; {@code null} when nothing changes. */
    private Change offlineElection(int p, String cause) {
        return offlineElection(p, cause, leader[p], isr[p], liveBrokers::contains);
    }

    /**
     * Offline-partition election (§B.5) from the given leader and ISR, with {@code live} deciding
     * which brokers count as live; {@code null} when nothing changes.
     */
    private Change offlineElection(int p, String cause, int currentLeader, IntList currentIsr, java.util.function.IntPredicate live) {
        int[] replicas = cluster.replicas(p);
        LeaderElection.Election e = LeaderElection.offlinePartition(replicas, currentIsr, live, cluster.uncleanLeaderElectionEnabled(p));
        if (!e.elected()) {
            if (currentLeader == LeaderElection.NO_LEADER) {
                return null;
            }
            // No candidate: leader -1, the ISR keeps its last member (KAFKA-5083).
            IntList kept = isrWithout(currentIsr, currentLeader);
            return new Change(p, new KafkaZnodes.StateData(LeaderElection.NO_LEADER, leaderEpoch[p] + 1, controllerEpoch, kept),
                    true, false, cause);
        }
        IntList newIsr = LeaderElection.isrAfterElection(e, currentIsr, live);
        return new Change(p, new KafkaZnodes.StateData(e.leader(), leaderEpoch[p] + 1, controllerEpoch, newIsr), true, e.unclean(), cause);
    }

    /** {@link LeaderElection#isrWithout}, or with the planted bug an ISR that may become empty. */
    private IntList isrWithout(IntList current, int broker) {
        if (allowEmptyIsr && current.size() == 1 && current.getInt(0) == broker) {
            return IntList.of();
        }
        return LeaderElection.isrWithout(current, broker);
    }

    /** Writes the changes (epoch-checked, conditional on each partition's zkVersion), pipelined. */
    private void write(List<Change> changes, Runnable then) {
        ctx.work(partitionCostNanos * changes.size());
        Pipeline.start(changes.size(), maxInFlight, (i, pipe) -> {
            Change c = changes.get(i);
            int p = c.partition();
            String topic = cluster.topics().get(cluster.topicOf(p)).name();
            String path = KafkaZnodes.statePath(topic, cluster.partitionInTopic(p));
            plane.checks().beforeWrite(cluster, p, c.data());
            List<Op> ops = noEpochZkVersionCheck ? List.of(new Op.SetData(path, c.data().encode(), zkVersion[p]))
                    : List.of(new Op.Check(KafkaZnodes.CONTROLLER_EPOCH, epochZkVersion), new Op.SetData(path, c.data().encode(), zkVersion[p]));
            call(cb -> zk.multi(ops, cb), r -> {
                if (r.ok()) {
                    plane.checks().controllerWriteApplied(agent.brokerId(), controllerEpoch, r.zxid(), plane.controllerEpochZnode());
                    plane.checks().partitionWritten(cluster, p, isr[p], leaderEpoch[p], c.data(), c.leaderChange(), c.unclean(),
                            c.cause().equals("AlterPartition"));
                    // Only a real leader change counts as an election: a broker becomes leader that was
                    // not (or was dropped and re-elected in this write). Losing the leader (-1) and
                    // ISR-only writes are recorded as ISR changes.
                    boolean elected = c.leaderChange() && c.data().leader() != LeaderElection.NO_LEADER
                            && (c.data().leader() != leader[p] || c.viaNoLeader());
                    leader[p] = c.data().leader();
                    leaderEpoch[p] = c.data().leaderEpoch();
                    isr[p] = c.data().isr();
                    zkVersion[p] = r.results().get(ops.size() - 1).stat().version();
                    PartitionState s = c.data().toState(p, zkVersion[p]);
                    if (elected) {
                        plane.history().leaderElected(ctx.now(), s, c.unclean(), c.cause());
                    } else {
                        plane.history().isrChanged(ctx.now(), s, c.cause());
                    }
                    pipe.completed();
                } else if (!noEpochZkVersionCheck && r.results() != null && !r.results().isEmpty()
                        && r.results().get(0).code() != Code.OK) {
                    // ControllerMovedException: /controller_epoch changed under us.
                    agent.resignController(this, "controller epoch zkVersion check failed");
                } else {
                    readPartition(p, pipe::completed);
                }
            });
        }, then);
    }

    // ------------------------------------------------------------------ topic creation (§B.3 TopicChange, §B.4 step 10)

    /** Topics seen in {@code /brokers/topics} whose assignment this controller has read (with a data watch). */
    private final java.util.TreeSet<String> topicsRead = new java.util.TreeSet<>();

    /**
     * {@code processTopicChange}: re-read {@code /brokers/topics} (re-arming the child watch), read
     * the assignment of topics not seen before, then create every New partition of a topic in
     * ZooKeeper: the first live replica of its assignment leads, the live replicas form the ISR
     * (leader epoch 0); one epoch-checked {@code multi} per partition creates its znode and state
     * znode; then LeaderAndIsr to its replicas and UpdateMetadata to every live broker. A partition
     * with no live replica stays New (Kafka logs the failed NewPartition -> OnlinePartition change);
     * the next TopicChange or controller failover retries it.
     */
    private void processTopicChange() {
        call(cb -> zk.getChildren(KafkaZnodes.TOPICS, true, cb), r -> {
            List<String> names = r.children() == null ? List.of() : new ArrayList<>(new java.util.TreeSet<>(r.children()));
            List<String> fresh = new ArrayList<>();
            for (String name : names) {
                if (topicsRead.add(name)) {
                    fresh.add(name);
                }
            }
            Pipeline.start(fresh.size(), maxInFlight, (i, pipe) ->
                    call(cb -> zk.getData(KafkaZnodes.topicPath(fresh.get(i)), true, cb), x -> pipe.completed()), () -> {
                List<Change> changes = new ArrayList<>();
                for (String name : names) {
                    int first;
                    try {
                        first = cluster.topicFirstPartition(name);
                    } catch (IllegalArgumentException unknown) {
                        continue;
                    }
                    int count = cluster.topics().get(cluster.topicOf(first)).partitions();
                    for (int p = first; p < first + count; p++) {
                        Change c = created[p] ? null : newPartitionElection(p);
                        if (c != null) {
                            changes.add(c);
                        }
                    }
                }
                if (!changes.isEmpty()) {
                    ctx.trace("zk-controller", "topic change: creating " + changes.size() + " new partition(s)");
                }
                createPartitions(changes, () -> {
                    IntArrayList changed = new IntArrayList();
                    for (Change c : changes) {
                        if (created[c.partition()]) {
                            changed.add(c.partition());
                        }
                    }
                    touched = changed;
                    sendLeaderAndIsrForChanges(changed);
                    sendUpdateMetadata(liveBrokers, changed);
                    done();
                });
            });
        });
    }

    /** NewPartition -> OnlinePartition: the live replicas, in assignment order; {@code null} when none is live. */
    private Change newPartitionElection(int p) {
        IntArrayList live = new IntArrayList();
        for (int replica : cluster.replicas(p)) {
            if (liveBrokers.contains(replica)) {
                live.add(replica);
            }
        }
        if (live.isEmpty()) {
            ctx.trace("zk-controller", cluster.partitionName(p) + " stays New: no live replica");
            return null;
        }
        return new Change(p, new KafkaZnodes.StateData(live.getInt(0), 0, controllerEpoch, live), true, false, "topic creation");
    }

    /** Creates the partitions' znodes and state znodes (epoch-checked), pipelined; marks them created. */
    private void createPartitions(List<Change> changes, Runnable then) {
        ctx.work(partitionCostNanos * changes.size());
        Pipeline.start(changes.size(), maxInFlight, (i, pipe) -> {
            Change c = changes.get(i);
            int p = c.partition();
            String topic = cluster.topics().get(cluster.topicOf(p)).name();
            int number = cluster.partitionInTopic(p);
            plane.checks().beforeWrite(cluster, p, c.data());
            List<Op> ops = new ArrayList<>();
            if (!noEpochZkVersionCheck) {
                ops.add(new Op.Check(KafkaZnodes.CONTROLLER_EPOCH, epochZkVersion));
            }
            ops.add(new Op.Create(KafkaZnodes.partitionPath(topic, number), "", dev.faultline.zookeeper.ensemble.CreateMode.PERSISTENT));
            ops.add(new Op.Create(KafkaZnodes.statePath(topic, number), c.data().encode(), dev.faultline.zookeeper.ensemble.CreateMode.PERSISTENT));
            call(cb -> zk.multi(ops, cb), r -> {
                if (r.ok()) {
                    plane.checks().controllerWriteApplied(agent.brokerId(), controllerEpoch, r.zxid(), plane.controllerEpochZnode());
                    created[p] = true;
                    leader[p] = c.data().leader();
                    leaderEpoch[p] = c.data().leaderEpoch();
                    isr[p] = c.data().isr();
                    zkVersion[p] = r.results().get(ops.size() - 1).stat().version();
                    pipe.completed();
                } else if (!noEpochZkVersionCheck && r.results() != null && !r.results().isEmpty()
                        && r.results().get(0).code() != Code.OK) {
                    agent.resignController(this, "controller epoch zkVersion check failed");
                } else {
                    readPartition(p, pipe::completed); // created meanwhile by another controller: load it
                }
            });
        }, then);
    }

    // ------------------------------------------------------------------ preferred leaders (§B.9)

    /**
     * For each broker whose share of partitions it prefers but does not lead exceeds
     * {@code leader.imbalance.per.broker.percentage}, move those partitions back to it where it is
     * live and in the ISR (preferred-replica election: leader epoch + 1, ISR unchanged).
     */
    private void processAutoRebalance() {
        int brokers = cluster.maxBrokerId() + 1;
        int[] preferred = new int[brokers];
        int[] notLed = new int[brokers];
        for (int p = 0; p < cluster.partitionCount(); p++) {
            if (!created[p]) {
                continue;
            }
            int pref = cluster.replica(p, 0);
            preferred[pref]++;
            if (leader[p] != pref) {
                notLed[pref]++;
            }
        }
        ctx.work(partitionCostNanos * cluster.partitionCount() / 10);
        List<Change> changes = new ArrayList<>();
        for (int p = 0; p < cluster.partitionCount(); p++) {
            int pref = cluster.replica(p, 0);
            if (leader[p] == pref || preferred[pref] == 0 || notLed[pref] * 100 <= imbalancePercentage * preferred[pref]) {
                continue;
            }
            LeaderElection.Election e = LeaderElection.preferredReplica(cluster.replicas(p), isr[p],
                    b -> liveBrokers.contains(b) && !shuttingDown.contains(b));
            if (e.elected()) {
                changes.add(new Change(p, new KafkaZnodes.StateData(e.leader(), leaderEpoch[p] + 1, controllerEpoch, isr[p]), true,
                        false, "preferred replica election"));
            }
        }
        write(changes, () -> {
            IntArrayList changed = new IntArrayList();
            for (Change c : changes) {
                changed.add(c.partition());
            }
            touched = changed;
            sendLeaderAndIsrForChanges(changed);
            sendUpdateMetadata(liveBrokers, changed);
            done();
        });
    }

    // ------------------------------------------------------------------ AlterPartition (§B.8, KIP-497)

    private void processAlterPartition(NodeId from, long correlationId, AlterPartitionRequest req) {
        int p = req.partition();
        Errors error = Errors.NONE;
        if (req.leaderId() != leader[p] || req.leaderEpoch() != leaderEpoch[p]) {
            error = Errors.FENCED_LEADER_EPOCH;
        } else if (req.partitionEpoch() != zkVersion[p]) {
            error = Errors.INVALID_UPDATE_VERSION;
        } else if (brokerEpochs.get(req.leaderId()) != req.leaderBrokerEpoch()) {
            error = Errors.STALE_BROKER_EPOCH;
        } else {
            for (int i = 0; i < req.newIsr().size(); i++) {
                int m = req.newIsr().getInt(i);
                if (!liveBrokers.contains(m) || !cluster.isReplica(p, m) || (shuttingDown.contains(m) && !isr[p].contains(m))) {
                    error = Errors.INELIGIBLE_REPLICA;
                }
            }
        }
        touched = IntList.of(p);
        if (error != Errors.NONE) {
            reply(from, correlationId, new AlterPartitionResult(p, error, currentState(p)));
            done();
            return;
        }
        Change c = new Change(p, new KafkaZnodes.StateData(leader[p], leaderEpoch[p], controllerEpoch, req.newIsr()), false, false,
                "AlterPartition");
        write(List.of(c), () -> {
            reply(from, correlationId, new AlterPartitionResult(p, Errors.NONE, currentState(p)));
            sendUpdateMetadata(liveBrokers, IntList.of(p));
            done();
        });
    }

    private void reply(NodeId to, long correlationId, AlterPartitionResult result) {
        ctx.send(to, new ControllerRequest.AlterPartitionResponse(correlationId, result));
    }

    // ------------------------------------------------------------------ controlled shutdown (§B.7)

    /**
     * {@code doControlledShutdown}: a request from an older broker epoch is rejected
     * ({@code STALE_BROKER_EPOCH}, §B.1), one from a broker that is not live gets
     * {@code BROKER_NOT_AVAILABLE}. Otherwise the broker joins {@code shuttingDownBrokerIds}; the
     * partitions it leads (replication factor above 1) get the controlled-shutdown election (§B.5:
     * first live ISR member of the assignment that is not shutting down; ISR minus the shutting-down
     * brokers), and it leaves the ISR of the partitions it follows (OfflineReplica; leader epoch + 1).
     * Everything is written to ZooKeeper (epoch-checked, pipelined); then LeaderAndIsr goes out (for
     * the moved partitions to every live replica, so the broker follows the new leader; for the ISR
     * removals to the other replicas), StopReplica to the broker for the partitions it followed, and
     * UpdateMetadata; the answer lists the partitions it still leads (those without another eligible
     * ISR member, and those with a single replica: the broker then retries).
     *
     * <p>Simplifications: Kafka sends the StopReplica batch before the OfflineReplica writes; here
     * every write goes first (pipelined) and the requests follow. StopReplica and the answer go
     * straight to the broker, not through a per-broker request queue.
     */
    private void processControlledShutdown(ControlledShutdownReceived r) {
        int b = r.brokerId();
        if (brokerEpochs.containsKey(b) && r.brokerEpoch() < brokerEpochs.get(b)) {
            ctx.trace("zk-controller", "controller " + agent.brokerId() + " rejects ControlledShutdown of broker " + b + ": broker epoch "
                    + r.brokerEpoch() + " < " + brokerEpochs.get(b));
            replyControlledShutdown(r, Errors.STALE_BROKER_EPOCH, IntList.of());
            done();
            return;
        }
        if (!liveBrokers.contains(b)) {
            replyControlledShutdown(r, Errors.BROKER_NOT_AVAILABLE, IntList.of());
            done();
            return;
        }
        shuttingDown.add(b);
        ctx.trace("zk-controller", "controller " + agent.brokerId() + " controlled shutdown of broker " + b + "; shutting down " + shuttingDown);
        List<Change> changes = new ArrayList<>();
        IntArrayList followed = new IntArrayList();
        for (int p : cluster.partitionsOf(b)) {
            if (cluster.replicationFactor(p) <= 1 || isr[p] == null || isr[p].isEmpty()) {
                continue; // single replica, or a partition with no state yet
            }
            if (leader[p] == b) {
                LeaderElection.Election e = LeaderElection.controlledShutdown(cluster.replicas(p), isr[p], liveBrokers::contains,
                        shuttingDown::contains);
                if (e.elected()) {
                    IntList newIsr = LeaderElection.isrAfterControlledShutdown(e, isr[p], shuttingDown::contains);
                    changes.add(new Change(p, new KafkaZnodes.StateData(e.leader(), leaderEpoch[p] + 1, controllerEpoch, newIsr), true, false,
                            "controlled shutdown of broker " + b));
                }
            } else {
                followed.add(p);
                IntList shrunk = isrWithout(isr[p], b);
                if (!shrunk.equals(isr[p])) {
                    changes.add(new Change(p, new KafkaZnodes.StateData(leader[p], leaderEpoch[p] + 1, controllerEpoch, shrunk), false, false,
                            "controlled shutdown of broker " + b + ": replica offline"));
                }
            }
        }
        ctx.work(partitionCostNanos * cluster.partitionsOf(b).length);
        write(changes, () -> {
            IntArrayList changed = new IntArrayList();
            for (Change c : changes) {
                changed.add(c.partition());
            }
            touched = changed;
            for (int x : liveBrokers) {
                IntArrayList mine = new IntArrayList();
                for (Change c : changes) {
                    if (cluster.isReplica(c.partition(), x) && (c.leaderChange() || x != b)) {
                        mine.add(c.partition());
                    }
                }
                sendLeaderAndIsr(x, mine);
            }
            if (!followed.isEmpty()) {
                ctx.send(plane.brokerNode(b), new ControllerRequest.StopReplica(agent.brokerId(), controllerEpoch, brokerEpochs.get(b), followed));
            }
            sendUpdateMetadata(liveBrokers, changed);
            IntArrayList remaining = new IntArrayList();
            for (int p : cluster.partitionsOf(b)) {
                if (leader[p] == b) {
                    remaining.add(p);
                }
            }
            replyControlledShutdown(r, Errors.NONE, remaining);
            done();
        });
    }

    private void replyControlledShutdown(ControlledShutdownReceived r, Errors error, IntList remaining) {
        ctx.send(r.from(), new ControllerRequest.ControlledShutdownResponse(r.correlationId(), error, remaining));
    }

    // ------------------------------------------------------------------ requests to brokers

    /** The cached state of a partition, for KZ-S7. */
    PartitionState cachedState(int p) {
        return currentState(p);
    }

    private PartitionState currentState(int p) {
        return new PartitionState(p, leader[p], leaderEpoch[p], isr[p], zkVersion[p]);
    }

    private IntList allPartitions() {
        IntArrayList all = new IntArrayList(cluster.partitionCount());
        for (int p = 0; p < cluster.partitionCount(); p++) {
            if (created[p]) {
                all.add(p);
            }
        }
        return all;
    }

    private IntList hostedBy(int broker) {
        IntArrayList out = IntArrayList.wrap(cluster.partitionsOf(broker));
        out.removeIf(p -> !created[p]);
        return out;
    }

    private List<PartitionState> states(IntList partitions) {
        List<PartitionState> out = new ArrayList<>(partitions.size());
        for (int i = 0; i < partitions.size(); i++) {
            out.add(currentState(partitions.getInt(i)));
        }
        return out;
    }

    private void sendLeaderAndIsr(int broker, IntList partitions) {
        if (partitions.isEmpty() || !liveBrokers.contains(broker)) {
            return;
        }
        ctx.work(partitionCostNanos * partitions.size());
        channel.send(broker, new ControllerRequest.LeaderAndIsr(agent.brokerId(), controllerEpoch,
                brokerEpochs.get(broker), states(partitions)));
    }

    private void sendLeaderAndIsrForChanges(IntList changed) {
        for (int b : liveBrokers) {
            IntArrayList mine = new IntArrayList();
            for (int i = 0; i < changed.size(); i++) {
                if (cluster.isReplica(changed.getInt(i), b)) {
                    mine.add(changed.getInt(i));
                }
            }
            sendLeaderAndIsr(b, mine);
        }
    }

    private void sendUpdateMetadata(Iterable<Integer> brokers, IntList partitions) {
        List<PartitionState> s = states(partitions);
        for (int b : brokers) {
            if (liveBrokers.contains(b)) {
                ctx.work(partitionCostNanos * partitions.size());
                channel.send(b, new ControllerRequest.UpdateMetadata(agent.brokerId(), controllerEpoch, brokerEpochs.get(b), s));
            }
        }
    }
}
