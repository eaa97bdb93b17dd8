package dev.faultline.scenarios.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.std.StdDeserializer;
import com.fasterxml.jackson.databind.ser.std.StdSerializer;
import dev.faultline.core.fault.Fault.PartitionKind;
import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.scenarios.spec.Formats.As;
import dev.faultline.scenarios.spec.Formats.Format;
import dev.faultline.scenarios.spec.Formats.Names;
import dev.faultline.scenarios.spec.Expectation;
import dev.faultline.scenarios.spec.Scenario.FaultEntry;
import dev.faultline.scenarios.spec.FaultSpec;
import dev.faultline.scenarios.spec.FaultSpec.LinkAction;
import dev.faultline.scenarios.spec.FaultSpec.LinkFaultSpec;
import dev.faultline.scenarios.spec.FaultSpec.NodeAction;
import dev.faultline.scenarios.spec.FaultSpec.NodeFault;
import dev.faultline.scenarios.spec.FaultSpec.PartitionFault;
import dev.faultline.scenarios.spec.Scenario.Workload;
import java.io.IOException;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;

/**
 * The parts of a scenario written in another shape than the records they become: a workload item is
 * {@code {producer: {...}}} or {@code {consumer: {...}}}; a fault is its time, one action key with
 * the action's settings, and how it reverts or repeats; an expectation is a name or a one-key
 * mapping. Each shape is a record that Jackson binds (unknown keys and wrong values are reported as
 * anywhere else), then turned into the scenario's record, and back when written.
 */
final class Shapes {
    private Shapes() {
    }

    // ------------------------------------------------------------------ workload

    record WorkloadItem(Scenario.Producer producer, Scenario.Consumer consumer) {
    }

    static final class WorkloadIn extends StdDeserializer<Workload> {
        WorkloadIn() {
            super(Workload.class);
        }

        @Override
        public Workload deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String at = ScenarioYaml.path(p);
            Problems problems = ScenarioYaml.problems(ctxt);
            WorkloadItem w = ctxt.readValue(p, WorkloadItem.class);
            Workload out = w == null ? null : w.producer != null ? w.producer : w.consumer;
            if (w != null && problems.has(at + "/producer") == problems.has(at + "/consumer")) {
                problems.at(at, "a workload item is either 'producer' or 'consumer'");
                out = null;
            }
            // An item with a problem inside stays, for the checks between sections (which leave its bad values alone).
            if (out == null) {
                problems.unbound(at);
            }
            return out;
        }
    }

    static final class WorkloadOut extends StdSerializer<Workload> {
        WorkloadOut() {
            super(Workload.class);
        }

        @Override
        public void serialize(Workload w, JsonGenerator gen, SerializerProvider provider) throws IOException {
            provider.defaultSerializeValue(w instanceof Scenario.Producer p ? new WorkloadItem(p, null) : new WorkloadItem(null, (Scenario.Consumer) w), gen);
        }
    }

    // ------------------------------------------------------------------ faults

    /** The actions of a fault, in the order messages list them. */
    private static final List<String> ACTIONS = List.of("crash", "power-loss", "restart", "recover", "pause", "resume", "wipe-disk", "partition", "heal",
            "delay", "drop", "duplicate", "reorder", "clock", "slow", "pause-controller-thread", "force-controller-election", "controlled-shutdown");

    /** A fault as written: when it fires, one action with its settings, and when it reverts or how it repeats. */
    record FaultItem(@As(Format.DURATION) Long at, Targets crash, Targets powerLoss, Targets restart, Targets recover, Targets pause, Targets resume,
                     Targets wipeDisk, Targets controlledShutdown, Targets pauseControllerThread, Partition partition, NoSettings heal,
                     NoSettings forceControllerElection, Delay delay, Chance drop, Chance duplicate, Chance reorder, FaultSpec.ClockFault clock,
                     FaultSpec.SlowFault slow, @JsonProperty("for") @As(Format.DURATION) Long forNanos, @As(Format.DURATION) Long every, @As(Format.DURATION) Long until) {

        /** The action components (every one but the timing), by YAML key, in the record's order. */
        private static final Map<String, java.lang.reflect.Method> ACTION_COMPONENTS = new LinkedHashMap<>();

        static {
            for (RecordComponent c : FaultItem.class.getRecordComponents()) {
                if (!List.of("at", "forNanos", "every", "until").contains(c.getName())) {
                    ACTION_COMPONENTS.put(PropertyNamingStrategies.KebabCaseStrategy.INSTANCE.translate(c.getName()), c.getAccessor());
                }
            }
        }

        /** The actions bound, by YAML key. */
        Map<String, Object> actions() {
            Map<String, Object> out = new LinkedHashMap<>();
            ACTION_COMPONENTS.forEach((key, accessor) -> {
                try {
                    Object value = accessor.invoke(this);
                    if (value != null) {
                        out.put(key, value);
                    }
                } catch (ReflectiveOperationException e) {
                    throw new IllegalStateException(e);
                }
            });
            return out;
        }
    }

    /** Nodes a fault hits: {@code broker-1}, {@code [broker-1, broker-2]}, or {@code {target: ...}}. */
    @JsonDeserialize(using = TargetsIn.class)
    record Targets(@JsonProperty("target") @Names List<String> targets) {
    }

    /** The mapping form of {@link Targets}. */
    record TargetKeys(@Names List<String> target, @Names List<String> targets) {
    }

    /** {@code partition}: exactly one shape. */
    record Partition(@Names List<String> isolate, @JsonDeserialize(contentUsing = Formats.NamesIn.class) @JsonSerialize(contentUsing = Formats.NamesOut.class)
                     List<List<String>> groups, OneWay oneWay, Bridge bridge, @Names List<String> majorityMinority, @Names List<String> ring) {
    }

    record OneWay(@Names List<String> from, @Names List<String> to) {
    }

    record Bridge(@Names List<String> a, @Names List<String> b, @Names List<String> via) {
    }

    /** {@code delay}, {@code drop}, {@code duplicate}, {@code reorder}: the links between two sets of nodes, and which messages. */
    interface Link {
        List<String> from();

        List<String> to();

        boolean bothWays();

        List<String> messages();
    }

    /** {@code delay}: by how much. */
    record Delay(@Names List<String> from, @Names List<String> to, @As(Format.DURATION) Long by, boolean bothWays, @Names List<String> messages)
            implements Link {
    }

    /** {@code drop}, {@code duplicate}, {@code reorder}: with which probability. */
    record Chance(@Names List<String> from, @Names List<String> to, Double probability, boolean bothWays, @Names List<String> messages) implements Link {
    }

    /** {@code heal} and {@code force-controller-election} take no settings: {@code {}}. */
    @JsonDeserialize(using = NoSettingsIn.class)
    record NoSettings() {
    }

    static final class NoSettingsIn extends StdDeserializer<NoSettings> {
        NoSettingsIn() {
            super(NoSettings.class);
        }

        @Override
        public NoSettings deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String key = ScenarioYaml.name(p);
            JsonNode settings = ctxt.readTree(p);
            if (settings.isObject() && !settings.isEmpty()) {
                ScenarioYaml.report(ctxt, p, "'" + key + "' takes no settings: write " + key + ": {}");
            }
            return new NoSettings();
        }
    }

    static final class TargetsIn extends StdDeserializer<Targets> {
        private static final Formats.NamesIn NAMES = new Formats.NamesIn();

        TargetsIn() {
            super(Targets.class);
        }

        @Override
        public Targets deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.START_OBJECT)) {
                return new Targets(NAMES.deserialize(p, ctxt));
            }
            String at = ScenarioYaml.path(p);
            String action = ScenarioYaml.name(p);
            Problems problems = ScenarioYaml.problems(ctxt);
            TargetKeys t = ctxt.readValue(p, TargetKeys.class);
            if (t == null) {
                return null;
            }
            if (!problems.has(at + "/target") && !problems.has(at + "/targets")) {
                problems.at(at, "'" + action + "' needs a 'target' (a node such as broker-1, or a role such as active-controller)");
                return null;
            }
            return new Targets(problems.has(at + "/target") ? t.target : t.targets);
        }
    }

    static final class FaultIn extends StdDeserializer<FaultEntry> {
        FaultIn() {
            super(FaultEntry.class);
        }

        @Override
        public FaultEntry deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String at = ScenarioYaml.path(p);
            Problems problems = ScenarioYaml.problems(ctxt);
            FaultItem f = ctxt.readValue(p, FaultItem.class);
            FaultEntry e = f == null ? null : entry(f, at, problems);
            // A fault with a bad value is left out (its other checks would work on a stand-in); one with an unknown key is kept.
            if (e == null || problems.failed(at)) {
                problems.unbound(at);
                return null;
            }
            return e;
        }

        /** The fault, or {@code null} when it has a problem (its action and its time are checked whatever else is wrong with it). */
        private static FaultEntry entry(FaultItem f, String at, Problems problems) {
            List<String> written = new ArrayList<>();
            for (String key : FaultItem.ACTION_COMPONENTS.keySet()) {
                if (problems.has(at + "/" + key)) {
                    written.add(key);
                }
            }
            if (written.isEmpty()) {
                problems.at(at, "a fault needs an action: one of " + ACTIONS);
            }
            for (String extra : written.subList(Math.min(1, written.size()), written.size())) {
                problems.atKey(at + "/" + extra, "a fault has one action, but this one has both '" + written.get(0) + "' and '" + extra + "'");
            }
            if (written.size() == 1 && !problems.has(at + "/at")) {
                problems.at(at, "a fault needs 'at' (when it fires, e.g. at: 30s)");
            }
            Map<String, Object> actions = f.actions();
            if (written.size() != 1 || actions.size() != 1 || f.at == null) {
                return null;
            }
            Map.Entry<String, Object> action = actions.entrySet().iterator().next();
            FaultSpec spec = spec(action.getKey(), action.getValue(), at + "/" + action.getKey(), problems);
            return spec == null ? null : new FaultEntry(f.at, spec, f.forNanos == null ? 0 : f.forNanos, f.every == null ? 0 : f.every,
                    f.until == null ? f.at : f.until);
        }

        private static FaultSpec spec(String key, Object body, String at, Problems problems) {
            if (body instanceof Targets t) {
                return key.equals("pause-controller-thread") ? new FaultSpec.ControllerThreadPause(t.targets)
                        : new NodeFault(java.util.Arrays.stream(NodeAction.values()).filter(a -> a.key.equals(key)).findFirst().orElseThrow(), t.targets);
            }
            if (body instanceof NoSettings) {
                return key.equals("heal") ? new FaultSpec.HealFault() : new FaultSpec.ForceControllerElection();
            }
            if (body instanceof Partition p) {
                return partition(p, at, problems);
            }
            if (body instanceof Link l) {
                return link(java.util.Arrays.stream(LinkAction.values()).filter(a -> a.key.equals(key)).findFirst().orElseThrow(), l, at, problems);
            }
            if (!problems.has(at + "/target") && !problems.has(at + "/targets")) {
                problems.at(at, "'" + key + "' needs a 'target' (a node such as broker-1, or a role such as active-controller)");
                return null;
            }
            return (FaultSpec) body;
        }

        private static FaultSpec partition(Partition p, String at, Problems problems) {
            List<PartitionFault> shapes = new ArrayList<>();
            Map<String, PartitionFault> written = new LinkedHashMap<>();
            written.put("isolate", new PartitionFault(PartitionKind.ISOLATE, List.of(p.isolate)));
            written.put("groups", new PartitionFault(PartitionKind.SPLIT, p.groups));
            written.put("one-way", p.oneWay == null ? null : new PartitionFault(PartitionKind.ONE_WAY, List.of(p.oneWay.from, p.oneWay.to)));
            written.put("bridge", p.bridge == null ? null : new PartitionFault(PartitionKind.BRIDGE, List.of(p.bridge.a, p.bridge.b, p.bridge.via)));
            written.put("majority-minority", new PartitionFault(PartitionKind.MAJORITY_MINORITY, List.of(p.majorityMinority)));
            written.put("ring", new PartitionFault(PartitionKind.RING, List.of(p.ring)));
            int count = 0;
            for (Map.Entry<String, PartitionFault> shape : written.entrySet()) {
                if (problems.has(at + "/" + shape.getKey())) {
                    count++;
                    shapes.add(shape.getValue());
                }
            }
            if (count == 1 && (shapes.get(0) == null || problems.failed(at))) {
                return null;
            }
            if (count != 1) {
                problems.at(at, "'partition' takes exactly one shape: isolate, groups, one-way, bridge, majority-minority or ring");
                return null;
            }
            PartitionFault f = shapes.get(0);
            String missing = switch (f.kind()) {
                case SPLIT -> f.groups().size() < 2 ? "'groups' needs at least two groups, e.g. [[broker-1, broker-2], rest]" : null;
                case ONE_WAY -> !problems.has(at + "/one-way/from") || !problems.has(at + "/one-way/to") ? "'one-way' needs 'from' and 'to'" : null;
                case BRIDGE -> !problems.has(at + "/bridge/a") || !problems.has(at + "/bridge/b") || !problems.has(at + "/bridge/via")
                        ? "'bridge' needs 'a', 'b' (the two sides) and 'via' (the bridge node)" : null;
                default -> null;
            };
            if (missing != null) {
                problems.at(at + (f.kind() == PartitionKind.SPLIT ? "/groups" : f.kind() == PartitionKind.ONE_WAY ? "/one-way" : "/bridge"), missing);
                return null;
            }
            return f;
        }

        private static FaultSpec link(LinkAction action, Link l, String at, Problems problems) {
            String missing = !problems.has(at + "/from") || !problems.has(at + "/to")
                    ? "'" + action.key + "' needs 'from' and 'to' (nodes or roles; 'all' for every node)"
                    : action == LinkAction.DELAY && !problems.has(at + "/by") ? "'delay' needs 'by' (the added latency, e.g. by: 200ms)"
                    : action != LinkAction.DELAY && !problems.has(at + "/probability") ? "'" + action.key + "' needs 'probability' (between 0 and 1)" : null;
            if (missing != null) {
                problems.at(at, missing);
                return null;
            }
            Long by = l instanceof Delay d ? d.by : null;
            Double probability = l instanceof Chance c ? c.probability : null;
            if (by == null && probability == null) {
                return null;
            }
            return new LinkFaultSpec(action, l.from(), l.to(), l.bothWays(), by == null ? 0 : by, probability == null ? 0 : probability, l.messages());
        }
    }

    static final class FaultOut extends StdSerializer<FaultEntry> {
        FaultOut() {
            super(FaultEntry.class);
        }

        @Override
        public void serialize(FaultEntry f, JsonGenerator gen, SerializerProvider provider) throws IOException {
            gen.writeStartObject();
            gen.writeStringField("at", Time.format(f.atNanos()));
            gen.writeFieldName(f.fault().key());
            provider.defaultSerializeValue(body(f.fault()), gen);
            if (f.forNanos() > 0) {
                gen.writeStringField("for", Time.format(f.forNanos()));
            }
            if (f.everyNanos() > 0) {
                gen.writeStringField("every", Time.format(f.everyNanos()));
                gen.writeStringField("until", Time.format(f.untilNanos()));
            }
            gen.writeEndObject();
        }

        private static Object body(FaultSpec spec) {
            if (spec instanceof NodeFault n) {
                return new Targets(n.targets());
            }
            if (spec instanceof FaultSpec.ControllerThreadPause c) {
                return new Targets(c.targets());
            }
            if (spec instanceof LinkFaultSpec l) {
                return l.action() == LinkAction.DELAY ? new Delay(l.from(), l.to(), l.delayNanos(), l.bothWays(), l.messages())
                        : new Chance(l.from(), l.to(), l.probability(), l.bothWays(), l.messages());
            }
            if (spec instanceof PartitionFault p) {
                List<List<String>> g = p.groups();
                return switch (p.kind()) {
                    case ISOLATE -> new Partition(g.get(0), List.of(), null, null, null, null);
                    case SPLIT -> new Partition(null, g, null, null, null, null);
                    case ONE_WAY -> new Partition(null, List.of(), new OneWay(g.get(0), g.get(1)), null, null, null);
                    case BRIDGE -> new Partition(null, List.of(), null, new Bridge(g.get(0), g.get(1), g.get(2)), null, null);
                    case MAJORITY_MINORITY -> new Partition(null, List.of(), null, null, g.get(0), null);
                    case RING -> new Partition(null, List.of(), null, null, null, g.get(0));
                };
            }
            return spec instanceof FaultSpec.HealFault || spec instanceof FaultSpec.ForceControllerElection ? new NoSettings() : spec;
        }
    }

    // ------------------------------------------------------------------ latency between zones

    /** A {@code between} item as written: {@code {zones: [dc1, dc2], latency: {constant: 20ms}}}. */
    record Between(@Names List<String> zones, @JsonDeserialize(using = Formats.LatencyIn.class) @JsonSerialize(using = Formats.LatencyOut.class)
                   LatencyModel latency) {
    }

    static final class BetweenIn extends StdDeserializer<Scenario.ZoneLatency> {
        BetweenIn() {
            super(Scenario.ZoneLatency.class);
        }

        @Override
        public Scenario.ZoneLatency deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String at = ScenarioYaml.path(p);
            Problems problems = ScenarioYaml.problems(ctxt);
            Between b = ctxt.readValue(p, Between.class);
            Scenario.ZoneLatency out = null;
            if (b != null && (!problems.has(at + "/zones") || !problems.has(at + "/latency"))) {
                problems.at(at, "a 'between' item needs 'zones' (two zone names) and 'latency'");
            } else if (b != null && !problems.failed(at + "/zones") && b.zones.size() != 2) {
                problems.at(at + "/zones", "'zones' names two zones (the same one twice for the latency inside it), not " + b.zones.size());
            } else if (b != null && !problems.failed(at) && b.latency != null) {
                out = new Scenario.ZoneLatency(b.zones.get(0), b.zones.get(1), b.latency);
            }
            if (out == null) {
                problems.unbound(at);
            }
            return out;
        }
    }

    static final class BetweenOut extends StdSerializer<Scenario.ZoneLatency> {
        BetweenOut() {
            super(Scenario.ZoneLatency.class);
        }

        @Override
        public void serialize(Scenario.ZoneLatency z, JsonGenerator gen, SerializerProvider provider) throws IOException {
            provider.defaultSerializeValue(new Between(List.of(z.zoneA(), z.zoneB()), z.latency()), gen);
        }
    }

    // ------------------------------------------------------------------ expectations

    private static final Map<String, Expectation> NAMED = new LinkedHashMap<>();

    static {
        for (Expectation e : List.of(new Expectation.NoViolations(), new Expectation.NoDataLoss(), new Expectation.ExpectDataLoss(),
                new Expectation.FailoversComplete(), new Expectation.ProduceAcknowledged())) {
            NAMED.put(e.key(), e);
        }
    }

    /** The mapping form of an expectation; the names that take no value are keys too, to say so. */
    record ExpectItem(@As(Format.DURATION) Long controllerElectedWithin, @As(Format.DURATION) Long allPartitionsLedWithin,
                      Expectation.TopicCreatedWithin topicCreatedWithin, JsonNode expectViolation, JsonNode noViolations, JsonNode noDataLoss,
                      JsonNode expectDataLoss, JsonNode failoversComplete, JsonNode produceAcknowledged) {
    }

    /** Every expectation, in the order messages list them. */
    private static final List<String> EXPECTATIONS = List.of("no-violations", "no-data-loss", "expect-data-loss", "controller-elected-within",
            "all-partitions-led-within", "expect-violation", "topic-created-within", "failovers-complete", "produce-acknowledged");

    /** {@code expect}: a list of names ({@code no-violations}) and one-key mappings ({@code controller-elected-within: 10s}). */
    static final class ExpectIn extends StdDeserializer<List<Expectation>> {
        ExpectIn() {
            super(List.class);
        }

        @Override
        public List<Expectation> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            List<Expectation> out = new ArrayList<>();
            Problems problems = ScenarioYaml.problems(ctxt);
            if (!p.hasToken(JsonToken.START_ARRAY)) {
                ScenarioYaml.report(ctxt, p, "'expect' must be a list (items start with '- ')");
                p.skipChildren();
                return out;
            }
            while (p.nextToken() != JsonToken.END_ARRAY) {
                String at = ScenarioYaml.path(p);
                if (p.currentToken().isScalarValue()) {
                    Expectation e = NAMED.get(p.getText());
                    if (e == null) {
                        ScenarioYaml.report(ctxt, p, "unknown expectation '" + p.getText() + "'" + Suggest.didYouMean(p.getText(), EXPECTATIONS)
                                + "; valid: no-violations, no-data-loss, expect-data-loss, failovers-complete, produce-acknowledged, "
                                + "controller-elected-within: D, all-partitions-led-within: D, expect-violation: NAME, "
                                + "expect-violation: {invariant: NAME, class: hazard}, topic-created-within: {topic: T, within: D}");
                    } else {
                        out.add(e);
                    }
                    continue;
                }
                ExpectItem e = ctxt.readValue(p, ExpectItem.class);
                String tcw = at + "/topic-created-within";
                if (e != null && problems.has(tcw) && !problems.failed(tcw) && (!problems.has(tcw + "/topic") || !problems.has(tcw + "/within"))) {
                    problems.at(tcw, "'topic-created-within' needs 'topic' and 'within', e.g. {topic: events, within: 30s}");
                }
                if (e == null || problems.failed(at)) {
                    continue;
                }
                if (e.controllerElectedWithin != null) {
                    out.add(new Expectation.ControllerElectedWithin(e.controllerElectedWithin));
                }
                if (e.allPartitionsLedWithin != null) {
                    out.add(new Expectation.AllPartitionsLedWithin(e.allPartitionsLedWithin));
                }
                if (e.topicCreatedWithin != null) {
                    out.add(e.topicCreatedWithin);
                }
                if (e.expectViolation != null) {
                    Expectation.ExpectViolation v = expectViolation(e.expectViolation, at + "/expect-violation", problems);
                    if (v != null) {
                        out.add(v);
                    }
                }
                for (String name : NAMED.keySet()) {
                    if (problems.has(at + "/" + name)) {
                        problems.at(at + "/" + name, "'" + name + "' takes no value; write it as a plain list item");
                    }
                }
            }
            return out;
        }

        @Override
        public List<Expectation> getAbsentValue(DeserializationContext ctxt) {
            return List.of();
        }

        /**
         * {@code expect-violation: ID} (a BUG) or {@code expect-violation: {invariant: ID, class: C}}
         * with C one of bug, hazard, expected; null after reporting what is wrong.
         */
        private static Expectation.ExpectViolation expectViolation(JsonNode n, String at, Problems problems) {
            String usage = "'expect-violation' takes an invariant id (expect-violation: DP-S1) or {invariant: ID, class: bug|hazard|expected}";
            if (n.isTextual()) {
                String unknown = InvariantIds.problem(n.asText());
                if (unknown != null) {
                    problems.at(at, unknown);
                    return null;
                }
                return new Expectation.ExpectViolation(n.asText());
            }
            if (!n.isObject()) {
                problems.at(at, usage);
                return null;
            }
            boolean ok = true;
            java.util.Iterator<String> names = n.fieldNames();
            while (names.hasNext()) {
                String f = names.next();
                if (!f.equals("invariant") && !f.equals("class")) {
                    problems.at(at + "/" + f, "unknown key '" + f + "'" + Suggest.didYouMean(f, List.of("invariant", "class")) + "; " + usage);
                    ok = false;
                }
            }
            JsonNode id = n.get("invariant");
            JsonNode cls = n.get("class");
            String unknown = id == null || !id.isTextual() ? null : InvariantIds.problem(id.asText());
            if (id == null || !id.isTextual()) {
                problems.at(at, "'expect-violation' needs 'invariant', an invariant id; " + usage);
                ok = false;
            } else if (unknown != null) {
                problems.at(at + "/invariant", unknown);
                ok = false;
            }
            ViolationClass c = cls == null ? ViolationClass.BUG : cls.isTextual() ? ViolationClass.parse(cls.asText()) : null;
            if (c == null) {
                problems.at(cls == null ? at : at + "/class", "'class' must be bug, hazard or expected, not "
                        + (cls == null || !cls.isTextual() ? "'" + cls + "'" : "'" + cls.asText() + "'"));
                ok = false;
            }
            return ok ? new Expectation.ExpectViolation(id.asText(), c) : null;
        }
    }

    /** {@code {invariant: ID, class: C}}, in that order. */
    private static Map<String, String> expectViolationMap(Expectation.ExpectViolation v) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("invariant", v.invariant());
        m.put("class", v.violationClass().yamlName());
        return m;
    }

    static final class ExpectOut extends StdSerializer<Expectation> {
        ExpectOut() {
            super(Expectation.class);
        }

        @Override
        public void serialize(Expectation e, JsonGenerator gen, SerializerProvider provider) throws IOException {
            Object value = e instanceof Expectation.ControllerElectedWithin w ? Time.format(w.nanos())
                    : e instanceof Expectation.AllPartitionsLedWithin w ? Time.format(w.nanos())
                    : e instanceof Expectation.ExpectViolation v ? (v.violationClass() == ViolationClass.BUG ? v.invariant()
                            : expectViolationMap(v))
                    : e instanceof Expectation.TopicCreatedWithin ? e : null;
            if (value == null) {
                gen.writeString(e.key());
            } else {
                provider.defaultSerializeValue(Map.of(e.key(), value), gen);
            }
        }
    }
}
