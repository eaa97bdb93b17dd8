package dev.faultline.core.net;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import java.util.Arrays;
import java.util.function.LongSupplier;

/**
 * Which links between a set of nodes still carry messages held back by a delay fault (link fault
 * with {@code extraDelayNanos}), for the liveness checks whose premise asks for clean links. The
 * simulated links are FIFO like a TCP connection, so a message sent after a delay fault ended
 * still waits behind every message the fault delayed: a link "healed" at {@code t} delivers
 * nothing sent after {@code t} before the last delayed message arrives, up to the fault's extra
 * delay later (fuzz finding open-kraft-kr-l4-seed-752: after a 14.643 s delay on controller-2's
 * links ended at 20.643 s, controller-2's Fetch sent at 25.69 s reached leader controller-1 only
 * at 33.67 s).
 *
 * <p>Exact per directed link, read from the true link state at every {@link #update}: while a
 * delay is in force on a link, the link is held until {@code now + extraDelay + one round-trip
 * bound} (an upper bound on the arrival of the messages sent meanwhile; the real backlog may drain
 * earlier). {@link #update} is idempotent, so several checks may share one tracker and each call
 * it. Cost: one link lookup per ordered pair of tracked nodes per call, or O(hubs) while no link is
 * delayed and no tracked link holds a message arriving later than one one-way bound from now.
 *
 * <p>Used by the Raft liveness checks (the links between voters), the KRaft controller's checks
 * (between brokers and controllers) and KR-L2 ({@link #heldOneWay}: may Fetches sent before a
 * crash still arrive). The ZooKeeper-mode checks ask only whether any link of the simulation is
 * held ({@link #everyLink}, {@link #heldAnywhere}): O(1) per update, from the largest delay in
 * force ({@link Network#maxExtraDelayNanos}).
 */
public final class DelayBacklog {
    private final Simulation sim;
    /** The tracked nodes, or {@code null} for every link of the simulation (delay faults only). */
    private final NodeId[] nodes;
    private final LongSupplier roundTripBoundNanos;
    private final long[] heldUntil;
    /** The tracked ordered pairs, as {@code i * nodes.length + j} (positions in {@link #nodes}). */
    private final int[] tracked;
    /** The first {@code hubs} of {@link #nodes} are hubs: every tracked pair has one at one end. */
    private final int hubs;
    /** The position in {@link #nodes} of each node index, or -1 for an untracked node. */
    private final int[] positionOfIndex;
    /** Until when some tracked link is held. */
    private long anyHeldUntil = Long.MIN_VALUE;

    /**
     * Tracks the links between {@code nodes} (distinct nodes of {@code sim}); {@code
     * roundTripBoundNanos} is the round trip the checks assume (read at every update).
     */
    public DelayBacklog(Simulation sim, NodeId[] nodes, LongSupplier roundTripBoundNanos) {
        this(sim, nodes, nodes.length, roundTripBoundNanos);
    }

    /**
     * Tracks the links between two hubs and between a hub and a spoke, both ways, but not the
     * links between two spokes ({@link #heldOneWay} answers {@code false} for those), so an update
     * costs O(hubs x nodes) instead of O(nodes²): the KRaft controller's checks ask only about
     * links to a voter (a broker's Raft observer talks to voters, never to another broker), and a
     * cluster of 150 brokers and 3 voters has 918 such links against 23,256 ordered pairs.
     */
    public static DelayBacklog hubsAndSpokes(Simulation sim, NodeId[] hubs, NodeId[] spokes, LongSupplier roundTripBoundNanos) {
        NodeId[] all = Arrays.copyOf(hubs, hubs.length + spokes.length);
        System.arraycopy(spokes, 0, all, hubs.length, spokes.length);
        return new DelayBacklog(sim, all, hubs.length, roundTripBoundNanos);
    }

    /** Tracks the links with at least one end among the first {@code hubs} of {@code nodes}. */
    private DelayBacklog(Simulation sim, NodeId[] nodes, int hubs, LongSupplier roundTripBoundNanos) {
        this.sim = sim;
        this.nodes = nodes.clone();
        this.roundTripBoundNanos = roundTripBoundNanos;
        int k = nodes.length;
        IntArrayList pairs = new IntArrayList();
        for (int i = 0; i < k; i++) {
            for (int j = 0; j < k; j++) {
                if (i != j && (i < hubs || j < hubs)) {
                    pairs.add(i * k + j);
                }
            }
        }
        this.tracked = pairs.toIntArray();
        this.hubs = hubs;
        this.heldUntil = new long[nodes.length * nodes.length];
        Arrays.fill(heldUntil, Long.MIN_VALUE);
        int maxIndex = -1;
        for (NodeId id : nodes) {
            maxIndex = Math.max(maxIndex, id.index());
        }
        this.positionOfIndex = new int[maxIndex + 1];
        Arrays.fill(positionOfIndex, -1);
        for (int i = 0; i < nodes.length; i++) {
            positionOfIndex[nodes[i].index()] = i;
        }
    }

    private DelayBacklog(Simulation sim, LongSupplier roundTripBoundNanos) {
        this.sim = sim;
        this.nodes = null;
        this.tracked = new int[0];
        this.hubs = 0;
        this.roundTripBoundNanos = roundTripBoundNanos;
        this.heldUntil = new long[0];
        this.positionOfIndex = new int[0];
    }

    /**
     * Tracks every link of the simulation, nodes added later included, for delay faults only (not
     * latency outliers); ask {@link #heldAnywhere}. {@link #update} costs O(1).
     */
    public static DelayBacklog everyLink(Simulation sim, long roundTripBoundNanos) {
        return new DelayBacklog(sim, () -> roundTripBoundNanos);
    }

    /**
     * Reads the delay faults in force now, and the latency outliers queued on the links (call at
     * the start of every check that uses {@link #drained}).
     *
     * <p>A latency outlier holds a link like a delay fault does: when the last message queued on a
     * FIFO link arrives later than {@code now} plus the one-way latency bound (half the round-trip
     * bound, the model's 99.99th percentile), that message drew a latency beyond the bound the
     * liveness checks assume, and everything sent after it waits behind it. The link is held until
     * it arrives plus one round-trip bound (fuzz kraft seed 1297, KM-L3: on a log-normal link of
     * median 0.5 ms and p99 9 ms, broker-3's replica Fetch sent at 28.424 s to broker-2 drew a 980
     * ms latency, about 6 σ; broker-3's metadata Fetch sent at 28.515 s waited behind it until
     * 29.404 s).
     */
    public void update(long now) {
        Network net = sim.network();
        long rtt = roundTripBoundNanos.getAsLong();
        if (nodes == null) {
            long extra = net.maxExtraDelayNanos();
            if (extra > 0) {
                anyHeldUntil = Math.max(anyHeldUntil, now + extra + rtt);
            }
            return;
        }
        long oneWayBound = rtt / 2;
        if (net.maxExtraDelayNanos() == 0 && noLateMessage(net, now + oneWayBound)) {
            return; // no link is delayed and no tracked link holds a late message: nothing to read
        }
        int k = nodes.length;
        for (int pair : tracked) {
            NodeId a = nodes[pair / k];
            NodeId b = nodes[pair % k];
            long extra = net.linkFault(a, b).extraDelayNanos();
            if (extra > 0) {
                heldUntil[pair] = Math.max(heldUntil[pair], now + extra + rtt);
            }
            long queued = net.lastArrivalNanos(a, b);
            if (queued > now + oneWayBound) {
                heldUntil[pair] = Math.max(heldUntil[pair], queued + rtt);
            }
            anyHeldUntil = Math.max(anyHeldUntil, heldUntil[pair]);
        }
    }

    /** Whether no tracked link holds a message arriving after {@code limit} (every tracked link has a hub at one end). */
    private boolean noLateMessage(Network net, long limit) {
        for (int h = 0; h < hubs; h++) {
            if (net.latestArrivalNanos(nodes[h]) > limit) {
                return false;
            }
        }
        return true;
    }

    /** Whether a message held back on some tracked link may still be queued at {@code now}. */
    public boolean heldAnywhere(long now) {
        return now < anyHeldUntil;
    }

    /** Whether no message delayed by an earlier delay fault may still be queued on a→b or b→a at {@code now}. */
    public boolean drained(NodeId a, NodeId b, long now) {
        return !heldOneWay(a, b, now) && !heldOneWay(b, a, now);
    }

    /**
     * Whether a message sent on {@code from→to} while a delay fault was in force (up to now) may
     * still be on its way at {@code now}: it may arrive even if {@code from} has crashed since.
     * {@code false} for a link to or from an untracked node.
     */
    public boolean heldOneWay(NodeId from, NodeId to, long now) {
        if (nodes == null) {
            throw new IllegalStateException("a tracker of every link answers only heldAnywhere");
        }
        int i = position(from);
        int j = position(to);
        if (i < 0 || j < 0) {
            return false;
        }
        return now < heldUntil[i * nodes.length + j];
    }

    private int position(NodeId id) {
        int index = id.index();
        return index < positionOfIndex.length ? positionOfIndex[index] : -1;
    }
}
