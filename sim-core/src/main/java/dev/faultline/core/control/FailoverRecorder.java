package dev.faultline.core.control;

import dev.faultline.core.kernel.NodeId;
import it.unimi.dsi.fastutil.ints.Int2IntOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntOpenHashSet;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Measures failovers in virtual time as the phases of docs/architecture.md#failover-phases. The
 * world (a {@link FailoverWatch}) opens a failover when a broker or the active controller goes
 * down; control planes report detection, elections (through {@link ControlHistory}) and controller
 * activation; the data plane reports when a new leader applied its leadership; clients report
 * successful produces. Every report goes to every open failover it concerns. Omniscient
 * measurement: nodes never read it.
 */
public final class FailoverRecorder {
    private final List<BrokerFailover> brokerFailovers = new ArrayList<>();
    private final List<ControllerFailover> controllerFailovers = new ArrayList<>();
    private final List<Object> order = new ArrayList<>();

    // ------------------------------------------------------------------ broker failures

    /**
     * Broker {@code brokerId} went down at {@code atNanos} while leading {@code ledPartitions}
     * (authoritative state at the fault).
     */
    public void brokerFailed(int brokerId, long atNanos, int[] ledPartitions) {
        BrokerFailover f = new BrokerFailover(brokerId, atNanos, ledPartitions);
        brokerFailovers.add(f);
        order.add(f);
        for (BrokerFailureListener l : brokerFailureListeners) {
            l.brokerFailed(brokerId, atNanos, ledPartitions);
        }
    }

    /** Told when a broker failover opens (the failover canary starts probing its partitions). */
    public interface BrokerFailureListener {
        void brokerFailed(int brokerId, long atNanos, int[] ledPartitions);
    }

    private final List<BrokerFailureListener> brokerFailureListeners = new ArrayList<>();

    public void addBrokerFailureListener(BrokerFailureListener listener) {
        brokerFailureListeners.add(listener);
    }

    /** The control plane learned that the broker is gone (session expiry, fencing, oracle detection). */
    public void brokerFailureDetected(int brokerId, long atNanos) {
        for (BrokerFailover f : brokerFailovers) {
            if (f.brokerId == brokerId && f.detectAt < 0 && atNanos >= f.faultAt) {
                f.detectAt = atNanos;
            }
        }
    }

    /** A leader was decided for a partition (called by {@link ControlHistory}). */
    public void leaderElected(int partition, int leader, int leaderEpoch, long atNanos) {
        if (leader == LeaderElection.NO_LEADER) {
            return;
        }
        for (BrokerFailover f : brokerFailovers) {
            int i = f.index.get(partition);
            if (i >= 0 && f.electedAt[i] < 0 && atNanos >= f.faultAt) {
                f.electedAt[i] = atNanos;
                f.electedLeader[i] = leader;
                f.electedEpoch[i] = leaderEpoch;
                f.elected++;
            }
        }
    }

    /** Broker {@code brokerId} applied leadership of a partition at {@code leaderEpoch}. */
    public void leadershipApplied(int brokerId, int partition, int leaderEpoch, long atNanos) {
        for (BrokerFailover f : brokerFailovers) {
            int i = f.index.get(partition);
            if (i >= 0 && f.electedAt[i] >= 0 && f.appliedAt[i] < 0 && f.electedLeader[i] == brokerId
                    && leaderEpoch >= f.electedEpoch[i]) {
                f.appliedAt[i] = atNanos;
                f.applied++;
            }
        }
    }

    /**
     * A producer got a successful acknowledgement for a partition, at {@code atNanos}, of a request
     * attempt it sent at {@code requestSentAtNanos}. Only an attempt sent at or after a fault ends
     * that failover's unavailability: the answer to an earlier one was decided before the fault
     * (the failed leader's response still on the wire when it went down) and used to end the client
     * phase a fraction of a millisecond after the fault.
     */
    public void produceSucceeded(int partition, long requestSentAtNanos, long atNanos) {
        for (BrokerFailover f : brokerFailovers) {
            int i = f.index.get(partition);
            if (i >= 0 && f.clientAt[i] < 0 && atNanos > f.faultAt && requestSentAtNanos >= f.faultAt) {
                f.clientAt[i] = atNanos;
            }
        }
    }

    /** A producer got a successful acknowledgement for a partition of a request sent at {@code atNanos}. */
    public void produceSucceeded(int partition, long atNanos) {
        produceSucceeded(partition, atNanos, atNanos);
    }

    // ------------------------------------------------------------------ controller failures

    /** The active controller {@code node} went down; {@code brokersToInform} are the live brokers then. */
    public void controllerFailed(NodeId node, long atNanos, int[] brokersToInform) {
        ControllerFailover f = new ControllerFailover(node, atNanos, brokersToInform);
        controllerFailovers.add(f);
        order.add(f);
    }

    /** A new controller election started (ZK: {@code /controller} deleted and seen; KRaft: a voter became candidate). */
    public void controllerElectionStarted(long atNanos) {
        for (ControllerFailover f : controllerFailovers) {
            if (f.detectAt < 0 && atNanos >= f.faultAt) {
                f.detectAt = atNanos;
            }
        }
    }

    /** A controller became active (called by {@link ControlHistory}). */
    public void controllerElected(NodeId node, long atNanos) {
        for (ControllerFailover f : controllerFailovers) {
            if (f.electedAt < 0 && atNanos >= f.faultAt) {
                if (f.detectAt < 0) {
                    f.detectAt = atNanos;
                }
                f.electedAt = atNanos;
            }
        }
    }

    /** The active controller can act (ZK: metadata loaded and sent; KRaft: caught up). */
    public void controllerReady(long atNanos) {
        for (ControllerFailover f : controllerFailovers) {
            if (f.electedAt >= 0 && f.readyAt < 0) {
                f.readyAt = atNanos;
            }
        }
    }

    /** A broker learned of the new controller. */
    public void brokerLearnedController(int brokerId, long atNanos) {
        for (ControllerFailover f : controllerFailovers) {
            if (f.electedAt >= 0 && f.propagatedAt < 0 && f.waiting.remove(brokerId) && f.waiting.isEmpty()) {
                f.propagatedAt = atNanos;
            }
        }
    }

    // ------------------------------------------------------------------ results

    /** Every failover measured so far, in fault order. */
    public List<FailoverMeasurement> measurements() {
        List<FailoverMeasurement> out = new ArrayList<>(order.size());
        for (Object o : order) {
            out.add(o instanceof BrokerFailover ? ((BrokerFailover) o).measure() : ((ControllerFailover) o).measure());
        }
        return out;
    }

    /** The control plane's part of a run result. */
    public ControllerResult result(String mode, ControlHistory history) {
        return new ControllerResult(mode, measurements(), history.leaderElections(), history.uncleanElections(), history.isrChanges(),
                history.controllerChanges());
    }

    private static final class BrokerFailover {
        final int brokerId;
        final long faultAt;
        final int[] partitions;
        final Int2IntOpenHashMap index = new Int2IntOpenHashMap();
        final long[] electedAt;
        final int[] electedLeader;
        final int[] electedEpoch;
        final long[] appliedAt;
        final long[] clientAt;
        long detectAt = -1;
        int elected;
        int applied;

        BrokerFailover(int brokerId, long faultAt, int[] partitions) {
            this.brokerId = brokerId;
            this.faultAt = faultAt;
            this.partitions = partitions.clone();
            index.defaultReturnValue(-1);
            for (int i = 0; i < partitions.length; i++) {
                index.put(partitions[i], i);
            }
            int n = partitions.length;
            electedAt = filled(n);
            appliedAt = filled(n);
            clientAt = filled(n);
            electedLeader = new int[n];
            electedEpoch = new int[n];
        }

        FailoverMeasurement measure() {
            int n = partitions.length;
            long elect = n == 0 ? -1 : lastOrMinusOne(electedAt, elected == n);
            long propagate = n == 0 ? -1 : lastOrMinusOne(appliedAt, applied == n);
            long[] windows = new long[n];
            int count = 0;
            for (long t : clientAt) {
                if (t >= 0) {
                    windows[count++] = t - faultAt;
                }
            }
            long client = count == 0 ? -1 : lastOrMinusOne(clientAt, true);
            return new FailoverMeasurement(FailoverMeasurement.Kind.BROKER, ClusterSpec.brokerNodeName(brokerId), faultAt,
                    rel(detectAt), rel(elect), -1, rel(propagate), rel(client), n, elected, applied,
                    FailoverMeasurement.Distribution.of(windows, count));
        }

        private long rel(long t) {
            return t < 0 ? -1 : t - faultAt;
        }
    }

    private static final class ControllerFailover {
        final NodeId node;
        final long faultAt;
        final IntOpenHashSet waiting = new IntOpenHashSet();
        long detectAt = -1;
        long electedAt = -1;
        long readyAt = -1;
        long propagatedAt = -1;

        ControllerFailover(NodeId node, long faultAt, int[] brokersToInform) {
            this.node = node;
            this.faultAt = faultAt;
            for (int b : brokersToInform) {
                waiting.add(b);
            }
        }

        FailoverMeasurement measure() {
            return new FailoverMeasurement(FailoverMeasurement.Kind.CONTROLLER, node.name(), faultAt, rel(detectAt), rel(electedAt),
                    rel(readyAt), rel(propagatedAt), -1, 0, 0, 0, FailoverMeasurement.Distribution.EMPTY);
        }

        private long rel(long t) {
            return t < 0 ? -1 : t - faultAt;
        }
    }

    private static long[] filled(int n) {
        long[] a = new long[n];
        Arrays.fill(a, -1);
        return a;
    }

    private static long lastOrMinusOne(long[] times, boolean all) {
        if (!all) {
            return -1;
        }
        long max = -1;
        for (long t : times) {
            max = Math.max(max, t);
        }
        return max;
    }
}
