package dev.faultline.zookeeper.kafka;

import dev.faultline.core.control.AlterPartitionRequest;
import dev.faultline.core.control.AlterPartitionResult;
import dev.faultline.core.control.BrokerAgent;
import dev.faultline.core.control.BrokerHandle;
import dev.faultline.core.control.Errors;
import dev.faultline.core.kernel.ConnectionReset;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.zookeeper.client.ClientMessage;
import dev.faultline.zookeeper.client.ClientPacket;
import dev.faultline.zookeeper.client.KeeperState;
import dev.faultline.zookeeper.client.ZkClient;
import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.CreateMode;
import dev.faultline.zookeeper.ensemble.Op;
import dev.faultline.zookeeper.ensemble.WatchTrigger.EventType;
import java.util.List;

/**
 * A broker's ZooKeeper-mode control-plane part: its ZooKeeper session (liveness), the
 * {@code /brokers/ids/N} registration (broker epoch = czxid, KIP-380), the {@code /controller}
 * election (docs/model.md#controller-election-and-epoch-fencing) and, when it wins, the
 * {@link ZkController}. It also applies the controller's LeaderAndIsr and UpdateMetadata, rejecting
 * a stale controller epoch or broker epoch (KZ-S6).
 */
final class ZkBrokerAgent implements BrokerAgent, ZkClient.Watcher {
    private final ZkControlPlane plane;
    private final int brokerId;
    private BrokerHandle broker;
    private NodeContext ctx;
    private ZkClient zk;
    private int sessions;
    private boolean registered;
    /** A registration of the current session is in flight (so a reconnect does not start another). */
    private boolean registering;
    private long brokerEpoch = -1;
    private int activeControllerId = -1;
    private int highestControllerEpochSeen = -1;
    /**
     * Per partition, the AlterPartition the leader is waiting for (sent, or queued until a controller
     * is known, the request in flight is answered, or the retry back-off ends): Kafka's
     * {@code AlterPartitionManager} keeps its unsent ISR updates and sends them all in one request,
     * one request in flight at a time; the broker-to-controller channel keeps a request queued
     * across NOT_CONTROLLER answers, so the leader's pending ISR change never sees that error.
     */
    private final it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap<AlterPartitionRequest> alterQueued = new it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap<>();
    /** The requests of the AlterPartition batch in flight, by partition (empty when none is). */
    private final it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap<AlterPartitionRequest> alterInFlight = new it.unimi.dsi.fastutil.ints.Int2ObjectAVLTreeMap<>();
    /** The correlation id of the batch in flight (0 when none), and the controller it went to. */
    private long alterBatchId;
    private int alterSentTo = -1;
    /** Whether the retry back-off after a NOT_CONTROLLER answer is running. */
    private boolean alterBackingOff;
    private long nextCorrelationId;
    private ZkController controller;

    /**
     * Planted bug {@code zkBroker.ignoreControllerEpoch} (test switch for KZ-S6; it reverts no
     * historical fix): the broker applies controller requests from a controller epoch older than
     * the highest it has seen, so a deposed (zombie) controller's LeaderAndIsr is obeyed.
     */
    private final boolean ignoreControllerEpoch;
    /**
     * Planted bug {@code zkBroker.ignoreControllerDeletion} (test switch for KZ-L1; it reverts no
     * historical fix): a broker that is not the controller does not run for election when
     * {@code /controller} is deleted, so once the controller dies nobody replaces it (brokers still
     * elect at startup and after a new session).
     */
    private final boolean ignoreControllerDeletion;
    /** The controller's test switches (ZkModeBugs); the election reads {@code zkController.reuseControllerEpoch}. */
    private final ZkModeBugs bugs;

    ZkBrokerAgent(ZkControlPlane plane, int brokerId) {
        this.plane = plane;
        this.brokerId = brokerId;
        this.ignoreControllerEpoch = Boolean.parseBoolean(plane.cluster().config().getString("zkBroker.ignoreControllerEpoch", "false"));
        this.ignoreControllerDeletion = Boolean.parseBoolean(plane.cluster().config().getString("zkBroker.ignoreControllerDeletion", "false"));
        this.bugs = ZkModeBugs.of(plane.cluster());
    }

    @Override
    public void start(BrokerHandle handle) {
        this.broker = handle;
        this.ctx = handle.context();
        alterInFlight.clear();
        alterQueued.clear();
        alterBatchId = 0;
        alterSentTo = -1;
        alterBackingOff = false;
        plane.checks().brokerStarted(brokerId);
        ZkControlPlane.WarmBroker warm = plane.takeWarmStart(brokerId);
        if (warm != null) {
            resumeWarm(warm);
        } else {
            newSession();
        }
    }

    /**
     * Warm start (the first process of a broker in a warm run): the broker has been a registered
     * member of an established cluster since long ago. It resumes its ZooKeeper session (id,
     * timeout, last zxid seen and the watches it holds) instead of opening one, is registered with
     * the broker epoch of its {@code /brokers/ids/N} znode, knows the controller and its epoch, and
     * if it is the controller, runs a controller whose context is already loaded
     * ({@link ZkController#warm}). Its client re-attaches once the ensemble serves.
     */
    private void resumeWarm(ZkControlPlane.WarmBroker warm) {
        sessions++;
        registering = false;
        registered = true;
        zk = new ZkClient(ctx, "zk-client-" + brokerId + "#" + sessions, plane.zkServers(), plane.sessionTimeoutNanos(), this);
        zk.resumeSession(warm.sessionId(), warm.negotiatedTimeoutNanos(), warm.lastZxid(), warm.dataWatches(), warm.childWatches());
        brokerEpoch = warm.brokerEpoch();
        broker.registered(brokerEpoch);
        highestControllerEpochSeen = warm.controllerEpoch();
        learnController(warm.controllerId());
        ctx.trace("zk-broker", "broker " + brokerId + " warm start: session 0x" + Long.toHexString(warm.sessionId()) + ", broker epoch "
                + brokerEpoch + ", controller " + warm.controllerId() + " (epoch " + warm.controllerEpoch() + ")");
        if (warm.controllerId() == brokerId) {
            plane.controllerActivated(this, warm.controllerEpoch());
            controller = ZkController.warm(this, warm.controllerEpoch(), warm.epochZkVersion(), plane.warmBrokerEpochs());
        }
        zk.start();
    }

    private void newSession() {
        sessions++;
        registered = false;
        registering = false;
        zk = new ZkClient(ctx, "zk-client-" + brokerId + "#" + sessions, plane.zkServers(), plane.sessionTimeoutNanos(), this);
        zk.start();
    }

    // ------------------------------------------------------------------ ZooKeeper session events

    @Override
    public void onStateChange(KeeperState state) {
        if (state == KeeperState.SyncConnected && !registered && !registering) {
            register();
        } else if (state == KeeperState.Expired) {
            // The handle is dead: resign, then a new session, a new registration (new broker epoch) and re-election.
            resignController("session expired");
            newSession();
        }
    }

    private void register() {
        if (exiting) {
            return;
        }
        registering = true;
        zk.create(KafkaZnodes.brokerPath(brokerId), "PLAINTEXT://broker-" + brokerId, CreateMode.EPHEMERAL, r -> {
            if (r.ok()) {
                registeredWithEpoch(r.results().get(0).stat().czxid());
            } else if (r.code() == Code.NODEEXISTS) {
                checkEphemeralOwner();
            } else if (r.code() == Code.CONNECTIONLOSS) {
                register();
            }
        });
    }

    private void registeredWithEpoch(long czxid) {
        registering = false;
        registered = true;
        brokerEpoch = czxid;
        ctx.trace("zk-broker", "broker " + brokerId + " registered, broker epoch " + brokerEpoch);
        broker.registered(brokerEpoch);
        elect();
    }

    /**
     * {@code checkedEphemeralCreate}: NODEEXISTS on {@code /brokers/ids/N} is a success when this
     * session owns the node (a create retried after a lost answer), and a failed startup otherwise.
     * (Without this, a create retried after a reconnect met its own node, the broker "failed" its
     * startup, closed the session that held its registration and never came back: fuzz zookeeper
     * seed 2287, KZ-L2. A second registration is also no longer started while one is in flight.)
     */
    private void checkEphemeralOwner() {
        zk.getData(KafkaZnodes.brokerPath(brokerId), false, d -> {
            if (d.code() == Code.CONNECTIONLOSS) {
                checkEphemeralOwner();
            } else if (d.ok() && d.stat().ephemeralOwner() == zk.sessionId()) {
                registeredWithEpoch(d.stat().czxid());
            } else if (d.code() == Code.NONODE) {
                register(); // the previous owner's session ended meanwhile
            } else {
                registering = false;
                startupFailed();
            }
        });
    }

    /**
     * The previous process's session still owns {@code /brokers/ids/N}. Kafka's registration
     * ({@code checkedEphemeralCreate}) then throws NodeExistsException and broker startup fails;
     * the broker takes no part in the cluster until it is started again. Simplification: the
     * process exit, its supervisor's restart and the new JVM's startup are one delay,
     * {@code faultline.broker.startup.retry.ms} (default 5000), after which the broker opens a new
     * session and tries again (the log is not recovered a second time). It must not come back the
     * instant the old znode disappears: the next controller, loading {@code /brokers/ids} right
     * then, could not tell it had restarted and would keep it as leader of partitions whose
     * unflushed log it lost (fuzz seeds 8 and 22, DP-S1).
     */
    private void startupFailed() {
        long delayNanos = Long.parseLong(plane.cluster().config().getString("faultline.broker.startup.retry.ms", "5000"))
                * dev.faultline.core.kernel.Time.MILLISECOND;
        ctx.trace("zk-broker", "broker " + brokerId + " startup failed: " + KafkaZnodes.brokerPath(brokerId)
                + " still held by the previous session (NodeExistsException); restarted in " + dev.faultline.core.kernel.Time.format(delayNanos));
        zk.close();
        ctx.setTimer(new StartupRetry(brokerId, sessions), delayNanos);
    }

    /** The supervisor's restart of a broker whose startup failed. */
    record StartupRetry(int brokerId, int session) {
    }

    @Override
    public void onWatchEvent(ClientMessage.WatchEvent event) {
        String path = event.path();
        if (path.equals(KafkaZnodes.CONTROLLER)) {
            if (event.type() == EventType.NodeDeleted) {
                plane.failover().controllerElectionStarted(ctx.now());
                if (ignoreControllerDeletion && (controller == null || !controller.isActive())) {
                    return; // planted bug: no election
                }
            }
            if (controller != null && controller.isActive()) {
                // The active controller handles the change on its event queue, behind earlier
                // events (docs/model.md#the-controllers-event-queue-and-request-channels).
                controller.onControllerChanged();
            } else {
                elect();
            }
        } else if (path.equals(KafkaZnodes.BROKER_IDS) && controller != null) {
            controller.onBrokerIdsChanged();
        } else if (path.equals(KafkaZnodes.TOPICS) && controller != null) {
            controller.onTopicsChanged();
        }
    }

    // ------------------------------------------------------------------ controller election (docs/model.md#controller-election-and-epoch-fencing)

    /** {@code elect()}: if /controller exists learn who it is, else try to create it with the next epoch. */
    private void elect() {
        if (exiting) {
            return;
        }
        zk.exists(KafkaZnodes.CONTROLLER, true, r -> {
            if (r.ok()) {
                zk.getData(KafkaZnodes.CONTROLLER, false, d -> {
                    if (d.ok()) {
                        onControllerIs(Integer.parseInt(d.data()));
                    }
                });
            } else if (r.code() == Code.NONODE) {
                tryToBecomeController();
            } else if (r.code() == Code.CONNECTIONLOSS) {
                elect();
            }
        });
    }

    private void tryToBecomeController() {
        zk.getData(KafkaZnodes.CONTROLLER_EPOCH, false, e -> {
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
            List<Op> ops = List.of(new Op.Create(KafkaZnodes.CONTROLLER, Integer.toString(brokerId), CreateMode.EPHEMERAL),
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
        zk.multi(ops, r -> {
            if (r.ok()) {
                becomeController(newEpoch, r.results().get(1).stat().version());
            } else if (r.code() == Code.CONNECTIONLOSS) {
                registerController(ops, newEpoch);
            } else {
                checkControllerAndEpoch(newEpoch);
            }
        });
    }

    private void checkControllerAndEpoch(int newEpoch) {
        zk.getData(KafkaZnodes.CONTROLLER, false, c -> {
            if (c.code() == Code.CONNECTIONLOSS) {
                checkControllerAndEpoch(newEpoch);
            } else if (c.ok() && Integer.parseInt(c.data()) == brokerId) {
                zk.getData(KafkaZnodes.CONTROLLER_EPOCH, false, e -> {
                    if (e.code() == Code.CONNECTIONLOSS) {
                        checkControllerAndEpoch(newEpoch);
                    } else if (e.ok() && Integer.parseInt(e.data()) == newEpoch && controller == null) {
                        ctx.trace("zk-broker", "broker " + brokerId + ": /controller and /controller_epoch " + newEpoch
                                + " name it, so its own earlier attempt was applied and only the answer was lost");
                        becomeController(newEpoch, e.stat().version());
                    } else {
                        elect();
                    }
                });
            } else {
                elect();
            }
        });
    }

    private void becomeController(int epoch, int epochZkVersion) {
        // Re-elected with a new epoch: the previous controller of this broker stops first.
        resignController("re-elected with epoch " + epoch);
        learnController(brokerId);
        ctx.trace("zk-broker", "broker " + brokerId + " becomes controller, epoch " + epoch + " (zkVersion " + epochZkVersion + ")");
        plane.controllerActivated(this, epoch);
        controller = new ZkController(this, epoch, epochZkVersion);
        controller.start();
    }

    private void onControllerIs(int id) {
        learnController(id);
        if (id != brokerId && controller != null) {
            resignController("controller is now " + id);
        }
    }

    /** The controller's ControllerChange event: re-read /controller (and run for it if it is gone). */
    void reelectAfterControllerChange() {
        elect();
    }

    void pauseControllerThread(long nanos) {
        if (controller != null) {
            controller.pauseEventThread(nanos);
        }
    }

    void resignController(String why) {
        if (controller != null) {
            controller.resign(why);
            controller = null;
        }
    }

    /**
     * {@code c} learned that it was deposed (ControllerMovedException). It resigns alone: a write of a
     * deposed controller of this broker must not resign the newer one the broker has become since
     * (fuzz zookeeper seed 3140: broker 4 won epoch 3 while its epoch-2 controller still had a write
     * in flight; the failed write resigned the epoch-3 controller, and /controller named a broker that
     * no longer acted, so nobody ran again).
     */
    void resignController(ZkController c, String why) {
        if (controller == c) {
            resignController(why);
        } else {
            c.resign(why);
        }
    }

    // ------------------------------------------------------------------ messages and timers

    @Override
    public boolean onMessage(NodeId from, Message message) {
        if (onControlledShutdownMessage(from, message)) {
            return true;
        }
        if (zk != null && zk.handles(from, message)) {
            zk.onMessage(from, message);
            return true;
        }
        if (message instanceof ConnectionReset r && controller != null) {
            int peer = dev.faultline.core.control.ClusterSpec.brokerIdOf(r.peer().name());
            if (peer >= 0) {
                controller.channel().onConnectionReset(peer); // a broker's process was down: resend
            }
        }
        if (message instanceof ClientPacket || message instanceof ConnectionReset) {
            return true; // a stale ZooKeeper connection or an old session's handle
        }
        if (message instanceof ControllerRequest.Envelope env) {
            if (brokerEpoch < 0) {
                // This process has not registered yet. Kafka's broker enables request processing only
                // after it registered in ZooKeeper (KafkaServer.startup), so the controller, which may
                // learn of the registration from its watch before the broker reads its create
                // response, cannot have its request handled yet: its send thread sees the connection
                // fail and re-sends after its back-off (ControllerChannel). Answering STALE_BROKER_EPOCH
                // here instead would drop the request for good (the controller never re-sends it),
                // and the broker would not lead what ZooKeeper says it leads.
                ctx.send(from, new ConnectionReset(ctx.self()));
                return true;
            }
            ControllerRequest.Outcome outcome = applyControllerRequest(from, env.request());
            ctx.send(from, new ControllerRequest.EnvelopeResponse(env.correlationId(), outcome));
            return true;
        }
        if (message instanceof ControllerRequest.EnvelopeResponse resp) {
            if (controller != null) {
                controller.channel().onResponse(dev.faultline.core.control.ClusterSpec.brokerIdOf(from.name()), resp);
            }
            return true;
        }
        if (message instanceof ControllerRequest.LeaderAndIsr || message instanceof ControllerRequest.UpdateMetadata) {
            applyControllerRequest(from, (ControllerRequest) message);
            return true;
        }
        if (message instanceof dev.faultline.core.control.AdminMessage.CreateTopicsRequest req) {
            onCreateTopics(from, req);
            return true;
        }
        if (message instanceof ControllerRequest.AlterPartition req) {
            if (controller != null && controller.isActive()) {
                controller.onAlterPartition(from, req.correlationId(), req.requests());
            } else {
                List<AlterPartitionResult> results = new java.util.ArrayList<>(req.requests().size());
                for (AlterPartitionRequest r : req.requests()) {
                    results.add(new AlterPartitionResult(r.partition(), Errors.NOT_CONTROLLER, null));
                }
                ctx.send(from, new ControllerRequest.AlterPartitionResponse(req.correlationId(), Errors.NOT_CONTROLLER, results));
            }
            return true;
        }
        if (message instanceof ControllerRequest.AlterPartitionResponse resp) {
            onAlterPartitionResponse(resp);
            return true;
        }
        return false;
    }

    /**
     * CreateTopics (ZooKeeper mode, Kafka's {@code ZkAdminManager.createTopics} on the controller
     * broker's request thread): only the controller accepts it; it writes the topic's assignment
     * znode {@code /brokers/topics/<topic>} (with its {@code partitions} child) through this broker's
     * ZooKeeper session and answers; the controller's child watch on {@code /brokers/topics} does the
     * rest. Any other broker answers NOT_CONTROLLER naming the controller it knows. Simplification:
     * the answer comes when the znode is written, not when the new leaders are in the metadata cache.
     */
    private void onCreateTopics(NodeId from, dev.faultline.core.control.AdminMessage.CreateTopicsRequest req) {
        if (controller == null || !controller.isActive() || zk == null) {
            String hint = activeControllerId >= 0 && activeControllerId != brokerId
                    ? dev.faultline.core.control.ClusterSpec.brokerNodeName(activeControllerId) : null;
            ctx.send(from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(req.correlationId(), req.topic(),
                    Errors.NOT_CONTROLLER, hint));
            return;
        }
        List<Op> ops = List.of(new Op.Create(KafkaZnodes.topicPath(req.topic()), "assignment", CreateMode.PERSISTENT),
                new Op.Create(KafkaZnodes.partitionsPath(req.topic()), "", CreateMode.PERSISTENT));
        zk.multi(ops, r -> {
            Errors error = r.ok() ? Errors.NONE
                    : r.code() == Code.NODEEXISTS || (r.results() != null && !r.results().isEmpty() && r.results().get(0).code() == Code.NODEEXISTS)
                    ? Errors.TOPIC_ALREADY_EXISTS : Errors.REQUEST_TIMED_OUT;
            ctx.trace("zk-broker", "CreateTopics " + req.topic() + ": " + error);
            ctx.send(from, new dev.faultline.core.control.AdminMessage.CreateTopicsResponse(req.correlationId(), req.topic(), error, null));
        });
    }

    /**
     * Applies a controller request's body and returns the error code of the answer. LeaderAndIsr and
     * UpdateMetadata are epoch-checked and logged for KZ-S6; any other request type is handed to
     * {@link #onMessage} as if it had come on its own.
     */
    private ControllerRequest.Outcome applyControllerRequest(NodeId from, ControllerRequest body) {
        if (body instanceof ControllerRequest.LeaderAndIsr req) {
            ControllerRequest.Outcome outcome = accept(req.controllerId(), req.controllerEpoch(), req.brokerEpoch());
            if (outcome == ControllerRequest.Outcome.NONE) {
                plane.checks().controllerRequestApplied(brokerId, "LeaderAndIsr", req.controllerId(), req.controllerEpoch(),
                        req.brokerEpoch(), brokerEpoch);
                var states = req.states();
                int[] before = new int[states.size()];
                for (int i = 0; i < before.length; i++) {
                    before[i] = broker.appliedLeaderEpoch(partitionOf(states, i));
                }
                broker.becomeLeaderOrFollower(states);
                for (int i = 0; i < before.length; i++) {
                    int p = partitionOf(states, i);
                    int after = broker.appliedLeaderEpoch(p);
                    if (after != before[i]) { // KZ-S6 judges changes only: no state object for the others
                        plane.checks().leaderEpochApplied(plane.cluster(), brokerId, states.get(i), before[i], after);
                    }
                }
            }
            return outcome;
        }
        if (body instanceof ControllerRequest.UpdateMetadata req) {
            ControllerRequest.Outcome outcome = accept(req.controllerId(), req.controllerEpoch(), req.brokerEpoch());
            if (outcome == ControllerRequest.Outcome.NONE) {
                plane.checks().controllerRequestApplied(brokerId, "UpdateMetadata", req.controllerId(), req.controllerEpoch(),
                        req.brokerEpoch(), brokerEpoch);
                broker.updateMetadata(req.states());
            }
            return outcome;
        }
        onMessage(from, body);
        return ControllerRequest.Outcome.NONE;
    }

    /** The partition of a request's state {@code i}, without building the state from a compact snapshot. */
    private static int partitionOf(List<dev.faultline.core.control.PartitionState> states, int i) {
        return states instanceof PartitionStates compact ? compact.partition(i) : states.get(i).partition();
    }

    /**
     * STALE_CONTROLLER_EPOCH / STALE_BROKER_EPOCH checks
     * (docs/model.md#broker-registration-and-broker-epoch,
     * docs/model.md#controller-election-and-epoch-fencing).
     */
    private ControllerRequest.Outcome accept(int controllerId, int controllerEpoch, long targetBrokerEpoch) {
        if (controllerEpoch < highestControllerEpochSeen && !ignoreControllerEpoch) {
            ctx.trace("zk-broker", "broker " + brokerId + " rejects controller epoch " + controllerEpoch + " < " + highestControllerEpochSeen);
            return ControllerRequest.Outcome.STALE_CONTROLLER_EPOCH;
        }
        if (targetBrokerEpoch != brokerEpoch) {
            ctx.trace("zk-broker", "broker " + brokerId + " rejects broker epoch " + targetBrokerEpoch + " != " + brokerEpoch);
            return ControllerRequest.Outcome.STALE_BROKER_EPOCH;
        }
        if (controllerEpoch > highestControllerEpochSeen) {
            highestControllerEpochSeen = controllerEpoch;
            plane.failover().brokerLearnedController(brokerId, ctx.now());
        }
        learnController(controllerId);
        return ControllerRequest.Outcome.NONE;
    }

    @Override
    public boolean onTimer(Object tag) {
        if (tag instanceof ControlledShutdownTimer t) {
            onControlledShutdownTimer(t);
            return true;
        }
        if (zk != null && zk.onTimer(tag)) {
            return true;
        }
        if (tag instanceof ZkController.RebalanceTimer t) {
            if (controller != null && controller.epoch() == t.controllerEpoch()) {
                controller.onRebalanceTimer();
            }
            return true;
        }
        if (tag instanceof AlterPartitionTimeout t) {
            if (t.correlationId() == alterBatchId) {
                onAlterPartitionTimeout();
            }
            return true;
        }
        if (tag instanceof AlterPartitionRetry) {
            alterBackingOff = false;
            maybeSendAlterPartition();
            return true;
        }
        if (tag instanceof StartupRetry t) {
            if (t.session() == sessions && !registered) {
                newSession();
            }
            return true;
        }
        if (tag instanceof ControllerChannel.Timer t) {
            if (controller != null && controller.epoch() == t.controllerEpoch()) {
                controller.channel().onTimer(t);
            }
            return true;
        }
        if (tag instanceof ZkController.ResumeEventThread) {
            if (controller != null) {
                controller.resumeEventThread();
            }
            return true;
        }
        return tag instanceof ZkClient.Timer; // an old session's timer
    }

    @Override
    public void alterPartition(AlterPartitionRequest request) {
        // A newer proposal supersedes one queued or in flight: the in-flight one's late answer is discarded.
        alterQueued.put(request.partition(), request);
        maybeSendAlterPartition();
    }

    /**
     * Sends every queued AlterPartition that is not in flight, in one request, to the controller this
     * broker knows, unless a request is in flight or the NOT_CONTROLLER back-off runs (Kafka's
     * {@code AlterPartitionManager.maybePropagateIsrChanges}); with no known controller they stay
     * queued until one is learnt ({@link #learnController}).
     */
    private void maybeSendAlterPartition() {
        if (alterBatchId != 0 || alterBackingOff || activeControllerId < 0 || alterQueued.isEmpty()) {
            return;
        }
        List<AlterPartitionRequest> batch = new java.util.ArrayList<>(alterQueued.size());
        for (AlterPartitionRequest r : alterQueued.values()) {
            batch.add(r);
            alterInFlight.put(r.partition(), r);
        }
        alterBatchId = ++nextCorrelationId;
        alterSentTo = activeControllerId;
        ctx.send(plane.brokerNode(activeControllerId), new ControllerRequest.AlterPartition(alterBatchId, batch));
        ctx.setTimer(new AlterPartitionTimeout(brokerId, alterBatchId), alterPartitionTimeoutNanos());
    }

    private void onAlterPartitionResponse(ControllerRequest.AlterPartitionResponse resp) {
        if (resp.correlationId() != alterBatchId) {
            return; // an answer to a request that timed out: discarded
        }
        ctx.cancelTimer(new AlterPartitionTimeout(brokerId, alterBatchId));
        int sentTo = alterSentTo;
        alterBatchId = 0;
        alterSentTo = -1;
        if (resp.error() == Errors.NOT_CONTROLLER) {
            // The channel absorbs NOT_CONTROLLER: the requests stay queued for the next controller,
            // at once when another one is known, else after retry.backoff.ms.
            alterInFlight.clear();
            if (activeControllerId < 0 || activeControllerId == sentTo) {
                alterBackingOff = true;
                ctx.setTimer(new AlterPartitionRetry(brokerId), retryBackoffNanos());
            }
            maybeSendAlterPartition();
            return;
        }
        for (AlterPartitionResult result : resp.results()) {
            int p = result.partition();
            AlterPartitionRequest sent = alterInFlight.get(p);
            if (sent != null && alterQueued.get(p) == sent) {
                alterQueued.remove(p);
                broker.alterPartitionResponse(result);
            }
        }
        alterInFlight.clear();
        maybeSendAlterPartition();
    }

    /**
     * No answer within the request timeout ({@code controller.socket.timeout.ms}): the channel treats
     * it as a disconnection and sends the same proposals again, as Kafka's broker-to-controller
     * channel does for AlterPartition (its retry time-out is unbounded, so the leader never sees a
     * time-out). The leader keeps its proposal pending, and with it the maximal ISR that holds the
     * high watermark back: a leader that gave up could advance the high watermark without the joining
     * follower while the controller, which may still have the first copy queued, writes that follower
     * into the ISR (DP-S6; seen in a cold 100,000-partition ZooKeeper-mode start whose controller took
     * longer than 30 s to answer). The first copy's late answer is discarded; the second one's answer
     * (INVALID_UPDATE_VERSION with the state written, if the first copy was applied) settles it.
     */
    private void onAlterPartitionTimeout() {
        ctx.trace("zk-broker", "broker " + brokerId + " AlterPartition for " + alterInFlight.size() + " partition(s) timed out; sent again");
        alterBatchId = 0;
        alterSentTo = -1;
        alterInFlight.clear();
        maybeSendAlterPartition();
    }

    /**
     * The broker learnt the active controller (the {@code /controller} watch, a controller request,
     * or its own election). Like the channel manager's controller-node provider, a change makes the
     * AlterPartitions waiting for a controller (or for their back-off after NOT_CONTROLLER) go to
     * the new one at once; a request in flight waits for its answer or timeout.
     */
    private void learnController(int id) {
        boolean changed = id != activeControllerId;
        activeControllerId = id;
        if (!changed || id < 0) {
            return;
        }
        if (alterBackingOff) {
            alterBackingOff = false;
            ctx.cancelTimer(new AlterPartitionRetry(brokerId));
        }
        maybeSendAlterPartition();
    }

    /**
     * The back-off before an AlterPartition answered NOT_CONTROLLER goes again to the same
     * controller: {@code retry.backoff.ms} (100). Simplification: Kafka's channel disconnects and
     * waits for its metadata to name a controller, reconnecting after {@code reconnect.backoff.ms};
     * the model waits one fixed back-off (a newly learnt controller is tried at once).
     */
    private long retryBackoffNanos() {
        return Long.parseLong(plane.cluster().config().getString("retry.backoff.ms", "100"))
                * dev.faultline.core.kernel.Time.MILLISECOND;
    }

    /** The back-off timer of the queued AlterPartitions after NOT_CONTROLLER. */
    record AlterPartitionRetry(int brokerId) {
    }

    /**
     * The AlterPartition request timeout: {@code controller.socket.timeout.ms} (default 30000), the
     * request timeout of the broker-to-controller channel. A request or response lost on the way
     * (a partition drops it silently, with no connection reset) is noticed only then. Kafka's
     * channel manager then disconnects and re-sends the queued request to the controller it finds,
     * and so does the model ({@link #onAlterPartitionTimeout}). Without the timeout a lost AlterPartition left the leader waiting forever, so it never
     * shrank its ISR again (fuzz zookeeper seed 20, DP-L1).
     */
    private long alterPartitionTimeoutNanos() {
        return Long.parseLong(plane.cluster().config().getString("controller.socket.timeout.ms", "30000"))
                * dev.faultline.core.kernel.Time.MILLISECOND;
    }

    /** The timeout of this broker's AlterPartition request {@code correlationId}. */
    record AlterPartitionTimeout(int brokerId, long correlationId) {
    }

    @Override
    public long brokerEpoch() {
        return brokerEpoch;
    }

    // ------------------------------------------------------------------ controlled shutdown (docs/model.md#controlled-shutdown)

    /** The broker's wish to exit, while its controlled shutdown runs; {@code null} otherwise. */
    private Runnable shutdownReady;
    /** Attempts left ({@code controlled.shutdown.max.retries} at the start). */
    private int shutdownAttemptsLeft;
    /** The correlation id of the ControlledShutdown in flight, or 0. */
    private long shutdownInFlight;
    /** The controller the request in flight went to. */
    private int shutdownSentTo = -1;
    /** The session is being closed for the exit: no more registration or election. */
    private boolean exiting;

    /** Timer of the controlled shutdown: the request timeout ({@code correlationId > 0}) or the retry back-off (0). */
    record ControlledShutdownTimer(int brokerId, long correlationId) {
    }

    /**
     * {@code KafkaServer.controlledShutdown}: up to {@code controlled.shutdown.max.retries} (3)
     * attempts, each a ControlledShutdown(brokerId, brokerEpoch) to the controller this broker
     * knows, answered within {@code controller.socket.timeout.ms}. An attempt fails when no
     * controller is known, the connection breaks, the request times out, the controller answers an
     * error or names partitions this broker still leads; after a failed attempt the broker waits
     * {@code controlled.shutdown.retry.backoff.ms} (5000) if attempts are left, else it shuts down
     * anyway. With {@code controlled.shutdown.enable=false} it exits at once.
     */
    @Override
    public void controlledShutdown(Runnable readyToStop) {
        shutdownReady = readyToStop;
        var config = plane.cluster().config();
        if (!config.getBoolean("controlled.shutdown.enable")) {
            exit("controlled.shutdown.enable is false");
            return;
        }
        shutdownAttemptsLeft = config.getInt("controlled.shutdown.max.retries");
        attemptControlledShutdown();
    }

    private void attemptControlledShutdown() {
        shutdownAttemptsLeft--;
        if (activeControllerId < 0 || !registered) {
            controlledShutdownAttemptFailed("no controller known");
            return;
        }
        long correlationId = ++nextCorrelationId;
        shutdownInFlight = correlationId;
        shutdownSentTo = activeControllerId;
        ctx.trace("zk-broker", "broker " + brokerId + " sends ControlledShutdown (broker epoch " + brokerEpoch + ") to controller "
                + activeControllerId);
        ctx.send(plane.brokerNode(activeControllerId), new ControllerRequest.ControlledShutdown(correlationId, brokerId, brokerEpoch));
        ctx.setTimer(new ControlledShutdownTimer(brokerId, correlationId),
                plane.cluster().config().getMillisAsNanos("controller.socket.timeout.ms"));
    }

    private void controlledShutdownAttemptFailed(String why) {
        shutdownInFlight = 0;
        if (shutdownAttemptsLeft > 0) {
            long backoff = plane.cluster().config().getMillisAsNanos("controlled.shutdown.retry.backoff.ms");
            ctx.trace("zk-broker", "broker " + brokerId + " controlled shutdown attempt failed (" + why + "); retrying in "
                    + dev.faultline.core.kernel.Time.format(backoff));
            ctx.setTimer(new ControlledShutdownTimer(brokerId, 0), backoff);
        } else {
            exit("controlled shutdown failed (" + why + "), retries exhausted: shutting down anyway");
        }
    }

    private void onControlledShutdownTimer(ControlledShutdownTimer t) {
        if (shutdownReady == null) {
            return;
        }
        if (t.correlationId() == 0) {
            attemptControlledShutdown();
        } else if (t.correlationId() == shutdownInFlight) {
            controlledShutdownAttemptFailed("no answer within controller.socket.timeout.ms");
        }
    }

    /** Controlled-shutdown traffic; returns whether the message was consumed. */
    private boolean onControlledShutdownMessage(NodeId from, Message message) {
        if (message instanceof ControllerRequest.ControlledShutdown req) {
            if (controller != null && controller.isActive()) {
                controller.onControlledShutdown(from, req.correlationId(), req.brokerId(), req.brokerEpoch());
            } else {
                ctx.send(from, new ControllerRequest.ControlledShutdownResponse(req.correlationId(), Errors.NOT_CONTROLLER,
                        it.unimi.dsi.fastutil.ints.IntList.of()));
            }
            return true;
        }
        if (message instanceof ControllerRequest.ControlledShutdownResponse resp) {
            if (shutdownReady == null || resp.correlationId() != shutdownInFlight) {
                return true; // late answer to an attempt that timed out
            }
            ctx.cancelTimer(new ControlledShutdownTimer(brokerId, shutdownInFlight));
            if (resp.error() == Errors.NONE && resp.partitionsRemaining().isEmpty()) {
                shutdownInFlight = 0;
                exit("controlled shutdown succeeded");
            } else {
                controlledShutdownAttemptFailed(resp.error() != Errors.NONE ? resp.error().name()
                        : resp.partitionsRemaining().size() + " partitions still led");
            }
            return true;
        }
        if (message instanceof ControllerRequest.StopReplica req) {
            // STALE_CONTROLLER_EPOCH / STALE_BROKER_EPOCH as for LeaderAndIsr.
            if (req.controllerEpoch() >= highestControllerEpochSeen && req.brokerEpoch() == brokerEpoch) {
                broker.stopReplicas(req.partitions());
            }
            return true;
        }
        if (message instanceof ConnectionReset reset && shutdownInFlight != 0 && shutdownSentTo >= 0
                && reset.peer().equals(plane.brokerNode(shutdownSentTo))) {
            ctx.cancelTimer(new ControlledShutdownTimer(brokerId, shutdownInFlight));
            controlledShutdownAttemptFailed("connection to controller " + shutdownSentTo + " lost");
            return false; // the rest of the agent sees the reset too
        }
        return false;
    }

    /**
     * The process may exit: the controller it runs (if any) resigns, the ZooKeeper session is closed
     * explicitly (closeSession, so {@code /brokers/ids/<id>} and a {@code /controller} it owns go away
     * at once; docs/model.md#controlled-shutdown: a clean shutdown deletes the node at once), and
     * the broker is told it may stop.
     */
    private void exit(String why) {
        ctx.trace("zk-broker", "broker " + brokerId + " exits: " + why);
        exiting = true;
        resignController("shutting down");
        if (zk != null && zk.state().isAlive()) {
            zk.close();
        }
        Runnable ready = shutdownReady;
        shutdownReady = null;
        ready.run();
    }

    // ------------------------------------------------------------------ for the controller and the plane

    ZkControlPlane plane() {
        return plane;
    }

    int brokerId() {
        return brokerId;
    }

    NodeContext context() {
        return ctx;
    }

    ZkClient zk() {
        return zk;
    }

    /** Whether this broker holds a registration under its current session (omniscient read for KZ-L2). */
    boolean isRegistered() {
        return registered;
    }

    /** Whether this broker's controller event thread is paused (omniscient read for KZ-L2). */
    boolean isControllerThreadPaused() {
        return controller != null && controller.isThreadPaused();
    }

    /** Whether this agent's controller is active and finished its failover load (omniscient read for KZ-L1). */
    boolean isReadyController() {
        return controller != null && controller.isActive() && controller.isReady();
    }

    /** Whether this agent's controller is active (omniscient read for the plane). */
    boolean isActiveController() {
        return controller != null && controller.isActive();
    }

    /** Whether this agent's controller has an event in progress or queued (omniscient read for DP-L1). */
    boolean isControllerBusy() {
        return controller != null && controller.isBusy();
    }

    int controllerEpoch() {
        return controller == null ? -1 : controller.epoch();
    }
}
