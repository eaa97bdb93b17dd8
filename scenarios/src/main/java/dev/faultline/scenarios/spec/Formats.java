package dev.faultline.scenarios.spec;

import com.fasterxml.jackson.annotation.JacksonAnnotationsInside;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.databind.BeanProperty;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.annotation.JsonDeserialize;
import com.fasterxml.jackson.databind.annotation.JsonSerialize;
import com.fasterxml.jackson.databind.deser.ContextualDeserializer;
import com.fasterxml.jackson.databind.ser.ContextualSerializer;
import com.fasterxml.jackson.databind.util.ClassUtil;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.mode.KafkaVersion;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.scenarios.spec.Scenario.Mode;
import java.io.IOException;
import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.BiFunction;
import java.util.function.Function;

/**
 * How scenario values are written in YAML, both ways: plain numbers and text, durations
 * ({@code 250ms}), rates ({@code 2000/s}), bandwidths ({@code 10Gbps}), latency models, node lists
 * ({@code broker-1} or a list), configuration maps. Every scalar arrives as the text it was written as
 * ({@link ScenarioYaml}); a value that does not parse is reported where it stands, with what would be
 * valid, and binding goes on.
 */
final class Formats {
    private Formats() {
    }

    /** The longest duration written anywhere (100 years), so that sums of two never overflow a long of nanoseconds. */
    static final long MAX_DURATION = 36_500L * 24 * Time.HOUR;

    /** The scalar formats: how each is read (an IllegalArgumentException says what would be valid) and, where not as Jackson would, written. */
    enum Format {
        TEXT((t, n) -> {
            if (t.isBlank()) {
                throw new IllegalArgumentException("'" + n + "' must not be empty");
            }
            return t;
        }, null),
        INT((t, n) -> whole(t, n, false), null),
        /** A long, which may also be written in hexadecimal (0x...). */
        LONG((t, n) -> whole(t, n, true), null),
        DECIMAL((t, n) -> {
            try {
                return Double.parseDouble(t.trim());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("'" + n + "' must be a number, not '" + t + "'");
            }
        }, null),
        BOOL((t, n) -> {
            if (!t.equals("true") && !t.equals("false")) {
                throw new IllegalArgumentException("'" + n + "' must be true or false, not '" + t + "'");
            }
            return t.equals("true");
        }, null),
        /** At most 100 years: a time plus a duration must stay a time ('at' + 'for' of 290 years wrapped around). */
        DURATION(Formats::duration, v -> Time.format((Long) v)),
        /** A duration that may be negative ({@code offset: -5s}). */
        SIGNED_DURATION((t, n) -> t.trim().startsWith("-") ? -duration(t.trim().substring(1), n) : duration(t, n),
                v -> (Long) v < 0 ? "-" + Time.format(-(Long) v) : Time.format((Long) v)),
        /** Records per second for the whole producer: {@code 2000/s} (or 2000). */
        RATE(Formats::rate, v -> number((Double) v) + "/s"),
        /** Link bandwidth in bits per second: {@code 10Gbps}, {@code 100Mbps}, ..., or {@code unlimited} (0). */
        BANDWIDTH(Formats::bandwidth, v -> (Long) v == 0 ? "unlimited" : v + "bps"),
        MODE((t, n) -> {
            Mode m = Mode.parse(t);
            if (m == null) {
                List<String> names = Modes.all().stream().map(dev.faultline.core.mode.MetadataMode::name).toList();
                throw new IllegalArgumentException("unknown mode '" + t + "'; valid modes are " + String.join(", ", names)
                        + Suggest.didYouMean(t, names));
            }
            return m;
        }, null),
        /** {@code start: warm} (true) or {@code cold} (false). */
        START((t, n) -> {
            if (!t.equals("warm") && !t.equals("cold")) {
                throw new IllegalArgumentException("'start' is warm (an established cluster at time 0) or cold (every process starts at time 0), not '"
                        + t + "'" + Suggest.didYouMean(t, List.of("warm", "cold")));
            }
            return t.equals("warm");
        }, v -> (Boolean) v ? "warm" : "cold"),
        /** {@code version: "3.9"} or {@code "4.0"}: a Kafka release (which ones a mode runs is checked with the mode). */
        VERSION((t, n) -> {
            KafkaVersion v = KafkaVersion.parse(t);
            if (v == null) {
                throw new IllegalArgumentException("'version' is a Kafka release this simulator models: " + String.join(", ", KafkaVersion.texts())
                        + ", not '" + t + "'" + Suggest.didYouMean(t, KafkaVersion.texts()));
            }
            return v;
        }, v -> ((KafkaVersion) v).text()),
        /** A producer's acks: 0, 1 or all ({@code -1} reads as all, as in Kafka). */
        ACKS((t, n) -> {
            if (!List.of("0", "1", "all", "-1").contains(t)) {
                throw new IllegalArgumentException("acks must be 0, 1 or all, not '" + t + "'");
            }
            return t.equals("-1") ? "all" : t;
        }, null),
        /** {@code latency: 0.5ms}: a constant latency (see {@link LatencyIn} for the other models). */
        LATENCY((t, n) -> LatencyModel.constant(duration(t, n)), null);

        final BiFunction<String, String, Object> read;
        final Function<Object, String> write;

        Format(BiFunction<String, String, Object> read, Function<Object, String> write) {
            this.read = read;
            this.write = write;
        }
    }

    /** A value written in a {@link Format}; a default written in {@code @JsonProperty(defaultValue)} is read in it too. */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    @JacksonAnnotationsInside
    @JsonDeserialize(using = In.class)
    @JsonSerialize(using = Out.class)
    @interface As {
        Format value();
    }

    /** Node names or roles: one ({@code broker-1}) or a list ({@code [broker-1, broker-2]}). */
    @Retention(RetentionPolicy.RUNTIME)
    @Target({ElementType.FIELD, ElementType.METHOD, ElementType.PARAMETER})
    @JacksonAnnotationsInside
    @JsonDeserialize(using = NamesIn.class)
    @JsonSerialize(using = NamesOut.class)
    @interface Names {
    }

    private static Object whole(String text, String name, boolean isLong) {
        String t = text.trim().replace("_", "");
        try {
            if (!isLong) {
                return Integer.parseInt(t);
            }
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + name + "' must be a whole number, not '" + text + "'");
        }
    }

    private static long duration(String text, String name) {
        long d;
        try {
            d = Time.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("'" + name + "': " + e.getMessage());
        }
        if (d > MAX_DURATION) {
            throw new IllegalArgumentException("'" + name + "': '" + text + "' is longer than 100 years (876000h); no run lasts that long");
        }
        return d;
    }

    private static double rate(String text, String name) {
        String t = text.trim();
        try {
            double v = Double.parseDouble(t.endsWith("/s") ? t.substring(0, t.length() - 2) : t);
            if (v > 0 && v <= 10_000_000) {
                return v;
            }
        } catch (NumberFormatException e) {
            // said below
        }
        throw new IllegalArgumentException("rate '" + text + "' must be records per second between 0 and 10,000,000, e.g. 2000/s");
    }

    private static long bandwidth(String text, String name) {
        String t = text.trim().toLowerCase(Locale.ROOT);
        if (t.equals("unlimited")) {
            return 0;
        }
        int unit = t.endsWith("gbps") || t.endsWith("mbps") || t.endsWith("kbps") ? 4 : t.endsWith("bps") ? 3 : 0;
        if (unit == 0) {
            throw new IllegalArgumentException("bandwidth '" + text + "' needs a unit: bps, kbps, Mbps or Gbps (e.g. 10Gbps), or 'unlimited'");
        }
        long scale = unit == 3 ? 1 : Map.of('g', 1_000_000_000L, 'm', 1_000_000L, 'k', 1_000L).get(t.charAt(t.length() - 4));
        double v;
        try {
            v = Double.parseDouble(t.substring(0, t.length() - unit).trim());
        } catch (NumberFormatException e) {
            v = -1;
        }
        if (!(v > 0)) {
            throw new IllegalArgumentException("bandwidth '" + text + "' is not a positive number with a unit (e.g. 10Gbps)");
        }
        if (v * scale < 1 || v * scale > 1e15) {
            throw new IllegalArgumentException("bandwidth '" + text + "' must lie between 1bps and 1000Tbps (write 'unlimited' for no limit)");
        }
        return (long) (v * scale);
    }

    /** A whole number without a fraction, else as Java writes a double. */
    static String number(double v) {
        return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
    }

    // ------------------------------------------------------------------ reading and writing one scalar

    /** Reads one scalar in its format; an absent key reads as the property's default (a primitive without one as 0). */
    static final class In extends JsonDeserializer<Object> implements ContextualDeserializer {
        private final Format format;
        private final Object absent;

        In(Format format) {
            this(format, null);
        }

        /** For {@code @As}: the format comes with the property. */
        In() {
            this(Format.TEXT, null);
        }

        private In(Format format, Object absent) {
            this.format = format;
            this.absent = absent;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            if (property == null) {
                return this;
            }
            As as = property.getAnnotation(As.class);
            Format f = as == null ? format : as.value();
            String d = property.getMetadata().getDefaultValue();
            boolean none = d == null || d.isEmpty();
            Class<?> type = property.getType().getRawClass();
            return new In(f, none ? (type.isPrimitive() ? ClassUtil.defaultValue(type) : null)
                    : d.startsWith("-") ? -(Long) f.read.apply(d.substring(1), "default") : f.read.apply(d, "default"));
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            String name = ScenarioYaml.name(p);
            if (!p.currentToken().isScalarValue()) {
                ScenarioYaml.report(ctxt, p, "'" + name + "' must be a single value, not a " + (p.hasToken(JsonToken.START_ARRAY) ? "list" : "mapping"));
                p.skipChildren();
                return absent;
            }
            try {
                Object value = format.read.apply(p.getText(), name);
                ScenarioYaml.problems(ctxt).bound(ScenarioYaml.path(p));
                return value;
            } catch (IllegalArgumentException e) {
                ScenarioYaml.report(ctxt, p, e.getMessage());
                return absent;
            }
        }

        @Override
        public Object getAbsentValue(DeserializationContext ctxt) {
            return absent;
        }
    }

    /** Writes one scalar in its format. */
    static final class Out extends JsonSerializer<Object> implements ContextualSerializer {
        private final Format format;

        Out() {
            this(Format.TEXT);
        }

        private Out(Format format) {
            this.format = format;
        }

        @Override
        public JsonSerializer<?> createContextual(SerializerProvider provider, BeanProperty property) {
            As as = property == null ? null : property.getAnnotation(As.class);
            return as == null ? this : new Out(as.value());
        }

        @Override
        public void serialize(Object value, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (format.write == null) {
                provider.defaultSerializeValue(value, gen);
            } else {
                gen.writeString(format.write.apply(value));
            }
        }
    }

    /** Leaves out a {@code create-at} of -1 (a topic that exists from the start). */
    static final class Negative {
        @Override
        public boolean equals(Object o) {
            return o instanceof Long v && v < 0;
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    /** Leaves out a {@code start} of warm (true), the default: a writer writes {@code start: cold} only. */
    static final class IsTrue {
        @Override
        public boolean equals(Object o) {
            return Boolean.TRUE.equals(o);
        }

        @Override
        public int hashCode() {
            return 0;
        }
    }

    // ------------------------------------------------------------------ structures

    /** One name or a list of names, none empty; an absent key reads as none. */
    static final class NamesIn extends JsonDeserializer<List<String>> {
        private static final In TEXT = new In(Format.TEXT);

        @Override
        public List<String> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            List<String> out = new ArrayList<>();
            if (p.hasToken(JsonToken.START_OBJECT)) {
                ScenarioYaml.report(ctxt, p, "'" + ScenarioYaml.name(p) + "' must be a single value or a list (items start with '- ')");
                p.skipChildren();
            } else if (!p.hasToken(JsonToken.START_ARRAY)) {
                out.add((String) TEXT.deserialize(p, ctxt));
            } else {
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    out.add((String) TEXT.deserialize(p, ctxt));
                }
            }
            out.removeIf(java.util.Objects::isNull);
            return List.copyOf(out);
        }

        @Override
        public List<String> getAbsentValue(DeserializationContext ctxt) {
            return List.of();
        }

        @Override
        public List<String> getEmptyValue(DeserializationContext ctxt) {
            return List.of();
        }
    }

    /** A list of one name is written as the name alone; an empty list is left out. */
    static final class NamesOut extends JsonSerializer<List<String>> {
        @Override
        public boolean isEmpty(SerializerProvider provider, List<String> names) {
            return names == null || names.isEmpty();
        }

        @Override
        public void serialize(List<String> names, JsonGenerator gen, SerializerProvider provider) throws IOException {
            if (names.size() == 1) {
                gen.writeString(names.get(0));
            } else {
                gen.writeArray(names.toArray(new String[0]), 0, names.size());
            }
        }
    }

    /**
     * Kafka, KRaft and ZooKeeper properties by their real names ({@link ConfigKeys}), each with a valid
     * value: an unknown key is a typo until proven otherwise. Sorted, so that every JVM iterates it in
     * the same order.
     */
    static final class ConfigIn extends JsonDeserializer<Map<String, String>> {
        @Override
        public Map<String, String> deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            TreeMap<String, String> out = new TreeMap<>();
            if (!p.hasToken(JsonToken.START_OBJECT)) {
                ScenarioYaml.report(ctxt, p, "'" + ScenarioYaml.name(p) + "' must be a mapping of keys to values");
                p.skipChildren();
                return out;
            }
            for (String key = p.nextFieldName(); key != null; key = p.nextFieldName()) {
                p.nextToken();
                String problem = !ConfigKeys.isKnown(key) ? null : !p.currentToken().isScalarValue()
                        ? "'" + key + "' must be a single value, not a " + (p.hasToken(JsonToken.START_ARRAY) ? "list" : "mapping")
                        : ConfigKeys.checkValue(key, p.getText());
                String notModelled = ConfigKeys.notModelled(key);
                if (notModelled != null) {
                    ScenarioYaml.reportAtKey(ctxt, p, "'" + key + "' is not modelled: " + notModelled + "; remove it");
                } else if (!ConfigKeys.isKnown(key)) {
                    ScenarioYaml.reportAtKey(ctxt, p, "unknown configuration key '" + key + "'" + Suggest.didYouMean(key, ConfigKeys.known())
                            + "; use the real Kafka or ZooKeeper property name");
                } else if (problem != null) {
                    ScenarioYaml.report(ctxt, p, problem);
                } else {
                    out.put(key, p.getText());
                }
                p.skipChildren();
            }
            return out;
        }

        @Override
        public Map<String, String> getAbsentValue(DeserializationContext ctxt) {
            return Map.of();
        }
    }

    /** {@code adaptive: true|false}, or {@code {margin: D, limit: D}}. */
    static final class AdaptiveIn extends JsonDeserializer<Scenario.Adaptive> {
        @Override
        public Scenario.Adaptive deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.hasToken(JsonToken.START_OBJECT)) {
                return ctxt.readValue(p, Scenario.Adaptive.class);
            }
            Object on = new In(Format.BOOL).deserialize(p, ctxt);
            return !Boolean.TRUE.equals(on) ? null : new Scenario.Adaptive(Scenario.Adaptive.DEFAULT.marginNanos(), Scenario.Adaptive.UNSET);
        }
    }

    /** The latency models as written: {@code {lognormal: {median: 0.5ms, p99: 3ms}}}; exactly one. */
    record Latency(@As(Format.DURATION) Long constant, Uniform uniform, Normal normal, Lognormal lognormal, Exponential exponential) {
    }

    /** The settings of a latency model, all needed. */
    interface Settings {
        LatencyModel model();

        static void need(String model, Long a, String aName, Long b, String bName) {
            if (a == null || b == null) {
                throw new IllegalArgumentException("'" + model + "' needs '" + (a == null ? aName : bName) + "'");
            }
        }
    }

    record Uniform(@As(Format.DURATION) Long min, @As(Format.DURATION) Long max) implements Settings {
        Uniform {
            Settings.need("uniform", min, "min", max, "max");
        }

        @Override
        public LatencyModel model() {
            return new LatencyModel.Uniform(min, max);
        }
    }

    record Normal(@As(Format.DURATION) Long mean, @As(Format.DURATION) Long stddev) implements Settings {
        Normal {
            Settings.need("normal", mean, "mean", stddev, "stddev");
        }

        @Override
        public LatencyModel model() {
            return new LatencyModel.Normal(mean, stddev);
        }
    }

    record Lognormal(@As(Format.DURATION) Long median, @As(Format.DURATION) Long p99) implements Settings {
        Lognormal {
            Settings.need("lognormal", median, "median", p99, "p99");
        }

        @Override
        public LatencyModel model() {
            return new LatencyModel.LogNormal(median, p99);
        }
    }

    record Exponential(@JsonProperty(defaultValue = "0s") @As(Format.DURATION) Long min, @As(Format.DURATION) Long mean) implements Settings {
        Exponential {
            Settings.need("exponential", min, "min", mean, "mean");
        }

        @Override
        public LatencyModel model() {
            return new LatencyModel.Exponential(min, mean);
        }
    }

    /** {@code latency: 0.5ms} (constant), or one of the models of {@link Latency}. */
    static final class LatencyIn extends JsonDeserializer<LatencyModel> implements ContextualDeserializer {
        private final JsonDeserializer<?> constant;

        LatencyIn() {
            this(new In(Format.LATENCY));
        }

        private LatencyIn(JsonDeserializer<?> constant) {
            this.constant = constant;
        }

        @Override
        public JsonDeserializer<?> createContextual(DeserializationContext ctxt, BeanProperty property) {
            return new LatencyIn(((In) constant).createContextual(ctxt, property));
        }

        @Override
        public LatencyModel getAbsentValue(DeserializationContext ctxt) throws JsonMappingException {
            return (LatencyModel) constant.getAbsentValue(ctxt);
        }

        @Override
        public LatencyModel deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (!p.hasToken(JsonToken.START_OBJECT)) {
                return (LatencyModel) constant.deserialize(p, ctxt);
            }
            String at = ScenarioYaml.path(p);
            Problems problems = ScenarioYaml.problems(ctxt);
            int before = problems.size();
            Latency l = ctxt.readValue(p, Latency.class);
            List<Settings> models = l == null ? List.of() : java.util.stream.Stream.of(l.uniform, l.normal, l.lognormal, l.exponential)
                    .filter(java.util.Objects::nonNull).map(Settings.class::cast).toList();
            if (problems.size() > before || l == null) {
                return null;
            }
            List<String> written = java.util.stream.Stream.of("constant", "uniform", "normal", "lognormal", "exponential")
                    .filter(k -> problems.has(at + "/" + k)).toList();
            if (written.size() != 1 || models.size() + (l.constant == null ? 0 : 1) != 1) {
                problems.at(at, "'latency' takes exactly one model: constant, uniform, normal, lognormal or exponential");
                return null;
            }
            try {
                return l.constant != null ? LatencyModel.constant(l.constant) : models.get(0).model();
            } catch (IllegalArgumentException e) {
                problems.at(at + "/" + written.get(0), e.getMessage());
                return null;
            }
        }
    }

    static final class LatencyOut extends JsonSerializer<LatencyModel> {
        @Override
        public void serialize(LatencyModel l, JsonGenerator gen, SerializerProvider provider) throws IOException {
            Map<String, Map<String, String>> model = l instanceof LatencyModel.Uniform u ? Map.of("uniform", settings("min", u.minNanos(), "max", u.maxNanos()))
                    : l instanceof LatencyModel.Normal n ? Map.of("normal", settings("mean", n.meanNanos(), "stddev", n.stddevNanos()))
                    : l instanceof LatencyModel.LogNormal n ? Map.of("lognormal", settings("median", n.medianNanos(), "p99", n.p99Nanos()))
                    : l instanceof LatencyModel.Exponential e ? Map.of("exponential", settings("min", e.minNanos(), "mean", e.meanNanos())) : null;
            if (model == null) {
                gen.writeString(Time.format(((LatencyModel.Constant) l).nanos()));
            } else {
                provider.defaultSerializeValue(model, gen);
            }
        }

        private static Map<String, String> settings(String a, long x, String b, long y) {
            Map<String, String> out = new java.util.LinkedHashMap<>();
            out.put(a, Time.format(x));
            out.put(b, Time.format(y));
            return out;
        }
    }
}
