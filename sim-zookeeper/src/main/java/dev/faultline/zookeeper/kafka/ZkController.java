package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.control.Errors;
import dev.faultline.core.control.PartitionState;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import it.unimi.dsi.fastutil.ints.Int2LongAVLTreeMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.ints.IntList;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * The ZooKeeper-mode controller inside the broker that won {@code /controller}
 * (docs/model.md#zookeeper-mode-controller, {@code KafkaController}): its event queue, wiring three
 * parts together. ZooKeeper watch callbacks and broker requests only enqueue events; one event runs
 * at a time on the controller's own FIFO queue
 * (docs/model.md#the-controllers-event-queue-and-request-channels). Each event reads ZooKeeper when
 * it runs and asks the {@link PartitionStateMachine} (pure decisions over the
 * {@link ControllerContext}) what to change; {@link ControllerZk} writes the changes (pipelined,
 * epoch-checked) and {@link ControllerRequests} announces them to brokers with LeaderAndIsr and
 * UpdateMetadata ({@link #commit}). CPU costs are {@link ZkCosts}.
 *
 * <p>Events do work proportional to the partitions they concern: a broker change looks at the
 * partitions hosted by brokers that are not live and, when a broker starts, at the leaderless ones;
 * only the failover load and the periodic auto-rebalance check
 * ({@code leader.imbalance.check.interval.seconds}) look at every partition, as Kafka's do.
 *
 * <p>Simplifications: topic deletion, reassignment and preferred-leader election are not modelled.
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

    /** The failover load of a new controller. */
    private record Failover() implements Event {
    }

    /** The child watch on {@code /brokers/ids} fired. */
    private record BrokerChange() implements Event {
    }

    private record AlterPartitionReceived(NodeId from, long correlationId, List<AlterPartitionRequest> requests) implements Event {
    }

    /** {@code ControlledShutdown} of broker {@code brokerId} at {@code brokerEpoch} (docs/model.md#controlled-shutdown). */
    private record ControlledShutdownReceived(NodeId from, long correlationId, int brokerId, long brokerEpoch) implements Event {
    }

    private final ZkBrokerAgent agent;
    private final ZkControlPlane plane;
    private final ClusterSpec cluster;
    private final NodeContext ctx;
    private final int controllerEpoch;
    private final ZkCosts costs;
    private boolean threadPaused;
    private final boolean autoRebalance;
    private final long rebalanceIntervalNanos;
    private final ArrayDeque<Event> queue = new ArrayDeque<>();
    private boolean running;
    private boolean active = true;
    /** Whether the failover load finished ({@code controllerReady}); read by KZ-L1. */
    private boolean ready;
    /** The request channels to brokers ({@code ControllerChannelManager}). */
    private final ControllerChannel channel;
    private final ControllerContext context;
    private final PartitionStateMachine machine;
    private final ControllerZk zk;
    private final ControllerRequests requests;

    ZkController(ZkBrokerAgent agent, int controllerEpoch, int epochZkVersion) {
        this.agent = agent;
        this.plane = agent.plane();
        this.cluster = plane.cluster();
        this.ctx = agent.context();
        this.controllerEpoch = controllerEpoch;
        this.costs = ZkCosts.of(cluster);
        this.autoRebalance = Boolean.parseBoolean(cluster.config().getString("auto.leader.rebalance.enable", "true"));
        this.rebalanceIntervalNanos = Long.parseLong(cluster.config().getString("leader.imbalance.check.interval.seconds", "300"))
                * Time.SECOND;
        this.channel = new ControllerChannel(plane, ctx, agent.brokerId(), controllerEpoch);
        this.context = new ControllerContext(cluster);
        this.machine = new PartitionStateMachine(cluster, context, controllerEpoch, plane::hostedPartitions);
        this.zk = new ControllerZk(this, agent, context, controllerEpoch, epochZkVersion, () -> active);
        this.requests = new ControllerRequests(cluster, ctx, context, channel, costs, agent.brokerId(), controllerEpoch);
        plane.controllersChanged();
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
        c.context.liveBrokers.addAll(brokers.keySet());
        c.context.brokerEpochs.putAll(brokers);
        for (ClusterSpec.TopicSpec t : c.cluster.topics()) {
            if (!c.cluster.createdAtRuntime(t.name())) {
                c.context.topicsRead.add(t.name());
            }
        }
        c.ready = true;
        if (c.autoRebalance) {
            c.ctx.setTimer(new RebalanceTimer(agent.brokerId(), controllerEpoch),
                    1 + c.ctx.random().fork("warm-start-rebalance").nextLong(Math.max(1, c.rebalanceIntervalNanos)));
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

    /** The cached state of a partition, for KZ-S7. */
    PartitionState cachedState(int p) {
        return context.state(p);
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
            plane.controllersChanged();
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
        plane.controllersChanged();
        ctx.trace("zk-controller", "controller event thread of broker " + agent.brokerId() + " paused");
        ctx.setTimer(new ResumeEventThread(agent.brokerId()), nanos);
    }

    void resumeEventThread() {
        threadPaused = false;
        plane.controllersChanged();
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
            done(IntList.of());
        } else {
            throw new IllegalStateException("unknown controller event " + e);
        }
    }

    /** The current event ended: KZ-S7 compares the partitions it read or wrote with ZooKeeper; the next event runs. */
    private void done(IntList touched) {
        if (active) {
            plane.checks().cacheAgrees(agent.brokerId(), controllerEpoch, zk.sessionAlive(),
                    plane, touched, this::cachedState);
            next();
        } else {
            running = false;
        }
    }

    /**
     * Writes a state machine's batch (one pipelined batch), then announces it: LeaderAndIsr for the
     * changed partitions to their live replicas (none to {@code except}, an offline replica's broker,
     * or -1) and UpdateMetadata to every live broker ({@code sendRequestsToBrokers}); then runs
     * {@code then}.
     */
    private void commit(List<PartitionStateMachine.Change> changes, int except, Runnable then) {
        zk.write(changes, () -> {
            requests.announce(PartitionStateMachine.partitionsOf(changes), except);
            then.run();
        });
    }

    /** The partitions of both batches, in order (what an event touched, for KZ-S7). */
    private static IntList touched(List<PartitionStateMachine.Change> first, List<PartitionStateMachine.Change> second) {
        IntArrayList changed = PartitionStateMachine.partitionsOf(first);
        changed.addAll(PartitionStateMachine.partitionsOf(second));
        return changed;
    }

    // ------------------------------------------------------------------ failover (docs/model.md#controller-failover)

    /**
     * {@code onControllerFailover}: read the brokers, the topics (T reads, with a data watch each) and
     * every partition state (P reads), pipelined up to {@code zookeeper.max.in.flight.requests};
     * then, as Kafka does: UpdateMetadata with every partition to every live broker; the replica
     * state machine's startup (LeaderAndIsr with every hosted partition to every live broker, then
     * each replica on a broker that is not live goes OfflineReplica: the broker's partition states
     * are read again, then it leaves the ISR, and a partition it led loses its leader, written per
     * broker as one pipelined batch); the partition state machine's startup (the leaderless
     * partitions' states are read again, then they get the offline election, another pipelined
     * batch, then LeaderAndIsr and UpdateMetadata); then the controller is ready
     * ({@code KafkaController.onControllerFailover} up to "Ready to serve as the new controller").
     * Each step is the method below it. A crashed controller's own broker therefore costs, per
     * replica it held, a read and a write on top of the initial read of every partition.
     */
    private void onControllerFailover() {
        ctx.trace("zk-controller", "controller " + agent.brokerId() + " epoch " + controllerEpoch + " loading from ZooKeeper");
        zk.readBrokers(brokers -> zk.readTopicNames(this::failoverReadTopics));
    }

    /** Failover: the topic assignments (T reads; the assignment itself comes from the cluster description), then every partition state. */
    private void failoverReadTopics(List<String> names) {
        Set<String> inZooKeeper = new TreeSet<>(names);
        ctx.work(costs.topicLoadNanos() * names.size());
        zk.readTopicAssignments(names, () -> zk.readPartitionStates(inZooKeeper, this::failoverLoaded));
    }

    /** Failover: the context is loaded; requests to the live brokers, then OfflineReplica for the others. */
    private void failoverLoaded() {
        // A broker that is not registered now failed before this controller took over (for example
        // the old controller's own broker): this is when the control plane learns of it (the
        // recorder ignores brokers with no open failure).
        for (var b : cluster.brokers()) {
            if (!context.liveBrokers.contains(b.id())) {
                plane.failover().brokerFailureDetected(b.id(), ctx.now());
            }
        }
        requests.updateMetadata(context.liveBrokers, context.createdPartitions());
        for (int b : context.liveBrokers) {
            requests.leaderAndIsr(b, context.createdOf(plane.hostedPartitions(b)));
        }
        IntArrayList offline = new IntArrayList();
        for (var b : cluster.brokers()) {
            if (!context.liveBrokers.contains(b.id())) {
                offline.add(b.id());
            }
        }
        offlineReplicas(offline, 0, this::failoverElect);
    }

    /**
     * The replica state machine's OfflineReplica transition for the replicas on the brokers
     * {@code offline} (from index {@code from}), one broker at a time as Kafka groups them, each
     * broker's a batch written and announced (no LeaderAndIsr to that broker).
     */
    private void offlineReplicas(IntList offline, int from, Runnable then) {
        if (from >= offline.size()) {
            then.run();
            return;
        }
        int b = offline.getInt(from);
        // doRemoveReplicasFromIsr reads the state of every replica of the broker that has one, then writes.
        zk.rereadStates(context.createdOf(plane.hostedPartitions(b)), () ->
                commit(machine.offlineReplicas(b), b, () -> offlineReplicas(offline, from + 1, then)));
    }

    /** Failover: the partition state machine's startup (offline elections), then ready. */
    private void failoverElect() {
        IntList candidates = machine.offlineCandidates();
        zk.rereadStates(candidates, () -> commit(machine.offlinePartitions(candidates, "controller failover"), -1, () -> {
            IntList all = context.createdPartitions();
            plane.failover().controllerReady(ctx.now());
            ready = true;
            if (autoRebalance) {
                // The scheduler's first auto-rebalance check comes 5 s after failover.
                ctx.setTimer(new RebalanceTimer(agent.brokerId(), controllerEpoch), 5 * Time.SECOND);
            }
            ctx.trace("zk-controller", "controller " + agent.brokerId() + " ready");
            done(all);
        }));
    }

    // ------------------------------------------------------------------ broker failure and startup (docs/model.md#broker-failure)

    /**
     * {@code processBrokerChange}: dead brokers fail ({@code onBrokerFailure}: partitions they led get
     * the offline election, written as one pipelined batch and announced with LeaderAndIsr and
     * UpdateMetadata; then their other replicas leave the ISR, a second batch), new brokers start
     * ({@code onBrokerStartup}: full UpdateMetadata and LeaderAndIsr for what they host, and
     * leaderless partitions may elect them).
     */
    private void processBrokerChange() {
        zk.readBrokers(delta -> {
            ctx.trace("zk-controller", "broker change: dead " + delta.dead() + ", new " + delta.born());
            // removeBroker for dead and bounced brokers: their queued and in-flight requests are dropped.
            for (int b : delta.dead()) {
                channel.removeBroker(b);
            }
            for (int b : delta.born()) {
                channel.removeBroker(b);
            }
            for (int b : delta.dead()) {
                plane.failover().brokerFailureDetected(b, ctx.now());
            }
            // Kafka finds the partitions on the dead brokers by a pass over its context (partitionsOnBroker).
            ctx.work(costs.writePartitionNanos() * cluster.partitionCount() / 100);
            context.shuttingDown.removeAll(delta.dead());
            context.shuttingDown.removeAll(delta.born());
            // Kafka's elections and OfflineReplica transitions read their partitions' states first
            // (ControllerZk.rereadStates). Simplification: one read of each partition the event looks
            // at, before both batches; Kafka reads a dead leader's partitions twice (the election's
            // read, then the OfflineReplica read of all the dead broker's replicas).
            IntList candidates = machine.brokerChangeCandidates(delta.dead(), delta.born());
            zk.rereadStates(candidates, () -> {
                PartitionStateMachine.BrokerChange decided = machine.brokerChange(delta.dead(), delta.born(), candidates);
                // Elections first (the OfflinePartition -> OnlinePartition batch and its requests), then
                // the ISR removals of the dead brokers' other replicas (the OfflineReplica batch).
                commit(decided.elections(), -1, () -> commit(decided.shrinks(), -1, () -> {
                    for (int b : delta.born()) {
                        requests.updateMetadata(IntList.of(b), context.createdPartitions());
                        requests.leaderAndIsr(b, context.createdOf(plane.hostedPartitions(b)));
                    }
                    done(touched(decided.elections(), decided.shrinks()));
                }));
            });
        });
    }

    // ------------------------------------------------------------------ AlterPartition (docs/model.md#isr-changes-in-zookeeper-mode, KIP-497)

    /**
     * {@code processAlterPartition} for one broker's request: the valid changes are written as one
     * pipelined batch; then one answer with every partition's result and one UpdateMetadata for the
     * changed partitions.
     */
    private void processAlterPartition(NodeId from, long correlationId, List<AlterPartitionRequest> alter) {
        PartitionStateMachine.AlterPartition decided = machine.alterPartition(alter);
        IntArrayList all = new IntArrayList(alter.size());
        for (AlterPartitionRequest req : alter) {
            all.add(req.partition());
        }
        zk.write(decided.changes(), () -> {
            List<AlterPartitionResult> results = new ArrayList<>(alter.size());
            for (int k = 0; k < alter.size(); k++) {
                int p = alter.get(k).partition();
                results.add(new AlterPartitionResult(p, decided.errors()[k], context.state(p)));
            }
            ctx.send(from, new ControllerRequest.AlterPartitionResponse(correlationId, Errors.NONE, results));
            IntList changed = PartitionStateMachine.partitionsOf(decided.changes());
            if (!changed.isEmpty()) {
                requests.updateMetadata(context.liveBrokers, changed);
            }
            done(all);
        });
    }

    // ------------------------------------------------------------------ controlled shutdown (docs/model.md#controlled-shutdown)

    /**
     * {@code doControlledShutdown}: a request from an older broker epoch is rejected
     * ({@code STALE_BROKER_EPOCH}, docs/model.md#broker-registration-and-broker-epoch), one from a
     * broker that is not live gets {@code BROKER_NOT_AVAILABLE}. Otherwise the broker joins
     * {@code shuttingDownBrokerIds}, and, as Kafka does, in batches: the partitions it leads get the
     * controlled-shutdown election, written as one pipelined batch and announced with LeaderAndIsr to
     * every live replica (so the broker follows the new leader) and UpdateMetadata; then StopReplica
     * (no deletion) goes to the broker for the partitions it follows; then it leaves the ISR of those
     * (each batch reads its partitions' states from ZooKeeper first, as Kafka's state machines do)
     * (OfflineReplica; leader epoch + 1), a second batch with LeaderAndIsr to the other replicas. The
     * answer lists the partitions it still leads (those without another eligible ISR member, and those
     * with a single replica: the broker then retries).
     *
     * <p>Simplification: StopReplica and the answer go straight to the broker, not through a
     * per-broker request queue.
     */
    private void processControlledShutdown(ControlledShutdownReceived r) {
        int b = r.brokerId();
        if (context.brokerEpochs.containsKey(b) && r.brokerEpoch() < context.brokerEpochs.get(b)) {
            ctx.trace("zk-controller", "controller " + agent.brokerId() + " rejects ControlledShutdown of broker " + b + ": broker epoch "
                    + r.brokerEpoch() + " < " + context.brokerEpochs.get(b));
            replyControlledShutdown(r, Errors.STALE_BROKER_EPOCH, IntList.of());
            done(IntList.of());
            return;
        }
        if (!context.liveBrokers.contains(b)) {
            replyControlledShutdown(r, Errors.BROKER_NOT_AVAILABLE, IntList.of());
            done(IntList.of());
            return;
        }
        context.shuttingDown.add(b);
        ctx.trace("zk-controller", "controller " + agent.brokerId() + " controlled shutdown of broker " + b + "; shutting down "
                + context.shuttingDown);
        int[] hosted = plane.hostedPartitions(b);
        PartitionStateMachine.ControlledShutdown split = machine.controlledShutdown(b, hosted);
        ctx.work(costs.writePartitionNanos() * hosted.length / 10);
        // Both batches read their partitions' states first (ControllerZk.rereadStates): the
        // election's read of the led partitions, the OfflineReplica read of the followed ones.
        zk.rereadStates(split.led(), () -> {
            List<PartitionStateMachine.Change> elections = machine.controlledShutdownElections(b, split.led());
            commit(elections, -1, () -> {
                if (!split.followed().isEmpty()) {
                    ctx.send(plane.brokerNode(b), new ControllerRequest.StopReplica(agent.brokerId(), controllerEpoch,
                            context.brokerEpochs.get(b), split.followed()));
                }
                zk.rereadStates(split.followed(), () -> {
                    List<PartitionStateMachine.Change> shrinks = machine.controlledShutdownShrinks(b, split.followed());
                    commit(shrinks, b, () -> {
                        IntList touched = touched(elections, shrinks);
                        replyControlledShutdown(r, Errors.NONE, machine.stillLed(b, hosted));
                        done(touched);
                    });
                });
            });
        });
    }

    private void replyControlledShutdown(ControlledShutdownReceived r, Errors error, IntList remaining) {
        ctx.send(r.from(), new ControllerRequest.ControlledShutdownResponse(r.correlationId(), error, remaining));
    }

    // ------------------------------------------------------------------ preferred leaders (docs/model.md#preferred-leader-election)

    /** The auto-rebalance check ({@link PartitionStateMachine#autoRebalanceCandidates}, every leader.imbalance.check.interval.seconds). */
    private void processAutoRebalance() {
        IntList candidates = machine.autoRebalanceCandidates();
        ctx.work(costs.writePartitionNanos() * cluster.partitionCount() / 100);
        // onReplicaElection: the preferred elections read their partitions' states first (ControllerZk.rereadStates).
        zk.rereadStates(candidates, () -> {
            List<PartitionStateMachine.Change> changes = machine.preferredElections(candidates);
            commit(changes, -1, () -> done(PartitionStateMachine.partitionsOf(changes)));
        });
    }

    // ------------------------------------------------------------------ topic creation (TopicChange; docs/model.md#topic-creation-at-runtime)

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
        zk.readTopicNames(children -> {
            List<String> names = new ArrayList<>(new TreeSet<>(children));
            List<String> fresh = new ArrayList<>();
            for (String name : names) {
                if (context.topicsRead.add(name)) {
                    fresh.add(name);
                }
            }
            zk.readTopicAssignments(fresh, () -> {
                IntArrayList stayNew = new IntArrayList();
                List<PartitionStateMachine.Change> changes = machine.newPartitions(names, stayNew);
                for (int i = 0; i < stayNew.size(); i++) {
                    ctx.trace("zk-controller", cluster.partitionName(stayNew.getInt(i)) + " stays New: no live replica");
                }
                if (!changes.isEmpty()) {
                    ctx.trace("zk-controller", "topic change: creating " + changes.size() + " new partition(s)");
                }
                zk.create(changes, () -> {
                    IntArrayList changed = new IntArrayList();
                    for (PartitionStateMachine.Change c : changes) {
                        if (context.created(c.partition())) {
                            changed.add(c.partition());
                        }
                    }
                    requests.announce(changed, -1);
                    done(changed);
                });
            });
        });
    }
}
