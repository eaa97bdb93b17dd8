package dev.faultline.zookeeper.measure;

import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Observer;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.core.trace.RunResult;
import dev.faultline.zookeeper.check.ZkInvariants;
import dev.faultline.zookeeper.client.ZkClientNode;
import dev.faultline.zookeeper.ensemble.ServerRole;
import dev.faultline.zookeeper.ensemble.ZkConfig;
import dev.faultline.zookeeper.ensemble.ZkEnsemble;
import dev.faultline.zookeeper.ensemble.ZkServer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * Measures how long an ensemble takes to have a new leader after its leader's process crashes:
 * from the crash to a leader of a newer epoch that is established with a quorum of servers serving
 * (UPTODATE), with the phases in between. A client keeps writing so the logs are not empty and the
 * sync has something to send. All safety invariants stay on during the run.
 */
public final class LeaderFailover {
    /** One run's figures (all relative to the crash). */
    public record Timing(long seed, int servers, long detectNanos, long electedNanos, long establishedNanos) {
    }

    /** Percentiles of a set of durations. */
    public record Summary(int count, long minNanos, long medianNanos, long p90Nanos, long p99Nanos, long maxNanos) {
        public static Summary of(List<Long> values) {
            List<Long> sorted = new ArrayList<>(values);
            Collections.sort(sorted);
            return new Summary(sorted.size(), sorted.get(0), percentile(sorted, 50), percentile(sorted, 90),
                    percentile(sorted, 99), sorted.get(sorted.size() - 1));
        }

        /** Nearest-rank percentile. */
        private static long percentile(List<Long> sorted, int p) {
            int rank = (int) Math.ceil(p / 100.0 * sorted.size());
            return sorted.get(Math.max(0, rank - 1));
        }

        @Override
        public String toString() {
            return "n=" + count + " min=" + Time.formatMillis(minNanos) + " median=" + Time.formatMillis(medianNanos)
                    + " p90=" + Time.formatMillis(p90Nanos) + " p99=" + Time.formatMillis(p99Nanos)
                    + " max=" + Time.formatMillis(maxNanos);
        }
    }

    private LeaderFailover() {
    }

    /**
     * One run: start the ensemble and a writing client, let it settle, crash the leader at a
     * seed-dependent moment within a tick, and run until a newer leader is established.
     *
     * @param link the links' configuration (latency distribution, bandwidth)
     * @param timeoutNanos give up after this long after the crash (the run then throws)
     */
    public static Timing measure(long seed, int servers, ZkConfig config, LinkConfig link, long timeoutNanos) {
        return measure(seed, servers, config, link, timeoutNanos, sim -> { });
    }

    /** As above; {@code setup} sees the simulation before it starts (to attach a trace sink, for example). */
    public static Timing measure(long seed, int servers, ZkConfig config, LinkConfig link, long timeoutNanos,
                                 java.util.function.Consumer<Simulation> setup) {
        Simulation sim = new Simulation(seed);
        setup.accept(sim);
        sim.network().setDefaultConfig(link);
        ZkEnsemble ensemble = ZkEnsemble.create(sim, servers, config);
        ZkInvariants.addAll(sim, ensemble);
        List<NodeId> serverIds = ensemble.servers();
        sim.addNode("client", ctx -> new ZkClientNode(ctx, serverIds, 6 * Time.SECOND, 50 * Time.MILLISECOND));
        sim.startAll();
        NodeId leader = ensemble.runUntilEstablished(30 * Time.SECOND, Time.MILLISECOND);
        if (leader == null) {
            throw new IllegalStateException("seed " + seed + ": no leader before the crash");
        }
        long crashAt = sim.now() + 3 * Time.SECOND + sim.random("measure").nextLong(config.tickTimeNanos());
        sim.runFor(crashAt - sim.now());
        leader = ensemble.establishedLeader();
        if (leader == null) {
            throw new IllegalStateException("seed " + seed + ": leader lost before the crash");
        }
        long oldEpoch = ensemble.process(leader).epoch();
        Probe probe = new Probe(sim, ensemble, oldEpoch, sim.now());
        sim.addObserver(probe);
        sim.crash(leader);
        // One event at a time, so that the run stops right after the event that established the new leader.
        long deadline = sim.now() + timeoutNanos;
        while (probe.establishedAt < 0 && sim.violation() == null
                && sim.run(deadline, sim.eventIndex() + 1).stopReason() == RunResult.StopReason.EVENT_LIMIT) {
            // the probe watches every event
        }
        if (sim.violation() != null) {
            throw new IllegalStateException(sim.violation().report());
        }
        if (probe.establishedAt < 0) {
            throw new IllegalStateException("seed " + seed + ": no new leader within " + Time.format(timeoutNanos));
        }
        return new Timing(seed, servers, probe.detectedAt - probe.crashAt, probe.electedAt - probe.crashAt,
                probe.establishedAt - probe.crashAt);
    }

    /** Watches the phases after every event; notes when the new leader is established. */
    private static final class Probe implements Observer {
        final Simulation sim;
        final ZkEnsemble ensemble;
        final long oldEpoch;
        final long crashAt;
        long detectedAt = -1;
        long electedAt = -1;
        long establishedAt = -1;

        Probe(Simulation sim, ZkEnsemble ensemble, long oldEpoch, long crashAt) {
            this.sim = sim;
            this.ensemble = ensemble;
            this.oldEpoch = oldEpoch;
            this.crashAt = crashAt;
        }

        @Override
        public String name() {
            return "leader-failover-probe";
        }

        @Override
        public void afterEvent(long nowNanos) {
            for (NodeId id : ensemble.servers()) {
                ZkServer s = ensemble.process(id);
                if (s == null) {
                    continue;
                }
                if (detectedAt < 0 && s.role() == ServerRole.LOOKING) {
                    detectedAt = nowNanos;
                }
                if (electedAt < 0 && s.role() == ServerRole.LEADING && s.epoch() != oldEpoch) {
                    electedAt = nowNanos;
                }
            }
            NodeId leader = ensemble.establishedLeader();
            if (leader != null && ensemble.process(leader).epoch() > oldEpoch) {
                establishedAt = nowNanos;
            }
        }
    }
}
