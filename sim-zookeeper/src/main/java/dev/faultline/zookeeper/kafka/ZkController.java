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
import it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap;
import it.unimi.dsi.fastutil.ints.IntAVLTreeSet;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * The ZooKeeper-mode controller inside the broker that won {@code /controller}
 * (docs/model.md#zookeeper-mode-controller, {@code KafkaController}). ZooKeeper watch callbacks
 * only enqueue events; one event runs at a time on the controller's own FIFO queue
 * (docs/model.md#the-controllers-event-queue-and-request-channels), reading ZooKeeper when it runs.
 * Every write is a {@code multi} whose first op is
 * {@code CheckOp(/controller_epoch, epochZkVersion)} (KAFKA-6082); a failed check means another
 * controller exists and this one resigns.
 *
 * <p>The controller context keeps every partition's state in int arrays ({@link Context}: leader,
 * leader epoch, zkVersion and the ISR packed into one int), and a request carries a compact snapshot
 * of the states it sends ({@link PartitionStates}), so that millions of partitions cost a few ints
 * each. Events do work proportional to the partitions they concern: a broker change looks at the
 * partitions hosted by brokers that are not live and, when a broker starts, at the leaderless ones;
 * only the failover load and the periodic auto-rebalance check
 * ({@code leader.imbalance.check.interval.seconds}) look at every partition, as Kafka's do. CPU
 * costs are {@link ZkCosts}.
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
     * or a new controller looks for topics whose partitions are still New
     * (docs/model.md#topic-creation-at-runtime).
     */
    private record TopicChange() implements Event {
    }

    /** {@code AutoPreferredReplicaLeaderElection} (docs/model.md#preferred-leader-election). */
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

    private record AlterPartitionReceived(NodeId from, long correlationId, List<AlterPartitionRequest> requests) implements Event {
    }

    /**
     * {@code ControlledShutdown} of broker {@code brokerId} at {@code brokerEpoch}
     * (docs/model.md#controlled-shutdown).
     */
    private record ControlledShutdownReceived(NodeId from, long correlationId, int brokerId, long brokerEpoch) implements Event {
    }

    /**
     * A decided change of one partition, to be written to ZooKeeper. {@code leaderChange}: a
     * leader-changing write (new leader epoch, LeaderAndIsr); {@code viaNoLeader}: the old leader was
     * dropped and the same broker elected again in one write (a bounced broker,
     * docs/model.md#broker-registration-and-broker-epoch).
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
    private final ZkCosts costs;
    /** Planted bug PB-ZKC-2 {@code zkController.allowEmptyIsr} (KAFKA-5083 reverted): the last ISR member is removed too. */
    private final boolean allowEmptyIsr;
    /** Planted bug PB-ZKC-1 {@code zkController.noEpochZkVersionCheck} (KAFKA-6082 reverted): writes lack the CheckOp. */
    private final boolean noEpochZkVersionCheck;
    /** The controller's test switches (ZkModeBugs): all but zkController.reuseControllerEpoch are used here. */
    private final ZkModeBugs bugs;
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
    /**
     * {@code shuttingDownBrokerIds}: live brokers in controlled shutdown; never elected
     * (docs/model.md#partition-leader-election) nor added to an ISR.
     */
    private final IntAVLTreeSet shuttingDown = new IntAVLTreeSet();
    private final Int2LongAVLTreeMap brokerEpochs = new Int2LongAVLTreeMap();
    /** The partition states this controller caches. */
    private final Context context;

    /**
     * The controller's cache of partition states ({@code ControllerContext.partitionLeadershipInfo}):
     * per partition the leader, leader epoch, zkVersion and the ISR packed into one int
     * ({@link KafkaZnodes.Isr}; an ISR without a packed form is kept aside), whether it exists in
     * ZooKeeper, and an index of the existing partitions that have no leader.
     */
    static final class Context {
        private final ClusterSpec cluster;
        private final int[] leader;
        private final int[] leaderEpoch;
        private final int[] zkVersion;
        private final int[] isr;
        private final Int2ObjectAVLTreeMap<IntList> isrText = new Int2ObjectAVLTreeMap<>();
        /** Whether each partition exists in ZooKeeper as far as this controller knows (runtime topics start New). */
        private final boolean[] created;
        private final IntAVLTreeSet leaderless = new IntAVLTreeSet();

        Context(ClusterSpec cluster) {
            this.cluster = cluster;
            int n = cluster.partitionCount();
            leader = new int[n];
            leaderEpoch = new int[n];
            zkVersion = new int[n];
            isr = new int[n];
            created = new boolean[n];
            java.util.Arrays.fill(leader, LeaderElection.NO_LEADER);
            for (int p = 0; p < n; p++) {
                // Runtime topics are not known to exist until their state znode is read or written (New partitions).
                created[p] = !cluster.createdAtRuntime(p);
            }
        }

        int leader(int p) {
            return leader[p];
        }

        int leaderEpoch(int p) {
            return leaderEpoch[p];
        }

        int zkVersion(int p) {
            return zkVersion[p];
        }

        int isrPacked(int p) {
            return isr[p];
        }

        IntList isr(int p) {
            return isr[p] == KafkaZnodes.Isr.NOT_PACKED ? isrText.get(p) : KafkaZnodes.Isr.unpack(cluster, p, isr[p]);
        }

        boolean isrContains(int p, int broker) {
            return isr[p] == KafkaZnodes.Isr.NOT_PACKED ? isrText.get(p).contains(broker) : KafkaZnodes.Isr.contains(cluster, p, isr[p], broker);
        }

        boolean created(int p) {
            return created[p];
        }

        void set(int p, int newLeader, int newLeaderEpoch, IntList newIsr, int newZkVersion) {
            created[p] = true;
            leader[p] = newLeader;
            leaderEpoch[p] = newLeaderEpoch;
            zkVersion[p] = newZkVersion;
            int packed = KafkaZnodes.Isr.pack(cluster, p, newIsr);
            isr[p] = packed;
            if (packed == KafkaZnodes.Isr.NOT_PACKED) {
                isrText.put(p, IntList.of(newIsr.toIntArray()));
            } else {
                isrText.remove(p);
            }
            if (newLeader == LeaderElection.NO_LEADER) {
                leaderless.add(p);
            } else {
                leaderless.remove(p);
            }
        }

        /** The initial state of a partition created before the run (preferred replica leading, full ISR, epochs 0). */
        void setInitial(int p) {
            created[p] = true;
            leader[p] = cluster.replica(p, 0);
            leaderEpoch[p] = 0;
            zkVersion[p] = 0;
            isr[p] = KafkaZnodes.Isr.all(cluster, p);
            leaderless.remove(p);
        }

        /** The existing partitions without a leader, ascending (do not modify). */
        IntAVLTreeSet leaderless() {
            return leaderless;
        }
    }

    ZkController(ZkBrokerAgent agent, int controllerEpoch, int epochZkVersion) {
        this.agent = agent;
        this.plane = agent.plane();
        this.cluster = plane.cluster();
        this.ctx = agent.context();
        this.zk = agent.zk();
        this.controllerEpoch = controllerEpoch;
        this.epochZkVersion = epochZkVersion;
        this.maxInFlight = Integer.parseInt(cluster.config().getString("zookeeper.max.in.flight.requests", "10"));
        this.costs = ZkCosts.of(cluster);
        this.allowEmptyIsr = Boolean.parseBoolean(cluster.config().getString("zkController.allowEmptyIsr", "false"));
        this.autoRebalance = Boolean.parseBoolean(cluster.config().getString("auto.leader.rebalance.enable", "true"));
        this.rebalanceIntervalNanos = Long.parseLong(cluster.config().getString("leader.imbalance.check.interval.seconds", "300"))
                * dev.faultline.core.kernel.Time.SECOND;
        this.imbalancePercentage = Integer.parseInt(cluster.config().getString("leader.imbalance.per.broker.percentage", "10"));
        this.noEpochZkVersionCheck = Boolean.parseBoolean(cluster.config().getString("zkController.noEpochZkVersionCheck", "false"));
        this.bugs = ZkModeBugs.of(cluster);
        this.channel = new ControllerChannel(plane, ctx, agent.brokerId(), controllerEpoch);
        this.context = new Context(cluster);
    }

    /**
     * A warm start's controller (model: the broker won {@code /controller} long before the run): its
     * context holds every partition's initial state (the preferred replica leads at leader epoch 0,
     * every replica in sync, zkVersion 0) and the live brokers with their epochs, filled without a
     * ZooKeeper read; it is ready at once, with nothing queued. Its first auto-rebalance check comes
     * at a phase of {@code leader.imbalance.check.interval.seconds} drawn from the broker's stream.
     */
    static ZkController warm(ZkBrokerAgent agent, int controllerEpoch, int epochZkVersion, Int2LongAVLTreeMap brokers) {
        ZkController c = new ZkController(agent, controllerEpoch, epochZkVersion);
        for (int p = 0; p < c.cluster.partitionCount(); p++) {
            if (!c.cluster.createdAtRuntime(p)) {
                c.context.setInitial(p);
            }
        }
        c.liveBrokers.addAll(brokers.keySet());
        c.brokerEpochs.putAll(brokers);
        for (ClusterSpec.TopicSpec t : c.cluster.topics()) {
            if (!c.cluster.createdAtRuntime(t.name())) {
                c.topicsRead.add(t.name());
            }
        }
        c.ready = true;
        if (c.autoRebalance) {
            c.ctx.setTimer(new RebalanceTimer(agent.brokerId(), controllerEpoch),
                    1 + c.ctx.random().fork("warm-start-rebalance").nextLong(c.rebalanceIntervalNanos));
        }
        c.ctx.trace("zk-controller", "controller " + agent.brokerId() + " (epoch " + controllerEpoch + ") warm: context loaded, ready");
        return c;
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

    /** Whether an event is in progress or queued (an AlterPartition arriving now waits behind it; DP-L1). */
    boolean isBusy() {
        return active && (running || !queue.isEmpty());
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

    void onAlterPartition(NodeId from, long correlationId, List<AlterPartitionRequest> requests) {
        enqueue(new AlterPartitionReceived(from, correlationId, requests));
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

    /** Whether {@link #next} is on the stack (an event that ends synchronously inside it only asks for the next one). */
    private boolean dispatching;
    /** An event ended while {@link #dispatching}: the loop in {@link #next} takes the next one. */
    private boolean nextWanted;

    /**
     * Takes the next event off the queue and processes it, as the controller's event thread does.
     * An event usually ends in a later ZooKeeper callback; one whose calls fail at once (the session
     * expired, so every call is answered synchronously) ends inside its own processing, and the next
     * event then starts from this loop rather than from a nested call, so a long queue cannot
     * overflow the stack. The events run in the same order either way.
     */
    private void next() {
        if (dispatching) {
            nextWanted = true;
            return;
        }
        dispatching = true;
        try {
            do {
                nextWanted = false;
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
                process(e);
            } while (nextWanted);
        } finally {
            dispatching = false;
        }
    }

    private void process(Event e) {
        if (e instanceof Failover) {
            onControllerFailover();
        } else if (e instanceof BrokerChange) {
            processBrokerChange();
        } else if (e instanceof AlterPartitionReceived a) {
            processAlterPartition(a.from(), a.correlationId(), a.requests());
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

    // ------------------------------------------------------------------ failover (docs/model.md#controller-failover)

    /**
     * {@code onControllerFailover}: read the brokers, the topics (T reads, with a data watch each) and
     * every partition state (P reads), pipelined up to {@code zookeeper.max.in.flight.requests};
     * then, as Kafka does: UpdateMetadata with every partition to every live broker; the replica
     * state machine's startup (LeaderAndIsr with every hosted partition to every live broker, then
     * each replica on a broker that is not live goes OfflineReplica: it leaves the ISR, and a
     * partition it led loses its leader, written per broker as one pipelined batch); the partition
     * state machine's startup (leaderless partitions get the offline election, another pipelined
     * batch, then LeaderAndIsr and UpdateMetadata); then the controller is ready.
     */
    private void onControllerFailover() {
        ctx.trace("zk-controller", "controller " + agent.brokerId() + " epoch " + controllerEpoch + " loading from ZooKeeper");
        readBrokers(() -> call(cb -> zk.getChildren(KafkaZnodes.TOPICS, true, cb), topics -> {
            List<String> names = topics.children() == null ? List.of() : topics.children();
            java.util.Set<String> inZooKeeper = new java.util.TreeSet<>(names);
            // Topic assignments (T reads; the assignment itself comes from the cluster description).
            ctx.work(costs.topicLoadNanos() * names.size());
            Pipeline.start(names.size(), maxInFlight, (i, pipe) ->
                    call(cb -> zk.getData(KafkaZnodes.topicPath(names.get(i)), true, cb), r -> pipe.completed()), () ->
                    // Every partition's state (P reads, pipelined).
                    Pipeline.start(cluster.partitionCount(), maxInFlight, (p, pipe) -> readExistingPartition(p, inZooKeeper, pipe::completed), () -> {
                        // A broker that is not registered now failed before this controller took over
                        // (for example the old controller's own broker): this is when the control
                        // plane learns of it (the recorder ignores brokers with no open failure).
                        for (var b : cluster.brokers()) {
                            if (!liveBrokers.contains(b.id())) {
                                plane.failover().brokerFailureDetected(b.id(), ctx.now());
                            }
                        }
                        IntList all = allPartitions();
                        sendUpdateMetadata(liveBrokers, all);
                        for (int b : liveBrokers) {
                            sendLeaderAndIsr(b, hostedBy(b));
                        }
                        IntArrayList offline = new IntArrayList();
                        for (var b : cluster.brokers()) {
                            if (!liveBrokers.contains(b.id())) {
                                offline.add(b.id());
                            }
                        }
                        offlineReplicas(offline, 0, () -> {
                            List<Change> elections = new ArrayList<>();
                            for (int p = 0; p < cluster.partitionCount(); p++) {
                                // OfflinePartition: no leader, or a leader that is not live (an OfflineReplica write that failed).
                                int l = context.leader(p);
                                if (context.created(p) && (l == LeaderElection.NO_LEADER || !liveBrokers.contains(l))) {
                                    Change c = offlineElection(p, "controller failover");
                                    if (c != null) {
                                        elections.add(c);
                                    }
                                }
                            }
                            writeAndSend(elections, () -> {
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
                        });
                    }));
        }));
    }

    /**
     * The replica state machine's OfflineReplica transition for every replica on the brokers
     * {@code offline} (from index {@code from}), one broker at a time as Kafka groups them: where the
     * broker is in the ISR it leaves it (the last member stays, KAFKA-5083) and, if it led, the
     * partition's leader becomes -1; the leader epoch goes up. Written as one pipelined batch per
     * broker, then LeaderAndIsr to the other replicas and UpdateMetadata.
     */
    private void offlineReplicas(IntList offline, int from, Runnable then) {
        if (from >= offline.size()) {
            then.run();
            return;
        }
        int b = offline.getInt(from);
        List<Change> changes = new ArrayList<>();
        for (int p : plane.hostedPartitions(b)) {
            if (!context.created(p) || !context.isrContains(p, b)) {
                continue;
            }
            IntList current = context.isr(p);
            IntList shrunk = isrWithout(current, b);
            int newLeader = context.leader(p) == b ? LeaderElection.NO_LEADER : context.leader(p);
            if (newLeader != context.leader(p) || !shrunk.equals(current)) {
                changes.add(new Change(p, new KafkaZnodes.StateData(newLeader, context.leaderEpoch(p) + 1, controllerEpoch, shrunk),
                        newLeader != context.leader(p), false, "replica on broker " + b + " offline"));
            }
        }
        writeAndSend(changes, b, () -> offlineReplicas(offline, from + 1, then));
    }

    /** {@link #readPartition}, but no read for a partition whose topic an admin has not created yet (not a child of /brokers/topics). */
    private void readExistingPartition(int p, java.util.Set<String> topicsInZooKeeper, Runnable then) {
        if (cluster.createdAtRuntime(p) && !topicsInZooKeeper.contains(cluster.topics().get(cluster.topicOf(p)).name())) {
            then.run();
            return;
        }
        readPartition(p, then);
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

    // ------------------------------------------------------------------ broker failure and startup (docs/model.md#broker-failure)

    /**
     * {@code processBrokerChange}: dead brokers fail ({@code onBrokerFailure}: partitions they led get
     * the offline election, written as one pipelined batch and announced with LeaderAndIsr and
     * UpdateMetadata; then their other replicas leave the ISR, a second batch), new brokers start
     * ({@code onBrokerStartup}: full UpdateMetadata and LeaderAndIsr for what they host, and
     * leaderless partitions may elect them). Only partitions hosted by a broker that is not live (or
     * is shutting down), and the leaderless ones when a broker starts, are looked at.
     */
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
            for (int b : dead) {
                plane.failover().brokerFailureDetected(b, ctx.now());
            }
            // Kafka finds the partitions on the dead brokers by a pass over its context (partitionsOnBroker).
            ctx.work(costs.writePartitionNanos() * cluster.partitionCount() / 100);
            // Bounced brokers (in both sets: same id, larger broker epoch) are handled as a failure
            // followed by a startup (docs/model.md#broker-registration-and-broker-epoch): during
            // the failure step they count as dead, so they lose leadership and ISR membership like
            // any dead broker; the startup step may then elect them again for partitions left
            // without a leader.
            shuttingDown.removeAll(dead);
            shuttingDown.removeAll(born);
            java.util.function.IntPredicate liveAfterFailure = b -> liveBrokers.contains(b) && !dead.contains(b) && !shuttingDown.contains(b);
            IntArrayList candidates = new IntArrayList();
            for (var spec : cluster.brokers()) {
                if (!liveAfterFailure.test(spec.id())) {
                    candidates.addAll(IntArrayList.wrap(plane.hostedPartitions(spec.id())));
                }
            }
            // Test switch zkController.noElectionOnBrokerStartup (ZkModeBugs, KZ-L2): no startup elections.
            boolean startupElections = !born.isEmpty() && !bugs.noElectionOnBrokerStartup();
            if (startupElections) {
                candidates.addAll(context.leaderless());
            }
            candidates.sort(null);
            List<Change> elections = new ArrayList<>();
            List<Change> shrinks = new ArrayList<>();
            int previous = -1;
            for (int k = 0; k < candidates.size(); k++) {
                int p = candidates.getInt(k);
                if (p == previous || !context.created(p)) {
                    continue;
                }
                previous = p;
                int leader = context.leader(p);
                boolean leaderGone = leader != LeaderElection.NO_LEADER && !liveAfterFailure.test(leader);
                boolean leaderless = leader == LeaderElection.NO_LEADER;
                Change c = null;
                if (leaderGone || (leaderless && startupElections)) {
                    c = offlineElection(p, leaderGone ? "broker " + leader + " failed" : "broker started", leader, context.isr(p),
                            leaderGone ? liveAfterFailure : liveBrokers::contains);
                } else if (!leaderless) {
                    // Followers on dead brokers leave the ISR; the controller bumps the leader epoch.
                    IntList current = context.isr(p);
                    IntList shrunk = current;
                    for (int b : dead) {
                        shrunk = isrWithout(shrunk, b);
                    }
                    if (!shrunk.equals(current)) {
                        c = new Change(p, new KafkaZnodes.StateData(leader, context.leaderEpoch(p) + 1, controllerEpoch, shrunk),
                                false, false, "replica offline");
                    }
                }
                if (c != null && c.data().leader() == LeaderElection.NO_LEADER && startupElections) {
                    // The startup step (onBrokerStartup) of the same event: a bounced broker that is
                    // the last ISR member is clean-eligible again. Both steps go out as one write.
                    Change again = offlineElection(p, "broker started", LeaderElection.NO_LEADER, c.data().isr(), liveBrokers::contains);
                    if (again != null) {
                        c = new Change(p, again.data(), true, again.unclean(), c.cause() + ", then broker started", true);
                    }
                }
                if (c != null) {
                    (c.leaderChange() ? elections : shrinks).add(c);
                }
            }
            // Elections first (the OfflinePartition -> OnlinePartition batch and its requests), then
            // the ISR removals of the dead brokers' other replicas (the OfflineReplica batch).
            writeAndSend(elections, () -> writeAndSend(shrinks, () -> {
                for (int b : born) {
                    sendUpdateMetadata(IntList.of(b), allPartitions());
                    sendLeaderAndIsr(b, hostedBy(b));
                }
                IntArrayList changed = new IntArrayList();
                for (Change c : elections) {
                    changed.add(c.partition());
                }
                for (Change c : shrinks) {
                    changed.add(c.partition());
                }
                touched = changed;
                done();
            }));
        });
    }

    /**
     * Offline-partition election (docs/model.md#partition-leader-election) against the cache;
     * {@code null} when nothing changes.
     */
    private Change offlineElection(int p, String cause) {
        return offlineElection(p, cause, context.leader(p), context.isr(p), liveBrokers::contains);
    }

    /**
     * Offline-partition election (docs/model.md#partition-leader-election) from the given leader
     * and ISR, with {@code live} deciding which brokers count as live; {@code null} when nothing
     * changes.
     */
    private Change offlineElection(int p, String cause, int currentLeader, IntList currentIsr, java.util.function.IntPredicate live) {
        int[] replicas = cluster.replicas(p);
        LeaderElection.Election e = LeaderElection.offlinePartition(replicas, currentIsr, live,
                cluster.uncleanLeaderElectionEnabled(p) || bugs.uncleanIgnoresTopicConfig());
        if (!e.elected()) {
            if (currentLeader == LeaderElection.NO_LEADER) {
                return null;
            }
            // No candidate: leader -1, the ISR keeps its last member (KAFKA-5083).
            IntList kept = isrWithout(currentIsr, currentLeader);
            return new Change(p, new KafkaZnodes.StateData(LeaderElection.NO_LEADER, context.leaderEpoch(p) + 1, controllerEpoch, kept),
                    true, false, cause);
        }
        IntList newIsr = LeaderElection.isrAfterElection(e, currentIsr, live);
        int leaderEpoch = bugs.keepLeaderEpochOnElection() ? context.leaderEpoch(p) : context.leaderEpoch(p) + 1;
        return new Change(p, new KafkaZnodes.StateData(e.leader(), leaderEpoch, controllerEpoch, newIsr), true, e.unclean(), cause);
    }

    /** {@link LeaderElection#isrWithout}, or with the planted bug an ISR that may become empty. */
    private IntList isrWithout(IntList current, int broker) {
        if (allowEmptyIsr && current.size() == 1 && current.getInt(0) == broker) {
            return IntList.of();
        }
        return LeaderElection.isrWithout(current, broker);
    }

    /**
     * Writes the changes (one pipelined batch), then sends LeaderAndIsr for them to their live
     * replicas and UpdateMetadata to every live broker ({@code sendRequestsToBrokers} after a state
     * machine's batch), then runs {@code then}.
     */
    private void writeAndSend(List<Change> changes, Runnable then) {
        writeAndSend(changes, -1, then);
    }

    /** As {@link #writeAndSend(List, Runnable)}, no LeaderAndIsr to {@code except} (an offline replica's broker). */
    private void writeAndSend(List<Change> changes, int except, Runnable then) {
        write(changes, () -> {
            IntArrayList changed = new IntArrayList(changes.size());
            for (Change c : changes) {
                changed.add(c.partition());
            }
            sendLeaderAndIsrForChanges(changed, except);
            sendUpdateMetadata(liveBrokers, changed);
            then.run();
        });
    }

    /** Writes the changes (epoch-checked, conditional on each partition's zkVersion), pipelined. */
    private void write(List<Change> changes, Runnable then) {
        Pipeline.start(changes.size(), maxInFlight, (i, pipe) -> {
            Change c = changes.get(i);
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

    // ------------------------------------------------------------------ topic creation (TopicChange; docs/model.md#topic-creation-at-runtime)

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
                        Change c = context.created(p) ? null : newPartitionElection(p);
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
                        if (context.created(c.partition())) {
                            changed.add(c.partition());
                        }
                    }
                    touched = changed;
                    sendLeaderAndIsrForChanges(changed, -1);
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
        Pipeline.start(changes.size(), maxInFlight, (i, pipe) -> {
            Change c = changes.get(i);
            int p = c.partition();
            plane.checks().beforeWrite(cluster, p, c.data());
            ctx.work(costs.writePartitionNanos());
            List<Op> ops = new ArrayList<>();
            if (!noEpochZkVersionCheck) {
                ops.add(new Op.Check(KafkaZnodes.CONTROLLER_EPOCH, epochZkVersion));
            }
            ops.add(new Op.Create(plane.layout().path(p, false), "", dev.faultline.zookeeper.ensemble.CreateMode.PERSISTENT));
            ops.add(new Op.Create(plane.layout().path(p, true), c.data().encode(), dev.faultline.zookeeper.ensemble.CreateMode.PERSISTENT));
            call(cb -> zk.multi(ops, cb), r -> {
                if (r.ok()) {
                    plane.checks().controllerWriteApplied(agent.brokerId(), controllerEpoch, r.zxid(), plane.controllerEpochZnode());
                    context.set(p, c.data().leader(), c.data().leaderEpoch(), c.data().isr(), r.results().get(ops.size() - 1).stat().version());
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

    // ------------------------------------------------------------------ preferred leaders (docs/model.md#preferred-leader-election)

    /**
     * For each broker whose share of partitions it prefers but does not lead exceeds
     * {@code leader.imbalance.per.broker.percentage}, move those partitions back to it where it is
     * live and in the ISR (preferred-replica election: leader epoch + 1, ISR unchanged). A pass over
     * every partition, as Kafka's {@code checkAndTriggerAutoLeaderRebalance}, once per
     * {@code leader.imbalance.check.interval.seconds} (300 s).
     */
    private void processAutoRebalance() {
        int brokers = cluster.maxBrokerId() + 1;
        int[] preferred = new int[brokers];
        int[] notLed = new int[brokers];
        for (int p = 0; p < cluster.partitionCount(); p++) {
            if (!context.created(p)) {
                continue;
            }
            int pref = cluster.replica(p, 0);
            preferred[pref]++;
            if (context.leader(p) != pref) {
                notLed[pref]++;
            }
        }
        ctx.work(costs.writePartitionNanos() * cluster.partitionCount() / 100);
        List<Change> changes = new ArrayList<>();
        for (int p = 0; p < cluster.partitionCount(); p++) {
            int pref = cluster.replica(p, 0);
            if (context.leader(p) == pref || preferred[pref] == 0 || notLed[pref] * 100 <= imbalancePercentage * preferred[pref]) {
                continue;
            }
            IntList isr = context.isr(p);
            LeaderElection.Election e = LeaderElection.preferredReplica(cluster.replicas(p), isr,
                    b -> liveBrokers.contains(b) && !shuttingDown.contains(b));
            if (e.elected()) {
                changes.add(new Change(p, new KafkaZnodes.StateData(e.leader(), context.leaderEpoch(p) + 1, controllerEpoch, isr), true,
                        false, "preferred replica election"));
            }
        }
        writeAndSend(changes, () -> {
            IntArrayList changed = new IntArrayList();
            for (Change c : changes) {
                changed.add(c.partition());
            }
            touched = changed;
            done();
        });
    }

    // ------------------------------------------------------------------ AlterPartition (docs/model.md#isr-changes-in-zookeeper-mode, KIP-497)

    /**
     * {@code processAlterPartition} for one broker's request: each partition's change is validated
     * (leader and leader epoch, partition epoch, broker epoch, eligible members); the valid ones are
     * written as one pipelined batch; then one answer with every partition's result and one
     * UpdateMetadata for the changed partitions.
     */
    private void processAlterPartition(NodeId from, long correlationId, List<AlterPartitionRequest> requests) {
        Errors[] errors = new Errors[requests.size()];
        List<Change> changes = new ArrayList<>();
        IntArrayList all = new IntArrayList(requests.size());
        for (int k = 0; k < requests.size(); k++) {
            AlterPartitionRequest req = requests.get(k);
            int p = req.partition();
            all.add(p);
            Errors error = Errors.NONE;
            if (req.leaderId() != context.leader(p) || req.leaderEpoch() != context.leaderEpoch(p)) {
                error = Errors.FENCED_LEADER_EPOCH;
            } else if (req.partitionEpoch() != context.zkVersion(p)) {
                error = Errors.INVALID_UPDATE_VERSION;
            } else if (brokerEpochs.get(req.leaderId()) != req.leaderBrokerEpoch()) {
                error = Errors.STALE_BROKER_EPOCH;
            } else {
                for (int i = 0; i < req.newIsr().size(); i++) {
                    int m = req.newIsr().getInt(i);
                    if (!liveBrokers.contains(m) || !cluster.isReplica(p, m) || (shuttingDown.contains(m) && !context.isrContains(p, m))) {
                        error = Errors.INELIGIBLE_REPLICA;
                    }
                }
            }
            errors[k] = error;
            if (error == Errors.NONE) {
                changes.add(new Change(p, new KafkaZnodes.StateData(context.leader(p), context.leaderEpoch(p), controllerEpoch, req.newIsr()),
                        false, false, "AlterPartition"));
            }
        }
        touched = all;
        write(changes, () -> {
            List<AlterPartitionResult> results = new ArrayList<>(requests.size());
            for (int k = 0; k < requests.size(); k++) {
                int p = requests.get(k).partition();
                results.add(new AlterPartitionResult(p, errors[k], currentState(p)));
            }
            ctx.send(from, new ControllerRequest.AlterPartitionResponse(correlationId, Errors.NONE, results));
            IntArrayList changed = new IntArrayList(changes.size());
            for (Change c : changes) {
                changed.add(c.partition());
            }
            if (!changed.isEmpty()) {
                sendUpdateMetadata(liveBrokers, changed);
            }
            done();
        });
    }

    // ------------------------------------------------------------------ controlled shutdown (docs/model.md#controlled-shutdown)

    /**
     * {@code doControlledShutdown}: a request from an older broker epoch is rejected
     * ({@code STALE_BROKER_EPOCH}, docs/model.md#broker-registration-and-broker-epoch), one from a
     * broker that is not live gets {@code BROKER_NOT_AVAILABLE}. Otherwise the broker joins
     * {@code shuttingDownBrokerIds}, and, as Kafka does, in batches: the partitions it leads
     * (replication factor above 1) get the controlled-shutdown election
     * (docs/model.md#controlled-shutdown: first live ISR member of the assignment that is not
     * shutting down; ISR minus the shutting-down brokers), written as one pipelined batch and
     * announced with LeaderAndIsr to every live replica (so the broker follows the new leader) and
     * UpdateMetadata; then StopReplica (no deletion) goes to the broker for the partitions it
     * follows; then it leaves the ISR of those (OfflineReplica; leader epoch + 1), a second batch
     * with LeaderAndIsr to the other replicas. The answer lists the partitions it still leads
     * (those without another eligible ISR member, and those with a single replica: the broker then
     * retries).
     *
     * <p>Simplification: StopReplica and the answer go straight to the broker, not through a
     * per-broker request queue.
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
        List<Change> elections = new ArrayList<>();
        IntArrayList followed = new IntArrayList();
        int[] hosted = plane.hostedPartitions(b);
        for (int p : hosted) {
            if (cluster.replicationFactor(p) <= 1 || !context.created(p) || KafkaZnodes.Isr.size(context.isrPacked(p)) == 0
                    && context.isrPacked(p) != KafkaZnodes.Isr.NOT_PACKED) {
                continue; // single replica, or a partition with no state yet
            }
            if (context.leader(p) == b) {
                IntList isr = context.isr(p);
                LeaderElection.Election e = LeaderElection.controlledShutdown(cluster.replicas(p), isr, liveBrokers::contains,
                        shuttingDown::contains);
                if (e.elected()) {
                    IntList newIsr = LeaderElection.isrAfterControlledShutdown(e, isr, shuttingDown::contains);
                    elections.add(new Change(p, new KafkaZnodes.StateData(e.leader(), context.leaderEpoch(p) + 1, controllerEpoch, newIsr), true, false,
                            "controlled shutdown of broker " + b));
                }
            } else {
                followed.add(p);
            }
        }
        ctx.work(costs.writePartitionNanos() * hosted.length / 10);
        writeAndSend(elections, () -> {
            if (!followed.isEmpty()) {
                ctx.send(plane.brokerNode(b), new ControllerRequest.StopReplica(agent.brokerId(), controllerEpoch, brokerEpochs.get(b), followed));
            }
            List<Change> shrinks = new ArrayList<>();
            for (int i = 0; i < followed.size(); i++) {
                int p = followed.getInt(i);
                IntList current = context.isr(p);
                IntList shrunk = isrWithout(current, b);
                if (!shrunk.equals(current)) {
                    shrinks.add(new Change(p, new KafkaZnodes.StateData(context.leader(p), context.leaderEpoch(p) + 1, controllerEpoch, shrunk),
                            false, false, "controlled shutdown of broker " + b + ": replica offline"));
                }
            }
            writeAndSend(shrinks, b, () -> {
                IntArrayList changed = new IntArrayList();
                for (Change c : elections) {
                    changed.add(c.partition());
                }
                for (Change c : shrinks) {
                    changed.add(c.partition());
                }
                touched = changed;
                IntArrayList remaining = new IntArrayList();
                for (int p : hosted) {
                    if (context.leader(p) == b) {
                        remaining.add(p);
                    }
                }
                replyControlledShutdown(r, Errors.NONE, remaining);
                done();
            });
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
        return new PartitionState(p, context.leader(p), context.leaderEpoch(p), context.isr(p), context.zkVersion(p));
    }

    private IntList allPartitions() {
        IntArrayList all = new IntArrayList(cluster.partitionCount());
        for (int p = 0; p < cluster.partitionCount(); p++) {
            if (context.created(p)) {
                all.add(p);
            }
        }
        return all;
    }

    private IntList hostedBy(int broker) {
        int[] hosted = plane.hostedPartitions(broker);
        IntArrayList out = new IntArrayList(hosted.length);
        for (int p : hosted) {
            if (context.created(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private void sendLeaderAndIsr(int broker, IntList partitions) {
        if (partitions.isEmpty() || !liveBrokers.contains(broker)) {
            return;
        }
        ctx.work(costs.requestPartitionNanos() * partitions.size());
        channel.send(broker, new ControllerRequest.LeaderAndIsr(agent.brokerId(), controllerEpoch,
                brokerEpochs.get(broker), PartitionStates.of(cluster, context, partitions)));
    }

    /** LeaderAndIsr for the changed partitions to each of their live replicas (none to {@code except}). */
    private void sendLeaderAndIsrForChanges(IntList changed, int except) {
        if (changed.isEmpty()) {
            return;
        }
        Int2ObjectAVLTreeMap<IntArrayList> byBroker = new Int2ObjectAVLTreeMap<>();
        for (int i = 0; i < changed.size(); i++) {
            int p = changed.getInt(i);
            for (int r = 0; r < cluster.replicationFactor(p); r++) {
                int b = cluster.replica(p, r);
                if (b != except && liveBrokers.contains(b)) {
                    byBroker.computeIfAbsent(b, k -> new IntArrayList()).add(p);
                }
            }
        }
        for (var e : byBroker.int2ObjectEntrySet()) {
            sendLeaderAndIsr(e.getIntKey(), e.getValue());
        }
    }

    private void sendUpdateMetadata(Iterable<Integer> brokers, IntList partitions) {
        PartitionStates s = PartitionStates.of(cluster, context, partitions);
        for (int b : brokers) {
            if (liveBrokers.contains(b)) {
                ctx.work(costs.requestPartitionNanos() * partitions.size());
                channel.send(b, new ControllerRequest.UpdateMetadata(agent.brokerId(), controllerEpoch, brokerEpochs.get(b), s));
            }
        }
    }
}
