package dev.faultline.reports;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Measurements of several runs side by side: for each case (a fault of a scenario), each metric
 * (a failover phase, a counter) and each series (a metadata mode), the samples over seeds. Knows
 * no protocol: the runner names cases, metrics and series. Insertion order is kept everywhere.
 */
public final class Comparison {
    /** Whether a metric is a duration in nanoseconds or a plain count. */
    public enum Unit { NANOS, COUNT }

    private final String title;
    private final Set<String> series = new LinkedHashSet<>();
    private final Set<String> cases = new LinkedHashSet<>();
    private final Map<String, Unit> metrics = new LinkedHashMap<>();
    private final Map<String, List<Long>> samples = new LinkedHashMap<>();
    private final Map<String, Integer> missing = new LinkedHashMap<>();
    private final Map<String, String> notes = new LinkedHashMap<>();
    /** Sweep cases: group → (x → case), in declaration order of groups and ascending x. */
    private final Map<String, java.util.TreeMap<Long, String>> sweep = new LinkedHashMap<>();
    private String sweepAxis = "";

    public Comparison(String title) {
        this.title = title;
    }

    public String title() {
        return title;
    }

    private static String key(String kase, String metric, String serie) {
        return kase + "\u0000" + metric + "\u0000" + serie;
    }

    /** Declares a metric (order of declaration is the order of reports). */
    public Comparison metric(String name, Unit unit) {
        metrics.putIfAbsent(name, unit);
        return this;
    }

    /** Adds one sample. */
    public void add(String kase, String metric, String serie, long value) {
        cases.add(kase);
        series.add(serie);
        metrics.putIfAbsent(metric, Unit.NANOS);
        samples.computeIfAbsent(key(kase, metric, serie), k -> new ArrayList<>()).add(value);
    }

    /** Records that a run never reached this phase (it is not a sample; it is counted apart). */
    public void addMissing(String kase, String metric, String serie) {
        cases.add(kase);
        series.add(serie);
        metrics.putIfAbsent(metric, Unit.NANOS);
        missing.merge(key(kase, metric, serie), 1, Integer::sum);
    }

    /**
     * Declares that {@code kase} is {@code group} at {@code x} on the sweep axis (a partition count),
     * so that reports can show each metric of the group against x.
     */
    public void sweepCase(String kase, String group, long x) {
        cases.add(kase);
        sweep.computeIfAbsent(group, g -> new java.util.TreeMap<>()).put(x, kase);
    }

    /** Names the sweep axis ({@code partitions}). */
    public void sweepAxis(String name) {
        this.sweepAxis = name;
    }

    public String sweepAxis() {
        return sweepAxis;
    }

    /** Whether cases were declared on a sweep axis with more than one point. */
    public boolean isSweep() {
        for (java.util.TreeMap<Long, String> m : sweep.values()) {
            if (m.size() > 1) {
                return true;
            }
        }
        return false;
    }

    /** The sweep groups, in declaration order. */
    public List<String> sweepGroups() {
        return List.copyOf(sweep.keySet());
    }

    /** The points of a sweep group: x → case, ascending. */
    public java.util.SortedMap<Long, String> sweepPoints(String group) {
        return java.util.Collections.unmodifiableSortedMap(sweep.getOrDefault(group, new java.util.TreeMap<>()));
    }

    /** A line printed under the table (cost-model constants, settings). */
    public void note(String name, String value) {
        notes.put(name, value);
    }

    public List<String> series() {
        return List.copyOf(series);
    }

    public List<String> cases() {
        return List.copyOf(cases);
    }

    public List<String> metrics() {
        return List.copyOf(metrics.keySet());
    }

    public Unit unit(String metric) {
        return metrics.getOrDefault(metric, Unit.NANOS);
    }

    public Map<String, String> notes() {
        return Map.copyOf(notes);
    }

    public List<Map.Entry<String, String>> notesInOrder() {
        return List.copyOf(notes.entrySet());
    }

    public boolean has(String kase, String metric, String serie) {
        String k = key(kase, metric, serie);
        return samples.containsKey(k) || missing.containsKey(k);
    }

    public Distribution distribution(String kase, String metric, String serie) {
        List<Long> s = samples.get(key(kase, metric, serie));
        if (s == null) {
            return Distribution.EMPTY;
        }
        long[] v = new long[s.size()];
        for (int i = 0; i < v.length; i++) {
            v[i] = s.get(i);
        }
        return Distribution.of(v);
    }

    public int missing(String kase, String metric, String serie) {
        return missing.getOrDefault(key(kase, metric, serie), 0);
    }
}
