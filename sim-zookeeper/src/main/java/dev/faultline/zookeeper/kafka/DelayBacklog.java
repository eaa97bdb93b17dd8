package dev.faultline.zookeeper.kafka;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import java.util.List;

/**
 * Whether messages held back by a delay fault (a link fault with {@code extraDelayNanos}) may still
 * be on their way, for the ZooKeeper-mode liveness checks (KZ-L1, KZ-L2) that count only while the
 * links are clean. Links are FIFO like TCP connections, so a delay fault that ended at {@code t}
 * keeps delivering what it delayed until up to its extra delay after {@code t}, and whatever is sent
 * later waits behind that (fuzz zookeeper seed 3019: a 6.2 s delay on the links of the controller's
 * broker ended a second before that broker lost its disk; KZ-L1 counted from the end of the fault).
 *
 * <p>Coarse and conservative: the link faults of every ordered pair of nodes are scanned at most
 * every 100 ms of virtual time, and any delay seen holds every link until {@code scan time + extra
 * delay + 100 ms + a 50 ms round trip}. A delay fault shorter than 100 ms may go unseen.
 */
final class DelayBacklog {
    private static final long SCAN_NANOS = 100 * Time.MILLISECOND;
    private static final long RTT_NANOS = 50 * Time.MILLISECOND;

    private final Simulation sim;
    private long nextScanNanos = Long.MIN_VALUE;
    private long heldUntilNanos = Long.MIN_VALUE;

    DelayBacklog(Simulation sim) {
        this.sim = sim;
    }

    /** Reads the delay faults in force (call from every check; it scans at most every 100 ms). */
    void scan(long now) {
        if (now < nextScanNanos) {
            return;
        }
        nextScanNanos = now + SCAN_NANOS;
        if (!sim.network().hasCutsOrLinkFaults()) {
            return; // no link fault at all, so no delay fault
        }
        List<NodeId> nodes = sim.nodes();
        for (int i = 0; i < nodes.size(); i++) {
            for (int j = 0; j < nodes.size(); j++) {
                if (i != j) {
                    long extra = sim.network().linkFault(nodes.get(i), nodes.get(j)).extraDelayNanos();
                    if (extra > 0) {
                        heldUntilNanos = Math.max(heldUntilNanos, now + extra + SCAN_NANOS + RTT_NANOS);
                    }
                }
            }
        }
    }

    /** Whether a message a delay fault held back may still be queued on some link at {@code now}. */
    boolean held(long now) {
        return now <= heldUntilNanos;
    }
}
