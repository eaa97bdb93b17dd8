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
 * Cost: one link lookup per ordered voter pair per call.
 */
final class DelayBacklog {
    private final RaftView view;
    private final int[] voters;
    private final long[] heldUntil;

    DelayBacklog(RaftView view) {
        this.view = view;
        this.voters = view.voterIds();
        this.heldUntil = new long[voters.length * voters.length];
        Arrays.fill(heldUntil, Long.MIN_VALUE);
    }

    /** Reads the delay faults in force now (call at the start of every check that uses {@link #drained}). */
    void update(long now) {
        Simulation sim = view.sim();
        for (int i = 0; i < voters.length; i++) {
            NodeId a = view.nodeId(voters[i]);
            for (int j = 0; j < voters.length; j++) {
                if (i == j) {
                    continue;
                }
                long extra = sim.network().linkFault(a, view.nodeId(voters[j])).extraDelayNanos();
                if (extra > 0) {
                    heldUntil[i * voters.length + j] = Math.max(heldUntil[i * voters.length + j],
                            now + extra + view.roundTripBoundNanos());
                }
            }
        }
    }

    /** Whether no message delayed by an earlier delay fault may still be queued on a→b or b→a at {@code now}. */
    boolean drained(NodeId a, NodeId b, long now) {
        int i = position(a.index());
        int j = position(b.index());
        if (i < 0 || j < 0) {
            return true;
        }
        return now >= heldUntil[i * voters.length + j] && now >= heldUntil[j * voters.length + i];
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
