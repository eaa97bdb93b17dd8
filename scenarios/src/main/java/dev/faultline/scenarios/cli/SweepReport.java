package dev.faultline.scenarios.cli;

import dev.faultline.reports.Comparison;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Builds the comparison of a sweep from its runs ({@link SweepRun}), always in run order, so
 * {@code faultline compare} on one machine and {@code faultline merge} over shards give the same
 * tables, CSV, JSON and HTML.
 */
final class SweepReport {
    static final List<String> PHASES = List.of("detect", "elect", "ready", "propagate", "client", "exit");

    private SweepReport() {
    }

    /**
     * The comparison: for each case (what failed, when it was written to fire; with the partition
     * count in a sweep), each phase by mode; then whole-run counters.
     *
     * @param header the sweep: title, notes, scenarios, whether it sweeps partitions
     * @param runs every run, any order (sorted here by index)
     */
    static Comparison build(SweepHeader header, List<SweepRun> runs) {
        List<SweepRun> ordered = new ArrayList<>(runs);
        ordered.sort(java.util.Comparator.comparingInt(SweepRun::index));
        Comparison c = new Comparison(header.title());
        for (String metric : PHASES) {
            c.metric(metric, Comparison.Unit.NANOS);
        }
        if (ordered.stream().anyMatch(r -> !r.topics().isEmpty())) {
            c.metric("topic created", Comparison.Unit.NANOS).metric("topic ready", Comparison.Unit.NANOS);
        }
        c.metric("leader elections", Comparison.Unit.COUNT).metric("controllers activated", Comparison.Unit.COUNT)
                .metric("acked writes lost", Comparison.Unit.COUNT).metric("incomplete measurements", Comparison.Unit.COUNT);
        c.sweepAxis("partitions");
        boolean several = header.scenarios().size() > 1;
        for (SweepRun r : ordered) {
            for (SweepRun.Failover f : r.failovers()) {
                boolean broker = f.kind().equals("BROKER");
                if (broker && f.cleanExit() && f.affected() == 0) {
                    continue; // it left cleanly and led nothing: nothing to measure (its shutdown is its own case)
                }
                String kase = kase(c, several, r, f.label());
                if (!(f.cleanExit() && broker)) {
                    add(c, kase, "detect", r.mode(), f.detect());
                }
                if (broker && f.affected() == 0) {
                    continue; // it led nothing: nothing to elect
                }
                add(c, kase, "elect", r.mode(), f.elect());
                if (!broker) {
                    add(c, kase, "ready", r.mode(), f.ready());
                }
                add(c, kase, "propagate", r.mode(), f.propagate());
                if (broker) {
                    add(c, kase, "client", r.mode(), f.missing().contains("client") ? -1 : f.client());
                }
            }
            for (SweepRun.Shutdown s : r.shutdowns()) {
                add(c, kase(c, several, r, s.label()), "exit", r.mode(), s.exitNanos());
            }
            for (SweepRun.Topic t : r.topics()) {
                String kase = kase(c, several, r, t.label());
                add(c, kase, "topic created", r.mode(), t.created());
                add(c, kase, "topic ready", r.mode(), t.ready());
            }
        }
        // Whole-run counters come last in the report.
        for (SweepRun r : ordered) {
            String kase = kase(c, several, r, "whole run");
            c.add(kase, "leader elections", r.mode(), r.leaderElections());
            c.add(kase, "controllers activated", r.mode(), r.controllerChanges());
            c.add(kase, "acked writes lost", r.mode(), r.lostWrites());
            c.add(kase, "incomplete measurements", r.mode(), r.incomplete().size());
        }
        for (SweepHeader.Note n : header.notes()) {
            c.note(n.name(), n.value());
        }
        long failed = ordered.stream().filter(r -> !r.passed()).count();
        long incomplete = ordered.stream().filter(r -> !r.incomplete().isEmpty()).count();
        c.note("runs", ordered.size() + " (" + failed + " failed an expectation; " + incomplete + " with incomplete measurements"
                + (incomplete > 0 ? ": " + incompleteByGroup(ordered) : "") + ")");
        return c;
    }

    /** The case name of a label in a run: prefixed by the scenario when several, suffixed and declared on the sweep axis when sweeping. */
    private static String kase(Comparison c, boolean several, SweepRun r, String label) {
        String group = several ? r.scenario() + ": " + label : label;
        if (r.partitions() == null) {
            return group;
        }
        String kase = group + " (" + r.partitions() + " partitions)";
        c.sweepCase(kase, group, r.partitions());
        return kase;
    }

    private static void add(Comparison c, String kase, String metric, String mode, long value) {
        if (value < 0) {
            c.addMissing(kase, metric, mode);
        } else {
            c.add(kase, metric, mode, value);
        }
    }

    /** "zookeeper 100000 partitions: 3, kraft: 1". */
    private static String incompleteByGroup(List<SweepRun> runs) {
        Map<String, Integer> counts = new java.util.LinkedHashMap<>();
        for (SweepRun r : runs) {
            if (!r.incomplete().isEmpty()) {
                String k = (r.partitions() == null ? "" : r.partitions() + " partitions ") + r.mode();
                counts.merge(k, 1, Integer::sum);
            }
        }
        List<String> out = new ArrayList<>();
        for (Map.Entry<String, Integer> e : counts.entrySet()) {
            out.add(e.getKey() + " " + e.getValue());
        }
        return String.join(", ", out);
    }
}
