package dev.faultline.scenarios.fuzz;

import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.spec.Scenario;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * Shrinks a failing scenario while it still fails the same way: first delta debugging over the
 * faults (remove halves, then quarters, ... then single faults), then shorter fault durations, a
 * shorter run, fewer partitions, a smaller cluster and a lighter workload. Every candidate is run
 * (deterministically) by the predicate, so the result replays to the same failure.
 */
public final class Shrinker {
    private final Predicate<Scenario> stillFails;
    private final int maxRuns;
    private int runs;

    /**
     * @param stillFails runs a candidate and says whether it fails with the same invariant
     * @param maxRuns a budget of candidate runs
     */
    public Shrinker(Predicate<Scenario> stillFails, int maxRuns) {
        this.stillFails = stillFails;
        this.maxRuns = maxRuns;
    }

    /** Candidate runs so far. */
    public int runs() {
        return runs;
    }

    private boolean fails(Scenario s) {
        if (runs >= maxRuns) {
            return false;
        }
        runs++;
        return stillFails.test(s);
    }

    public Scenario shrink(Scenario failing) {
        Scenario s = removeFaults(failing);
        s = shortenFaults(s);
        s = shortenRun(s);
        s = smallerTopics(s);
        s = fewerBrokers(s);
        s = lighterWorkload(s);
        return s;
    }

    /** ddmin over the fault list. */
    private Scenario removeFaults(Scenario s) {
        List<Scenario.FaultEntry> faults = new ArrayList<>(s.faults());
        int chunks = 2;
        while (faults.size() >= 1 && chunks <= Math.max(2, faults.size())) {
            boolean reduced = false;
            int size = (int) Math.ceil(faults.size() / (double) chunks);
            for (int start = 0; start < faults.size(); start += size) {
                List<Scenario.FaultEntry> without = new ArrayList<>(faults.subList(0, start));
                without.addAll(faults.subList(Math.min(faults.size(), start + size), faults.size()));
                Scenario candidate = withFaults(s, without);
                if (fails(candidate)) {
                    faults = without;
                    s = candidate;
                    chunks = Math.max(chunks - 1, 2);
                    reduced = true;
                    break;
                }
            }
            if (!reduced) {
                if (size == 1) {
                    break;
                }
                chunks = Math.min(faults.size(), chunks * 2);
            }
        }
        return s;
    }

    private Scenario shortenFaults(Scenario s) {
        for (int i = 0; i < s.faults().size(); i++) {
            Scenario.FaultEntry f = s.faults().get(i);
            if (f.forNanos() > Time.SECOND) {
                List<Scenario.FaultEntry> faults = new ArrayList<>(s.faults());
                faults.set(i, new Scenario.FaultEntry(f.atNanos(), f.fault(), Math.max(Time.SECOND, f.forNanos() / 2), f.everyNanos(), f.untilNanos()));
                Scenario candidate = withFaults(s, faults);
                if (fails(candidate)) {
                    s = candidate;
                    i--;
                }
            }
        }
        return s;
    }

    private Scenario shortenRun(Scenario s) {
        long lastFault = 0;
        for (Scenario.FaultEntry f : s.faults()) {
            lastFault = Math.max(lastFault, Math.max(f.untilNanos(), f.atNanos() + f.forNanos()));
        }
        long duration = s.durationNanos();
        while (duration / 2 > lastFault + Time.SECOND) {
            Scenario candidate = new Scenario(s.name(), s.description(), s.seed(), duration / 2, s.cluster(), s.topics(), s.workload(), s.faults(),
                    s.expectations(), s.bugs());
            if (!fails(candidate)) {
                break;
            }
            s = candidate;
            duration = candidate.durationNanos();
        }
        return s;
    }

    private Scenario smallerTopics(Scenario s) {
        while (true) {
            List<Scenario.Topic> topics = new ArrayList<>();
            boolean changed = false;
            for (Scenario.Topic t : s.topics()) {
                if (t.partitions() > 1 && !mentionsPartition(s, t)) {
                    topics.add(new Scenario.Topic(t.name(), Math.max(1, t.partitions() / 2), t.replicationFactor(), t.config(), t.createAtNanos()));
                    changed = true;
                } else {
                    topics.add(t);
                }
            }
            if (!changed) {
                return s;
            }
            Scenario candidate = new Scenario(s.name(), s.description(), s.seed(), s.durationNanos(), s.cluster(), topics, s.workload(), s.faults(),
                    s.expectations(), s.bugs());
            if (!fails(candidate)) {
                return s;
            }
            s = candidate;
        }
    }

    private static boolean mentionsPartition(Scenario s, Scenario.Topic t) {
        String text = s.faults().toString();
        for (int p = t.partitions() / 2; p < t.partitions(); p++) {
            if (text.contains("leader-of(" + t.name() + "-" + p + ")")) {
                return true;
            }
        }
        return false;
    }

    private Scenario fewerBrokers(Scenario s) {
        int minimum = 1;
        for (Scenario.Topic t : s.topics()) {
            minimum = Math.max(minimum, t.replicationFactor());
        }
        if (s.cluster().combined()) {
            minimum = Math.max(minimum, s.cluster().controllers());
        }
        String text = s.faults().toString();
        for (int b = s.cluster().brokers(); b > minimum; b--) {
            if (text.contains("broker-" + b)) {
                break;
            }
            Scenario.Cluster c = s.cluster();
            Scenario candidate = new Scenario(s.name(), s.description(), s.seed(), s.durationNanos(),
                    new Scenario.Cluster(c.mode(), b - 1, c.racks(), c.controllers(), c.combined(), c.zookeeper(), c.config(), c.network(),
                            c.brokerConfig(), c.warmStart(), c.version()),
                    s.topics(), s.workload(), s.faults(), s.expectations(), s.bugs());
            if (!fails(candidate)) {
                break;
            }
            s = candidate;
        }
        return s;
    }

    private Scenario lighterWorkload(Scenario s) {
        List<Scenario.Workload> lighter = new ArrayList<>();
        boolean changed = false;
        for (Scenario.Workload w : s.workload()) {
            if (w instanceof Scenario.Producer p && p.ratePerSecond() > 10) {
                lighter.add(new Scenario.Producer(p.topic(), Math.max(10, Math.floor(p.ratePerSecond() / 2)), p.acks(), p.config(), 0, 0,
                        p.keys()));
                changed = true;
            } else {
                lighter.add(w);
            }
        }
        if (!changed) {
            return s;
        }
        Scenario candidate = new Scenario(s.name(), s.description(), s.seed(), s.durationNanos(), s.cluster(), s.topics(), lighter, s.faults(),
                s.expectations(), s.bugs());
        return fails(candidate) ? lighterWorkload(candidate) : s;
    }

    private static Scenario withFaults(Scenario s, List<Scenario.FaultEntry> faults) {
        return new Scenario(s.name(), s.description(), s.seed(), s.durationNanos(), s.cluster(), s.topics(), s.workload(), faults,
                s.expectations(), s.bugs());
    }
}
