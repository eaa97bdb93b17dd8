package dev.faultline.raft.check;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import java.util.Arrays;

/**
 * Which links between voters still carry messages held back by a delay fault (link fault with
 * {@code extraDelayNanos}), for the liveness conditions that ask for clean links. The simulated
 * links are FIFO like a TCP connection, so a message sent after a delay fault ended still waits
 * behind every message the fault delayed: a link "healed" at {@code t} delivers nothing sent after
 * {@code t} before the last delayed message arrives, up to the fault's extra delay later (fuzz
 * finding open-kraft-kr-l4-seed-752: after a 14.643 s delay on controller-2's links ended at
 * 20.643 s, controller-2's Fetch sent at 25.69 s reached leader controller-1 only at 33.67 s).
 *
 * <p>Tracked from the true link state at every check: while a delay is in force on a directed
 * link, the link is held until {@code now + extraDelay + one round-trip bound} (an upper bound on
 * the arrival of the messages sent meanwhile; the real backlog may drain earlier). Shared by the
 * invariants of one {@link RaftView}; {@link #update} is idempotent, so each of them may call it.
 * Cost: one link lookup per ordered pair of tracked nodes per call.
 *
 * <p>By default it tracks the links between voters; the KRaft control plane's KM-L* checks also
 * track the links between brokers and controllers ({@link #DelayBacklog(RaftView, int[])}), and
 * KR-L2 asks whether Fetches sent before a crash may still arrive ({@link #heldOneWay}).
 */
public final class DelayBacklog {
    private final RaftView view;
    private final int[] voters;
    private final long[] heldUntil;

    /** Tracks the links between the voters of {@code view}. */
    public DelayBacklog(RaftView view) {
        this(view, view.voterIds());
    }

    /** Tracks the links between the given node indices (distinct; nodes of {@code view}'s simulation). */
    public DelayBacklog(RaftView view, int[] nodeIndices) {
        this.view = view;
        this.voters = nodeIndices.clone();
        this.heldUntil = new long[voters.length * voters.length];
        Arrays.fill(heldUntil, Long.MIN_VALUE);
    }

    /**
     * Reads the delay faults in force now, and the latency outliers queued on the links (call at
     * the start of every check that uses {@link #drained}).
     *
     * <p>A latency outlier holds a link like a delay fault does: when the last message queued on a
     * FIFO link arrives later than {@code now} plus the one-way latency bound (half of
     * {@link RaftView#roundTripBoundNanos}, the model's 99.99th percentile), that message drew a
     * latency beyond the bound the liveness checks assume, and everything sent after it waits
     * behind it. The link is held until it arrives plus one round-trip bound (fuzz kraft seed 1297,
     * KM-L3: on a log-normal link of median 0.5 ms and p99 9 ms, broker-3's replica Fetch sent at
     * 28.424 s to broker-2 drew a 980 ms latency, about 6 σ; broker-3's metadata Fetch sent at
     * 28.515 s waited behind it until 29.404 s).
     */
    public void update(long now) {
        Simulation sim = view.sim();
        long oneWayBound = view.roundTripBoundNanos() / 2;
        for (int i = 0; i < voters.length; i++) {
            NodeId a = view.nodeId(voters[i]);
            for (int j = 0; j < voters.length; j++) {
                if (i == j) {
                    continue;
                }
                NodeId b = view.nodeId(voters[j]);
                long extra = sim.network().linkFault(a, b).extraDelayNanos();
                if (extra > 0) {
                    heldUntil[i * voters.length + j] = Math.max(heldUntil[i * voters.length + j],
                            now + extra + view.roundTripBoundNanos());
                }
                long queued = sim.network().lastArrivalNanos(a, b);
                if (queued > now + oneWayBound) {
                    heldUntil[i * voters.length + j] = Math.max(heldUntil[i * voters.length + j],
                            queued + view.roundTripBoundNanos());
                }
            }
        }
    }

    /** Whether no message delayed by an earlier delay fault may still be queued on a→b or b→a at {@code now}. */
    public boolean drained(NodeId a, NodeId b, long now) {
        return !heldOneWay(a, b, now) && !heldOneWay(b, a, now);
    }

    /**
     * Whether a message sent on {@code from→to} while a delay fault was in force (up to now) may
     * still be on its way at {@code now}: it may arrive even if {@code from} has crashed since.
     */
    public boolean heldOneWay(NodeId from, NodeId to, long now) {
        int i = position(from.index());
        int j = position(to.index());
        if (i < 0 || j < 0) {
            return false;
        }
        return now < heldUntil[i * voters.length + j];
    }

    private int position(int nodeIndex) {
        for (int i = 0; i < voters.length; i++) {
            if (voters[i] == nodeIndex) {
                return i;
            }
        }
        return -1;
    }
}
