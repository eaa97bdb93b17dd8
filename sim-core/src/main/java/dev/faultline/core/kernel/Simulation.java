package dev.faultline.core.kernel;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.core.check.Violation;
import dev.faultline.core.check.catalog.InvariantCatalog;
import dev.faultline.core.check.classify.Evidence;
import dev.faultline.core.net.Network;
import dev.faultline.core.storage.Storage;
import dev.faultline.core.trace.RunResult;
import dev.faultline.core.trace.Tracer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The deterministic discrete-event kernel: one seeded, single-threaded event loop with a virtual
 * clock, driving nodes over a simulated network
 * (docs/architecture.md#event-loop-and-virtual-clock).
 *
 * <ul>
 *   <li><b>Order.</b> Events run in (time, sequence) order; the sequence is a global counter, so
 *       ties resolve in insertion order and every run is a total order.</li>
 *   <li><b>CPU.</b> Each node is a single server. A handler declares its work; the node stays busy
 *       that long (times its slow factor); events that arrive meanwhile wait in its inbox, in
 *       order; messages the handler sent leave when the work ends.</li>
 *   <li><b>Lifecycle.</b> {@link #crash} discards the process (storage and its page cache stay),
 *       {@link #powerLoss} also loses unsynced writes, {@link #restart} builds a fresh process from
 *       storage, {@link #pause} holds timers and messages until {@link #resume}, {@link #wipeDisk}
 *       loses the disk.</li>
 *   <li><b>Limits.</b> Every run stops: at a virtual time, an event budget, quiescence, or the
 *       first invariant violation.</li>
 * </ul>
 *
 * <p>Nothing here reads a wall clock, starts a thread or draws unseeded randomness.
 */
public final class Simulation implements CheckContext {
    private static final int K_START = 0;
    private static final int K_MESSAGE = 1;
    static final int K_TIMER = 2;
    private static final int ANY_INCARNATION = -1;

    private final long seed;
    private final RandomStreams randoms;
    private final EventQueue queue = new EventQueue();
    private final Network network;
    final Tracer tracer;
    private final List<NodeSlot> slots = new ArrayList<>();
    final Map<String, NodeId> byName = new HashMap<>();
    private final AfterEventChecks checks = new AfterEventChecks();

    long now;
    private long sequence;
    /** Bumped whenever a process starts, stops, pauses or resumes (watchers compare it instead of polling every node). */
    private long lifecycleVersion;
    long eventIndex;
    private boolean crashSendsReset = true;
    private long defaultFsyncLatencyNanos = Time.MILLISECOND;

    // The handler running now, its declared work and the messages it sent (they leave when the work ends).
    NodeSlot current;
    long currentWork;
    final ArrayList<Object> pendingSends = new ArrayList<>();
    private final long[] arrivals = new long[2];

    public Simulation(long seed) {
        this.seed = seed;
        this.randoms = new RandomStreams(seed);
        this.network = new Network(randoms.stream("network"));
        this.tracer = new Tracer(this::nameOf);
    }

    // ------------------------------------------------------------------ accessors

    public long seed() {
        return seed;
    }

    /** True virtual time in nanoseconds. */
    @Override
    public long now() {
        return now;
    }

    /** Index of the last event processed. */
    @Override
    public long eventIndex() {
        return eventIndex;
    }

    /** The named random stream (derived from the seed and the name only). */
    public SimRandom random(String stream) {
        return randoms.stream(stream);
    }

    public Network network() {
        return network;
    }

    public Tracer tracer() {
        return tracer;
    }

    /** Number of events still pending (cancelled timers included until they are skipped). */
    public int pendingEvents() {
        return queue.size();
    }

    /**
     * Whether a message reaching a crashed process makes its host answer with a
     * {@link ConnectionReset} (docs/architecture.md#processes-and-lifecycle; default true).
     * Powered-off hosts never answer.
     */
    public void setCrashSendsReset(boolean value) {
        this.crashSendsReset = value;
    }

    /** The fsync latency given to nodes added from now on (default 1 ms). */
    public void setDefaultFsyncLatency(long nanos) {
        this.defaultFsyncLatencyNanos = nanos;
    }

    // ------------------------------------------------------------------ nodes

    /** Adds a node (not started). Names are unique. */
    public NodeId addNode(String name, NodeFactory factory) {
        if (byName.containsKey(name)) {
            throw new IllegalArgumentException("a node named '" + name + "' already exists");
        }
        NodeId id = new NodeId(slots.size(), name);
        NodeSlot slot = new NodeSlot(id, factory, new Storage(defaultFsyncLatencyNanos), randoms.stream("node:" + name));
        slots.add(slot);
        byName.put(name, id);
        network.ensureCapacity(slots.size());
        return id;
    }

    /** How many nodes were added (node {@code i} of {@link #nodes()} has index {@code i}); cheap, for per-event checks. */
    public int nodeCount() {
        return slots.size();
    }

    /** All nodes in the order they were added. */
    public List<NodeId> nodes() {
        List<NodeId> out = new ArrayList<>(slots.size());
        for (NodeSlot s : slots) {
            out.add(s.id);
        }
        return out;
    }

    /** The node with this name, or {@code null}. */
    public NodeId node(String name) {
        return byName.get(name);
    }

    private String nameOf(int index) {
        return index < 0 || index >= slots.size() ? "-" : slots.get(index).id.name();
    }

    /** The node's running process, or {@code null} while it is down. For invariants and tests: read only. */
    public Node process(NodeId id) {
        return slots.get(id.index()).node;
    }

    /** The node's running process as {@code type}, or {@code null} while it is down. */
    public <T> T process(NodeId id, Class<T> type) {
        Node n = slots.get(id.index()).node;
        return n == null ? null : type.cast(n);
    }

    public boolean isUp(NodeId id) {
        return slots.get(id.index()).node != null;
    }

    public boolean isPaused(NodeId id) {
        return slots.get(id.index()).paused;
    }

    public Storage storage(NodeId id) {
        return slots.get(id.index()).storage;
    }

    /** How many times this node's process has been started. */
    public int incarnation(NodeId id) {
        return slots.get(id.index()).incarnation;
    }

    /** Sets the node's clock offset and drift (parts per million); it reads only its own clock. */
    public void setClock(NodeId id, long offsetNanos, long driftPpm) {
        if (driftPpm <= -1_000_000) {
            throw new IllegalArgumentException("drift must be above -1,000,000 ppm");
        }
        NodeSlot s = slots.get(id.index());
        s.clockOffset = offsetNanos;
        s.driftPpm = driftPpm;
    }

    /** What the node's own clock reads now. */
    public long localTime(NodeId id) {
        return slots.get(id.index()).localTime(now);
    }

    /** Every declared work on this node takes {@code factor} times as long (a GC-heavy or slow host). */
    public void setSlowFactor(NodeId id, double factor) {
        if (!(factor > 0)) {
            throw new IllegalArgumentException("slow factor must be positive: " + factor);
        }
        slots.get(id.index()).slowFactor = factor;
    }

    /** The node's slow factor ({@link #setSlowFactor}; 1.0 unless a fault slowed it). */
    public double slowFactor(NodeId id) {
        return slots.get(id.index()).slowFactor;
    }

    /**
     * A number that changes whenever any process starts, stops (crash, power loss, clean stop),
     * pauses or resumes, or a disk loses its unsynced writes or everything: a watcher of liveness
     * compares it after each event instead of looking at every node.
     */
    public long lifecycleVersion() {
        return lifecycleVersion;
    }

    /** Until when the node is busy with declared work. */
    public long busyUntil(NodeId id) {
        return slots.get(id.index()).busyUntil;
    }

    // ------------------------------------------------------------------ lifecycle

    /** Starts every node that is not running, in the order they were added. */
    public void startAll() {
        for (NodeSlot s : slots) {
            if (s.node == null) {
                start(s.id);
            }
        }
    }

    /** Starts a stopped node: a fresh process built from its storage, then {@code onStart}. */
    public void start(NodeId id) {
        NodeSlot s = slots.get(id.index());
        if (s.node != null) {
            throw new IllegalStateException(id + " is already running");
        }
        s.incarnation++;
        lifecycleVersion++;
        s.poweredOff = false;
        s.busyUntil = now;
        s.context = new SlotContext(this, s, s.incarnation);
        s.node = s.factory.create(s.context);
        beginEvent();
        tracer.lifecycle(now, eventIndex, s.id.index(), s.incarnation == 1 ? "start" : "restart");
        execute(s, K_START, -1, null);
    }

    /** The process dies: volatile state, timers and queued work are gone; the disk and its page cache stay. */
    public void crash(NodeId id) {
        stopProcess(slots.get(id.index()), "crash");
    }

    /**
     * The process exits cleanly (after a controlled shutdown): for the kernel like a crash (volatile
     * state, timers and queued work gone; connections closed; disk and page cache kept), traced as
     * {@code stop}. What the process released before exiting (a ZooKeeper session it closed) is the
     * process's own business.
     */
    public void stop(NodeId id) {
        stopProcess(slots.get(id.index()), "stop");
    }

    /** The host loses power: like a crash, and every unsynced write is lost. */
    public void powerLoss(NodeId id) {
        NodeSlot s = slots.get(id.index());
        stopProcess(s, "power-loss");
        s.poweredOff = true;
        s.storage.powerLoss();
        lifecycleVersion++; // its disk changed too: watchers re-read it
    }

    /** Restarts a node; a running node is crashed first. */
    public void restart(NodeId id) {
        if (isUp(id)) {
            crash(id);
        }
        start(id);
    }

    /** The disk is lost (replaced by an empty one); a running node is crashed first. */
    public void wipeDisk(NodeId id) {
        NodeSlot s = slots.get(id.index());
        if (s.node != null) {
            stopProcess(s, "crash");
        }
        s.storage.wipe();
        lifecycleVersion++; // its disk changed: watchers re-read it
        beginEvent();
        tracer.lifecycle(now, eventIndex, s.id.index(), "wipe-disk");
    }

    /** A stop-the-world pause: nothing runs on the node; its timers and messages wait, in order. */
    public void pause(NodeId id) {
        NodeSlot s = slots.get(id.index());
        if (s.node == null || s.paused) {
            return;
        }
        s.paused = true;
        lifecycleVersion++;
        beginEvent();
        tracer.lifecycle(now, eventIndex, s.id.index(), "pause");
    }

    /** Ends a pause: what waited runs now, in arrival order. */
    public void resume(NodeId id) {
        NodeSlot s = slots.get(id.index());
        if (!s.paused) {
            return;
        }
        s.paused = false;
        lifecycleVersion++;
        beginEvent();
        tracer.lifecycle(now, eventIndex, s.id.index(), "resume");
        if (!s.inbox.isEmpty()) {
            ensureWakeup(s);
        }
        checkInvariants();
    }

    private void stopProcess(NodeSlot s, String how) {
        if (s.node == null) {
            return;
        }
        if (crashSendsReset && (how.equals("crash") || how.equals("stop"))) {
            closeConnections(s);
        }
        s.peers.clear();
        lifecycleVersion++;
        s.node = null;
        s.context = null;
        s.paused = false;
        // A wakeup scheduled for the dead incarnation returns early without clearing this flag.
        s.wakeupPending = false;
        s.inbox.clear();
        s.timers.clear();
        s.busyUntil = now;
        s.incarnation++;
        beginEvent();
        tracer.lifecycle(now, eventIndex, s.id.index(), how);
        checkInvariants();
    }

    /**
     * The process died but its host is up: the host's TCP stack closes every connection the
     * process had, so each peer it exchanged messages with learns it at once: a
     * {@link ConnectionReset} travels the link after the data already in flight, unless a partition
     * cuts it or a link fault drops it. A power loss or a pause closes nothing: peers find out by
     * timeouts.
     */
    private void closeConnections(NodeSlot s) {
        for (int peer = s.peers.nextSetBit(0); peer >= 0; peer = s.peers.nextSetBit(peer + 1)) {
            if (slots.get(peer).node != null) {
                // Through the link like any segment: after the data already in flight (FIFO).
                transmit(s.id.index(), peer, new ConnectionReset(s.id));
            }
        }
    }

    // ------------------------------------------------------------------ control events

    /**
     * Schedules an action of the world outside the nodes (a fault, a workload step, a liveness
     * check) at an absolute virtual time. Actions at the same instant run in scheduling order.
     */
    public void schedule(long atNanos, Runnable action) {
        if (atNanos < now) {
            throw new IllegalArgumentException("cannot schedule in the past: " + Time.format(atNanos) + " < " + Time.format(now));
        }
        push(atNanos, new ActionEvent(action));
    }

    /** Records a fault (or any world action) in the trace and the fingerprint. */
    public void traceFault(String description) {
        beginEvent();
        tracer.fault(now, eventIndex, description);
    }

    // ------------------------------------------------------------------ invariants

    public void addInvariant(Invariant invariant) {
        checks.add(invariant);
    }

    /**
     * Adds an observer, run after every event in one order with the invariants (an observer and
     * an invariant run in the order they were added; none runs after a violation in that event).
     */
    public void addObserver(Observer observer) {
        checks.add(observer);
    }

    /** The first violation, or {@code null}. */
    public Violation violation() {
        return checks.violation();
    }

    /**
     * Judges violations against {@code catalog} instead of the standard one (for checks that are not
     * part of this build, such as a test's own invariant).
     */
    public void useCatalog(InvariantCatalog catalog) {
        checks.useCatalog(catalog);
    }

    /** {@inheritDoc} An id that is not in the invariant catalogue is an error: every checker reports through it. */
    @Override
    public void fail(String invariant, String message, NodeId... nodes) {
        checks.fail(invariant, message, List.of(), nodes, now, eventIndex, seed, tracer);
    }

    @Override
    public void fail(String invariant, String message, List<Evidence> evidence, NodeId... nodes) {
        checks.fail(invariant, message, evidence, nodes, now, eventIndex, seed, tracer);
    }

    @Override
    public void excused(String invariant, String message, List<Evidence> evidence, NodeId... nodes) {
        checks.excused(invariant, message, evidence, nodes, now, eventIndex, seed, tracer);
    }

    /** The cases a classification rule excused (HAZARD or EXPECTED): the first of each invariant and evidence. */
    public List<Violation> excused() {
        return checks.excused();
    }

    void checkInvariants() {
        checks.run(this);
    }

    // ------------------------------------------------------------------ running

    /** Runs until virtual time {@code untilNanos}, an absolute event budget, quiescence or a violation. */
    public RunResult run(long untilNanos, long maxEvents) {
        RunResult.StopReason reason;
        while (true) {
            if (checks.violation() != null) {
                reason = RunResult.StopReason.VIOLATION;
                break;
            }
            if (queue.isEmpty()) {
                reason = RunResult.StopReason.QUIESCENT;
                break;
            }
            long t = queue.peekTime();
            if (t > untilNanos) {
                now = Math.max(now, untilNanos);
                reason = RunResult.StopReason.TIME_LIMIT;
                break;
            }
            if (eventIndex >= maxEvents) {
                reason = RunResult.StopReason.EVENT_LIMIT;
                break;
            }
            EventQueue.Event e = queue.pop();
            now = t;
            e.fire(this);
        }
        return new RunResult(seed, reason, eventIndex, now, tracer.fingerprint(), checks.violation());
    }

    /** Runs for a span of virtual time from now. */
    public RunResult runFor(long durationNanos) {
        return run(Math.addExact(now, durationNanos), Long.MAX_VALUE);
    }

    /** Runs until nothing is left to happen (or the time limit). */
    public RunResult runUntilQuiescent(long untilNanos) {
        return run(untilNanos, Long.MAX_VALUE);
    }

    // ------------------------------------------------------------------ internals

    void push(long time, EventQueue.Event e) {
        queue.push(time, sequence++, e);
    }

    private void beginEvent() {
        eventIndex++;
        lastEventNode = null;
    }

    /** See {@link #lastEventNode()}. */
    private NodeId lastEventNode;

    /**
     * The node whose process handled the event just processed (a message, a timer, its start), or
     * {@code null} after a kernel event (a message dropped, a process stopped or resumed). For
     * per-event checks that re-read only what that event could have changed: a process's state
     * changes only in its own events.
     */
    public NodeId lastEventNode() {
        return lastEventNode;
    }

    void dispatch(NodeSlot s, int kind, int from, Object payload) {
        if (s.paused || now < s.busyUntil || !s.inbox.isEmpty()) {
            s.inbox.addLast(new NodeSlot.Held(kind, from, payload));
            ensureWakeup(s);
            return;
        }
        execute(s, kind, from, payload);
    }

    void ensureWakeup(NodeSlot s) {
        if (s.wakeupPending || s.paused) {
            return;
        }
        s.wakeupPending = true;
        push(Math.max(now, s.busyUntil), new WakeupEvent(s, s.incarnation));
    }

    void execute(NodeSlot s, int kind, int from, Object payload) {
        if (kind == K_TIMER) {
            TimerEvent t = (TimerEvent) payload;
            if (t.cancelled) {
                return;
            }
            // The map forgets a timer once it fired, so tags that are never re-armed (a request's
            // timeout by correlation id) do not pile up.
            t.fired = true;
            s.timers.remove(t.tag, t);
        }
        if (kind != K_START) {
            beginEvent();
            if (kind == K_MESSAGE) {
                tracer.delivered(now, eventIndex, from, s.id.index(), payload);
            } else {
                tracer.timer(now, eventIndex, s.id.index(), ((TimerEvent) payload).tag);
            }
        }
        current = s;
        lastEventNode = s.id;
        currentWork = 0;
        try {
            switch (kind) {
                case K_START: s.node.onStart(); break;
                case K_MESSAGE: s.node.onMessage(slots.get(from).id, (Message) payload); break;
                default: s.node.onTimer(((TimerEvent) payload).tag); break;
            }
        } catch (RuntimeException e) {
            current = null;
            pendingSends.clear();
            throw new SimulationException("node " + s.id + " failed at t=" + Time.format(now) + ", event " + eventIndex
                    + ", seed " + seed + ": " + e, e);
        }
        current = null;
        long departure = now;
        if (currentWork > 0) {
            long busy = s.slowFactor == 1.0 ? currentWork : (long) Math.ceil(currentWork * s.slowFactor);
            s.busyUntil = now + busy;
            departure = s.busyUntil;
            tracer.busy(now, eventIndex, s.id.index(), busy);
        }
        int sends = pendingSends.size();
        if (sends > 0) {
            for (int i = 0; i < sends; i += 2) {
                NodeId to = (NodeId) pendingSends.get(i);
                Message m = (Message) pendingSends.get(i + 1);
                if (departure == now) {
                    transmit(s.id.index(), to.index(), m);
                } else {
                    push(departure, new DepartureEvent(s, s.incarnation, to.index(), m));
                }
            }
            pendingSends.clear();
        }
        checkInvariants();
    }

    void transmit(int from, int to, Message m) {
        if (network.isCut(from, to)) {
            beginEvent();
            tracer.dropped(now, eventIndex, from, to, m, "partition");
            return;
        }
        slots.get(from).peers.set(to);
        int copies = network.route(from, to, m, now, arrivals);
        if (copies == 0) {
            beginEvent();
            tracer.dropped(now, eventIndex, from, to, m, "link-drop");
            return;
        }
        // A message sent to a running process is lost if that process dies before it arrives (its
        // connection is gone); one sent to a stopped node reaches whichever process is up on arrival.
        NodeSlot dest = slots.get(to);
        int toIncarnation = dest.node == null ? ANY_INCARNATION : dest.incarnation;
        for (int i = 0; i < copies; i++) {
            push(arrivals[i], new DeliveryEvent(from, to, toIncarnation, m));
        }
    }

    void arrive(DeliveryEvent d) {
        NodeSlot dest = slots.get(d.to);
        if (network.isCut(d.from, d.to)) {
            beginEvent();
            tracer.dropped(now, eventIndex, d.from, d.to, d.message, "partition");
            checkInvariants();
            return;
        }
        if (dest.node == null || (d.toIncarnation != ANY_INCARNATION && dest.incarnation != d.toIncarnation)) {
            beginEvent();
            tracer.dropped(now, eventIndex, d.from, d.to, d.message, dest.node == null ? "down" : "restarted");
            if (dest.node == null && crashSendsReset && !dest.poweredOff && !(d.message instanceof ConnectionReset)
                    && !network.isCut(d.to, d.from)) {
                transmit(d.to, d.from, new ConnectionReset(dest.id));
            }
            checkInvariants();
            return;
        }
        dest.peers.set(d.from);
        dispatch(dest, K_MESSAGE, d.from, d.message);
    }
}
