package dev.faultline.scenarios.spec;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import java.util.List;
import java.util.Map;

/**
 * Writes a scenario back as YAML that {@link ScenarioLoader} reads to an equal scenario: the
 * resolved scenario of a run directory, and the minimal failing scenarios the fuzzer finds.
 */
public final class ScenarioWriter {
    private ScenarioWriter() {
    }

    public static String write(Scenario s) {
        StringBuilder y = new StringBuilder();
        y.append("name: ").append(s.name()).append('\n');
        if (!s.description().isEmpty()) {
            y.append("description: ").append(quote(s.description())).append('\n');
        }
        y.append("seed: ").append(s.seed()).append('\n');
        y.append("duration: ").append(Time.format(s.durationNanos())).append('\n');
        if (s.adaptive() != null) {
            y.append("adaptive: {margin: ").append(Time.format(s.adaptive().marginNanos())).append(", limit: ")
                    .append(Time.format(s.adaptive().limitNanos())).append("}\n");
        }
        Scenario.Cluster c = s.cluster();
        y.append("cluster:\n");
        y.append("  mode: ").append(c.mode().yamlName()).append('\n');
        y.append("  brokers: ").append(c.brokers()).append('\n');
        if (c.warmStart()) {
            y.append("  start: warm\n");
        }
        if (!c.racks().isEmpty()) {
            y.append("  racks: ").append(list(c.racks())).append('\n');
        }
        if (c.mode() == Scenario.Mode.KRAFT) {
            y.append("  controllers: ").append(c.controllers()).append('\n');
            y.append("  combined: ").append(c.combined()).append('\n');
        }
        if (c.mode() == Scenario.Mode.ZOOKEEPER) {
            y.append("  zookeeper: ").append(c.zookeeper()).append('\n');
        }
        if (!c.config().isEmpty()) {
            y.append("  config:\n");
            config(y, "    ", c.config());
        }
        if (!c.brokerConfig().isEmpty()) {
            y.append("  broker-config:\n");
            for (Map.Entry<String, Map<String, String>> e : new java.util.TreeMap<>(c.brokerConfig()).entrySet()) {
                y.append("    ").append(e.getKey()).append(":\n");
                config(y, "      ", e.getValue());
            }
        }
        y.append("  network:\n    latency: ").append(latency(c.network().latency())).append('\n');
        y.append("    bandwidth: ").append(c.network().bandwidthBitsPerSecond() == 0 ? "unlimited" : c.network().bandwidthBitsPerSecond() + "bps").append('\n');
        if (!c.network().zones().isEmpty()) {
            y.append("    zones:\n");
            for (Map.Entry<String, List<String>> z : c.network().zones().entrySet()) {
                y.append("      ").append(quote(z.getKey())).append(": [");
                for (int i = 0; i < z.getValue().size(); i++) {
                    y.append(i == 0 ? "" : ", ").append(quote(z.getValue().get(i)));
                }
                y.append("]\n");
            }
        }
        if (!c.network().between().isEmpty()) {
            y.append("    between:\n");
            for (Scenario.ZoneLatency b : c.network().between()) {
                y.append("      - {zones: [").append(quote(b.zoneA())).append(", ").append(quote(b.zoneB())).append("], latency: ")
                        .append(latency(b.latency())).append("}\n");
            }
        }
        if (!s.topics().isEmpty()) {
            y.append("topics:\n");
            for (Scenario.Topic t : s.topics()) {
                y.append("  - name: ").append(t.name()).append('\n');
                y.append("    partitions: ").append(t.partitions()).append('\n');
                y.append("    replication.factor: ").append(t.replicationFactor()).append('\n');
                if (t.createdAtRuntime()) {
                    y.append("    create-at: ").append(Time.format(t.createAtNanos())).append('\n');
                }
                if (!t.config().isEmpty()) {
                    y.append("    config:\n");
                    config(y, "      ", t.config());
                }
            }
        }
        if (!s.workload().isEmpty()) {
            y.append("workload:\n");
            for (Scenario.Workload w : s.workload()) {
                if (w instanceof Scenario.Producer p) {
                    y.append("  - producer:\n      topic: ").append(p.topic()).append('\n');
                    y.append("      rate: ").append(number(p.ratePerSecond())).append("/s\n");
                    y.append("      acks: ").append(quote(p.acks())).append('\n');
                    if (p.startNanos() > 0) {
                        y.append("      start: ").append(Time.format(p.startNanos())).append('\n');
                    }
                    if (p.records() > 0) {
                        y.append("      records: ").append(p.records()).append('\n');
                    }
                    if (p.keys() > 0) {
                        y.append("      keys: ").append(p.keys()).append('\n');
                    }
                    if (!p.config().isEmpty()) {
                        y.append("      config:\n");
                        config(y, "        ", p.config());
                    }
                } else {
                    y.append("  - consumer:\n      topic: ").append(w.topic()).append('\n');
                }
            }
        }
        if (!s.faults().isEmpty()) {
            y.append("faults:\n");
            for (Scenario.FaultEntry f : s.faults()) {
                y.append("  - at: ").append(Time.format(f.atNanos())).append('\n');
                y.append("    ").append(f.fault().key()).append(": ").append(fault(f.fault())).append('\n');
                if (f.forNanos() > 0) {
                    y.append("    for: ").append(Time.format(f.forNanos())).append('\n');
                }
                if (f.everyNanos() > 0) {
                    y.append("    every: ").append(Time.format(f.everyNanos())).append('\n');
                    y.append("    until: ").append(Time.format(f.untilNanos())).append('\n');
                }
            }
        }
        if (!s.expectations().isEmpty()) {
            y.append("expect:\n");
            for (Scenario.Expectation e : s.expectations()) {
                y.append("  - ");
                if (e instanceof Scenario.ControllerElectedWithin w) {
                    y.append(e.key()).append(": ").append(Time.format(w.nanos()));
                } else if (e instanceof Scenario.AllPartitionsLedWithin w) {
                    y.append(e.key()).append(": ").append(Time.format(w.nanos()));
                } else if (e instanceof Scenario.TopicCreatedWithin w) {
                    y.append(e.key()).append(": {topic: ").append(w.topic()).append(", within: ").append(Time.format(w.nanos())).append('}');
                } else if (e instanceof Scenario.ExpectViolation v) {
                    y.append(e.key()).append(": ").append(v.invariant());
                } else {
                    y.append(e.key());
                }
                y.append('\n');
            }
        }
        if (!s.bugs().isEmpty()) {
            y.append("bugs: ").append(list(s.bugs())).append('\n');
        }
        return y.toString();
    }

    private static String fault(Scenario.FaultSpec f) {
        if (f instanceof Scenario.NodeFault n) {
            return "{target: " + targets(n.targets()) + "}";
        }
        if (f instanceof Scenario.HealFault || f instanceof Scenario.ForceControllerElection) {
            return "{}";
        }
        if (f instanceof Scenario.ControllerThreadPause p) {
            return "{target: " + targets(p.targets()) + "}";
        }
        if (f instanceof Scenario.PartitionFault p) {
            List<List<String>> g = p.groups();
            switch (p.kind()) {
                case ISOLATE: return "{isolate: " + targets(g.get(0)) + "}";
                case ONE_WAY: return "{one-way: {from: " + targets(g.get(0)) + ", to: " + targets(g.get(1)) + "}}";
                case BRIDGE: return "{bridge: {a: " + targets(g.get(0)) + ", b: " + targets(g.get(1)) + ", via: " + targets(g.get(2)) + "}}";
                case MAJORITY_MINORITY: return "{majority-minority: " + targets(g.get(0)) + "}";
                case RING: return "{ring: " + targets(g.get(0)) + "}";
                default: {
                    StringBuilder sb = new StringBuilder("{groups: [");
                    for (int i = 0; i < g.size(); i++) {
                        sb.append(i == 0 ? "" : ", ").append(g.get(i).equals(List.of("rest")) ? "rest" : list(g.get(i)));
                    }
                    return sb.append("]}").toString();
                }
            }
        }
        if (f instanceof Scenario.LinkFaultSpec l) {
            String amount = l.action() == Scenario.LinkAction.DELAY ? "by: " + Time.format(l.delayNanos()) : "probability: " + number(l.probability());
            return "{from: " + targets(l.from()) + ", to: " + targets(l.to()) + ", " + amount + ", both-ways: " + l.bothWays()
                    + (l.messages().isEmpty() ? "" : ", messages: " + list(l.messages())) + "}";
        }
        if (f instanceof Scenario.ClockFault c) {
            return "{target: " + targets(c.targets()) + ", offset: " + (c.offsetNanos() < 0 ? "-" + Time.format(-c.offsetNanos()) : Time.format(c.offsetNanos()))
                    + ", drift-ppm: " + c.driftPpm() + "}";
        }
        if (f instanceof Scenario.SlowFault s) {
            return "{target: " + targets(s.targets()) + ", factor: " + number(s.factor()) + "}";
        }
        throw new IllegalArgumentException("unknown fault " + f);
    }

    private static String targets(List<String> t) {
        return t.size() == 1 ? quote(t.get(0)) : list(t);
    }

    private static String list(List<String> items) {
        StringBuilder sb = new StringBuilder("[");
        for (int i = 0; i < items.size(); i++) {
            sb.append(i == 0 ? "" : ", ").append(quote(items.get(i)));
        }
        return sb.append(']').toString();
    }

    private static void config(StringBuilder y, String indent, Map<String, String> config) {
        for (Map.Entry<String, String> e : new java.util.TreeMap<>(config).entrySet()) {
            y.append(indent).append(e.getKey()).append(": ").append(quote(e.getValue())).append('\n');
        }
    }

    private static String latency(LatencyModel l) {
        if (l instanceof LatencyModel.Constant c) {
            return "{constant: " + Time.format(c.nanos()) + "}";
        }
        if (l instanceof LatencyModel.Uniform u) {
            return "{uniform: {min: " + Time.format(u.minNanos()) + ", max: " + Time.format(u.maxNanos()) + "}}";
        }
        if (l instanceof LatencyModel.Normal n) {
            return "{normal: {mean: " + Time.format(n.meanNanos()) + ", stddev: " + Time.format(n.stddevNanos()) + "}}";
        }
        if (l instanceof LatencyModel.LogNormal n) {
            return "{lognormal: {median: " + Time.format(n.medianNanos()) + ", p99: " + Time.format(n.p99Nanos()) + "}}";
        }
        LatencyModel.Exponential e = (LatencyModel.Exponential) l;
        return "{exponential: {min: " + Time.format(e.minNanos()) + ", mean: " + Time.format(e.meanNanos()) + "}}";
    }

    private static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    /** Quotes a scalar when YAML would otherwise read it as something else. */
    static String quote(String s) {
        if (s.matches("[A-Za-z0-9._/()-]+") && !s.matches("(?i)true|false|null|yes|no|on|off|~") && !s.matches("[0-9.]+")) {
            return s;
        }
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"") + "\"";
    }
}
