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
    /** The ISR changes this broker's partition leaders propose to the controller. */
    private final AlterPartitionManager alterPartitions = new AlterPartitionManager(this);
    private long nextCorrelationId;
    private ZkController controller;

    /** Applies the controller's LeaderAndIsr, UpdateMetadata and StopReplica (epoch-checked). */
    private final ControllerRequestHandler requestHandler;
    /**
     * Planted bug {@code zkBroker.ignoreControllerDeletion} (test switch for KZ-L1; it reverts no
     * historical fix): a broker that is not the controller does not run for election when
     * {@code /controller} is deleted, so once the controller dies nobody replaces it (brokers still
     * elect at startup and after a new session).
     */
    private final boolean ignoreControllerDeletion;
    /** The {@code /controller} election this broker runs. */
    private final ControllerElection election;

    ZkBrokerAgent(ZkControlPlane plane, int brokerId) {
        this.plane = plane;
        this.brokerId = brokerId;
        this.requestHandler = new ControllerRequestHandler(this,
                Boolean.parseBoolean(plane.cluster().config().getString("zkBroker.ignoreControllerEpoch", "false")));
        this.ignoreControllerDeletion = Boolean.parseBoolean(plane.cluster().config().getString("zkBroker.ignoreControllerDeletion", "false"));
        this.election = new ControllerElection(this, ZkModeBugs.of(plane.cluster()));
    }

    @Override
    public void start(BrokerHandle handle) {
        this.broker = handle;
        this.ctx = handle.context();
        alterPartitions.reset();
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
        requestHandler.warm(warm.controllerEpoch());
        learnController(warm.controllerId());
        ctx.trace("zk-broker", "broker " + brokerId + " warm start: session 0x" + Long.toHexString(warm.sessionId()) + ", broker epoch "
                + brokerEpoch + ", controller " + warm.controllerId() + " (epoch " + warm.controllerEpoch() + ")");
        if (warm.controllerId() == brokerId) {
            plane.controllerActivated(this, warm.controllerEpoch());
            controller = ZkController.warm(this, warm.controllerEpoch(), warm.epochZkVersion(), plane.warmBrokerEpochs());
            plane.controllersChanged();
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

    /** {@code elect()} ({@link ControllerElection}); not while the broker exits. */
    private void elect() {
        if (!exiting) {
            election.elect();
        }
    }

    /** This broker won {@code /controller} with {@code epoch}: it runs a controller. */
    void becomeController(int epoch, int epochZkVersion) {
        // Re-elected with a new epoch: the previous controller of this broker stops first.
        resignController("re-elected with epoch " + epoch);
        learnController(brokerId);
        ctx.trace("zk-broker", "broker " + brokerId + " becomes controller, epoch " + epoch + " (zkVersion " + epochZkVersion + ")");
        plane.controllerActivated(this, epoch);
        controller = new ZkController(this, epoch, epochZkVersion);
        plane.controllersChanged();
        controller.start();
    }

    /** {@code /controller} names broker {@code id}: learn it; a controller this broker still runs resigns. */
    void onControllerIs(int id) {
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
            plane.controllersChanged();
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
            alterPartitions.onResponse(resp);
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
     * Applies a controller request's body and returns the error code of the answer: LeaderAndIsr and
     * UpdateMetadata through {@link ControllerRequestHandler}; any other request type is handed to
     * {@link #onMessage} as if it had come on its own.
     */
    private ControllerRequest.Outcome applyControllerRequest(NodeId from, ControllerRequest body) {
        ControllerRequest.Outcome outcome = requestHandler.apply(body);
        if (outcome != null) {
            return outcome;
        }
        onMessage(from, body);
        return ControllerRequest.Outcome.NONE;
    }

    @Override
    public boolean onTimer(Object tag) {
        if (tag instanceof ControlledShutdownTimer t) {
            shutdown.onTimer(t);
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
            alterPartitions.onTimeout(t.correlationId());
            return true;
        }
        if (tag instanceof AlterPartitionRetry) {
            alterPartitions.onRetry();
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
        alterPartitions.propose(request);
    }

    /**
     * The broker learnt the active controller (the {@code /controller} watch, a controller request,
     * or its own election); a change sends the queued AlterPartitions to it.
     */
    void learnController(int id) {
        boolean changed = id != activeControllerId;
        activeControllerId = id;
        if (changed && id >= 0) {
            alterPartitions.onControllerChanged();
        }
    }

    /** The back-off timer of the queued AlterPartitions after NOT_CONTROLLER ({@link AlterPartitionManager}). */
    record AlterPartitionRetry(int brokerId) {
    }

    /** The timeout of this broker's AlterPartition request {@code correlationId} ({@link AlterPartitionManager}). */
    record AlterPartitionTimeout(int brokerId, long correlationId) {
    }

    @Override
    public long brokerEpoch() {
        return brokerEpoch;
    }

    // ------------------------------------------------------------------ controlled shutdown (docs/model.md#controlled-shutdown)

    /** This broker's side of controlled shutdown. */
    private final ControlledShutdownClient shutdown = new ControlledShutdownClient(this);
    /** The session is being closed for the exit: no more registration or election. */
    private boolean exiting;

    /** Timer of the controlled shutdown: the request timeout ({@code correlationId > 0}) or the retry back-off (0). */
    record ControlledShutdownTimer(int brokerId, long correlationId) {
    }

    /** {@code KafkaServer.controlledShutdown} ({@link ControlledShutdownClient}). */
    @Override
    public void controlledShutdown(Runnable readyToStop) {
        shutdown.start(readyToStop);
    }

    /**
     * Controlled-shutdown traffic for the controller this broker runs (a ControlledShutdown) or for
     * this broker (StopReplica, the answer to its own request); returns whether the message was
     * consumed.
     */
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
        if (message instanceof ControllerRequest.StopReplica req) {
            // STALE_CONTROLLER_EPOCH / STALE_BROKER_EPOCH as for LeaderAndIsr.
            requestHandler.stopReplica(req);
            return true;
        }
        return shutdown.onMessage(from, message);
    }

    /**
     * The process may exit: the controller it runs (if any) resigns and the ZooKeeper session is
     * closed explicitly (closeSession, so {@code /brokers/ids/<id>} and a {@code /controller} it owns
     * go away at once; docs/model.md#controlled-shutdown: a clean shutdown deletes the node at once);
     * the caller then tells the broker it may stop.
     */
    void exit(String why) {
        ctx.trace("zk-broker", "broker " + brokerId + " exits: " + why);
        exiting = true;
        resignController("shutting down");
        if (zk != null && zk.state().isAlive()) {
            zk.close();
        }
    }

    // ------------------------------------------------------------------ for the controller and the plane

    /** The controller this broker knows, or -1. */
    int activeControllerId() {
        return activeControllerId;
    }

    /** The next correlation id of this broker's requests to the controller. */
    long nextCorrelationId() {
        return ++nextCorrelationId;
    }

    BrokerHandle handle() {
        return broker;
    }

    /** Whether this broker runs a controller (active or not yet resigned). */
    boolean hasController() {
        return controller != null;
    }

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
