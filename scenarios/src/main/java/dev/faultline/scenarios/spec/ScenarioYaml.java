package dev.faultline.scenarios.spec;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonSetter;
import com.fasterxml.jackson.annotation.Nulls;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonStreamContext;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.ObjectCodec;
import com.fasterxml.jackson.core.io.IOContext;
import com.fasterxml.jackson.databind.BeanDescription;
import com.fasterxml.jackson.databind.DeserializationConfig;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.deser.BeanDeserializerBase;
import com.fasterxml.jackson.databind.deser.BeanDeserializerModifier;
import com.fasterxml.jackson.databind.deser.DeserializationProblemHandler;
import com.fasterxml.jackson.databind.deser.std.DelegatingDeserializer;
import com.fasterxml.jackson.databind.exc.ValueInstantiationException;
import com.fasterxml.jackson.databind.module.SimpleDeserializers;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.type.CollectionType;
import com.fasterxml.jackson.databind.type.MapType;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLGenerator;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.faultline.scenarios.spec.Formats.Format;
import java.io.IOException;
import java.io.Reader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.CollectionStartEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.NodeEvent;
import org.yaml.snakeyaml.events.ScalarEvent;

/**
 * Scenario files bound to the {@link Scenario} records with Jackson YAML, and written back.
 *
 * <p>Reading: every scalar is read as the text it is written as and typed by the record component
 * it binds to (YAML 1.1's implicit types would read {@code no} as false and {@code 017} as 15);
 * aliases ({@code *name}) are expanded; every key and value read is recorded in {@link Problems}
 * by its path, so that problems found after binding still name their line and column. A problem
 * found while binding (an unknown key, a value of the wrong shape or format) is reported and binding
 * goes on, so that one reading reports them all.
 */
final class ScenarioYaml {
    private ScenarioYaml() {
    }

    /** YAML nesting deeper than this is refused. */
    static final int MAX_DEPTH = 50;
    /** Values that aliases may expand to in one file, bounded against alias bombs ("billion laughs"). */
    static final int MAX_ALIASED = 10_000;

    private static final Factory FACTORY = new Factory();

    static final ObjectMapper MAPPER = YAMLMapper.builder(FACTORY)
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .disable(YAMLGenerator.Feature.WRITE_DOC_START_MARKER)
            .disable(YAMLGenerator.Feature.SPLIT_LINES)
            .enable(YAMLGenerator.Feature.MINIMIZE_QUOTES)
            .enable(YAMLGenerator.Feature.INDENT_ARRAYS_WITH_INDICATOR)
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .defaultPropertyInclusion(JsonInclude.Value.construct(JsonInclude.Include.NON_EMPTY, JsonInclude.Include.NON_EMPTY))
            .withConfigOverride(List.class, o -> o.setSetterInfo(JsonSetter.Value.construct(Nulls.AS_EMPTY, Nulls.SKIP)))
            .withConfigOverride(Map.class, o -> o.setSetterInfo(JsonSetter.Value.construct(Nulls.AS_EMPTY, Nulls.SKIP)))
            .addModule(module())
            .addHandler(new Handler())
            .build();

    /** Every scalar type read in its {@link Format}; values of the wrong shape reported. */
    private static SimpleModule module() {
        SimpleModule m = new SimpleModule("scenario");
        m.setDeserializerModifier(new ShapeCheck());
        m.setDeserializers(new SimpleDeserializers(Map.of(String.class, new Formats.In(Format.TEXT), int.class, new Formats.In(Format.INT),
                Integer.class, new Formats.In(Format.INT), long.class, new Formats.In(Format.LONG), Long.class, new Formats.In(Format.LONG),
                double.class, new Formats.In(Format.DECIMAL), Double.class, new Formats.In(Format.DECIMAL), boolean.class, new Formats.In(Format.BOOL),
                Boolean.class, new Formats.In(Format.BOOL))));
        return m;
    }

    /** The scenario in {@code text}, or {@code null}; every problem found while binding is in {@code problems}. */
    static Scenario read(String text, Problems problems) {
        try (Parser p = (Parser) FACTORY.createParser(text)) {
            p.problems = problems;
            if (p.nextToken() == null) {
                problems.at(1, 1, "the file is empty; a scenario needs at least 'name' and 'cluster'");
                return null;
            }
            Scenario s = MAPPER.readerFor(Scenario.class).withAttribute(Problems.class, problems).readValue(p);
            if (p.nextToken() != null) {
                problems.at(p.currentTokenLocation(), "not valid YAML: a scenario file holds one document, but another starts here");
            }
            return s;
        } catch (JsonProcessingException e) {
            // What SnakeYAML says (its problem, where it found it), or what this parser refused; what
            // else Jackson says is shown unless it names Java classes.
            Refused refused = cause(e, Refused.class);
            org.yaml.snakeyaml.error.MarkedYAMLException yaml = cause(e, org.yaml.snakeyaml.error.MarkedYAMLException.class);
            if (refused != null) {
                JsonLocation at = refused.getLocation();
                problems.reset(at.getLineNr(), at.getColumnNr(), refused.getOriginalMessage());
            } else if (yaml != null) {
                Mark m = yaml.getProblemMark() != null ? yaml.getProblemMark() : yaml.getContextMark();
                String what = yaml.getProblem() != null ? yaml.getProblem() : yaml.getMessage();
                problems.reset(m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1, "not valid YAML: " + what);
            } else {
                JsonLocation at = e.getLocation();
                String message = e.getOriginalMessage() == null ? "" : e.getOriginalMessage();
                problems.reset(at == null ? 1 : Math.max(1, at.getLineNr()), at == null ? 1 : Math.max(1, at.getColumnNr()),
                        message.matches("(?s).*(Exception|java\\.|jackson|`).*") ? "not valid YAML here" : "not valid YAML: " + message);
            }
        } catch (IOException e) {
            problems.reset(1, 1, "cannot read the text");
        }
        return null;
    }

    /** The first of {@code e} and its causes that is a {@code type}, or {@code null}. */
    private static <T extends Throwable> T cause(Throwable e, Class<T> type) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (type.isInstance(t)) {
                return type.cast(t);
            }
        }
        return null;
    }

    /** The scenario as YAML that {@link #read} reads to an equal scenario. */
    static String write(Scenario s) {
        ObjectNode tree = MAPPER.valueToTree(s);
        ObjectNode cluster = (ObjectNode) tree.get("cluster");
        // Keys that apply to one mode only are refused in the others.
        if (s.cluster().mode() != Scenario.Mode.KRAFT) {
            cluster.remove(List.of("controllers", "combined"));
        }
        if (s.cluster().mode() != Scenario.Mode.ZOOKEEPER) {
            cluster.remove("zookeeper");
        }
        try {
            return MAPPER.writeValueAsString(tree);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("cannot write scenario " + s.name(), e);
        }
    }

    // ------------------------------------------------------------------ where things are

    static Problems problems(DeserializationContext ctxt) {
        return (Problems) ctxt.getAttribute(Problems.class);
    }

    /** The context of the value at the parser's token (a mapping or list it starts is a context of its own). */
    private static JsonStreamContext context(JsonParser p) {
        JsonStreamContext c = p.getParsingContext();
        return p.currentToken() != null && p.currentToken().isStructStart() ? c.getParent() : c;
    }

    /** The path of the value at the parser's token, such as {@code /faults/2/crash/target}; "" for the whole file. */
    static String path(JsonParser p) {
        return path(context(p));
    }

    private static String path(JsonStreamContext c) {
        StringBuilder sb = new StringBuilder();
        for (; c != null && !c.inRoot(); c = c.getParent()) {
            sb.insert(0, c.inArray() ? Integer.toString(c.getCurrentIndex()) : c.getCurrentName()).insert(0, '/');
        }
        return sb.toString();
    }

    /** The key the value at the parser's token belongs to; for an item of a list, the list's key. */
    static String name(JsonParser p) {
        JsonStreamContext c = context(p);
        while (c != null && c.inArray()) {
            c = c.getParent();
        }
        return c == null || c.getCurrentName() == null ? "value" : c.getCurrentName();
    }

    /** How messages name the value in {@code c}: "'cluster'", "a topic", "a scenario". */
    private static String label(JsonStreamContext c) {
        if (c.inRoot()) {
            return "a scenario";
        }
        if (c.inObject()) {
            return "'" + c.getCurrentName() + "'";
        }
        String list = c.getParent() == null ? null : c.getParent().getCurrentName();
        return list == null ? "a list item" : switch (list) {
            case "topics" -> "a topic";
            case "workload" -> "a workload item (producer or consumer)";
            case "faults" -> "a fault";
            case "expect" -> "an expectation";
            default -> "an item of '" + list + "'";
        };
    }

    static void report(DeserializationContext ctxt, JsonParser p, String message) {
        problems(ctxt).at(path(p), message);
    }

    static void reportAtKey(DeserializationContext ctxt, JsonParser p, String message) {
        problems(ctxt).atKey(path(p), message);
    }

    private static TreeSet<String> keys(JsonDeserializer<?> d) {
        TreeSet<String> out = new TreeSet<>();
        Collection<Object> known = d.getKnownPropertyNames();
        if (known != null) {
            known.forEach(k -> out.add(k.toString()));
        }
        return out;
    }

    /** The YAML keys of a record, as Jackson binds them. */
    static TreeSet<String> keys(DeserializationContext ctxt, Class<?> type) throws IOException {
        return keys(ctxt.findRootValueDeserializer(ctxt.constructType(type)));
    }

    // ------------------------------------------------------------------ binding problems

    /** Unknown keys (with the closest known one), and values that a record refuses. */
    private static final class Handler extends DeserializationProblemHandler {
        @Override
        public boolean handleUnknownProperty(DeserializationContext ctxt, JsonParser p, JsonDeserializer<?> deserializer, Object bean, String key)
                throws IOException {
            TreeSet<String> known = keys(deserializer);
            // Where the mapping that has the key is. A record's unknown keys are buffered and handled
            // once the record is read (or has all its components): then the file's parser is at the
            // end of that mapping, or at one of its later keys.
            JsonParser file = ctxt.getParser();
            JsonStreamContext mapping;
            String keyPath;
            if (p == file) {
                mapping = context(p).getParent();
                keyPath = path(context(p));
            } else {
                mapping = file.hasToken(JsonToken.END_OBJECT) ? file.getParsingContext() : file.getParsingContext().getParent();
                keyPath = path(mapping) + "/" + key;
            }
            problems(ctxt).atKey(keyPath, "unknown key '" + key + "' in " + label(mapping) + Suggest.didYouMean(key, known) + "; valid keys: " + known);
            p.skipChildren();
            return true;
        }

        @Override
        public Object handleInstantiationProblem(DeserializationContext ctxt, Class<?> type, Object argument, Throwable t) throws IOException {
            Throwable cause = t instanceof ValueInstantiationException && t.getCause() != null ? t.getCause() : t;
            // The parser is at the end of the record's mapping (or at a later key of it): said about the mapping,
            // unless a value inside it was reported already (a record refuses what is missing or bad).
            JsonParser file = ctxt.getParser();
            JsonStreamContext mapping = file.hasToken(JsonToken.END_OBJECT) ? file.getParsingContext() : file.getParsingContext().getParent();
            String at = path(mapping);
            if ((cause instanceof IllegalArgumentException && !problems(ctxt).failed(at)) || problems(ctxt).isEmpty()) {
                problems(ctxt).at(at, cause.getMessage());
            }
            return null;
        }
    }

    /** Mappings where a record or map belongs, lists where a list belongs; anything else is reported and skipped. */
    private static final class ShapeCheck extends BeanDeserializerModifier {
        @Override
        public JsonDeserializer<?> modifyDeserializer(DeserializationConfig config, BeanDescription desc, JsonDeserializer<?> d) {
            return d instanceof BeanDeserializerBase ? new Shaped(d, false) : d;
        }

        @Override
        public JsonDeserializer<?> modifyCollectionDeserializer(DeserializationConfig config, CollectionType type, BeanDescription desc,
                                                                JsonDeserializer<?> d) {
            return new Shaped(d, true);
        }

        @Override
        public JsonDeserializer<?> modifyMapDeserializer(DeserializationConfig config, MapType type, BeanDescription desc, JsonDeserializer<?> d) {
            return new Shaped(d, false);
        }
    }

    private static final class Shaped extends DelegatingDeserializer {
        private static final long serialVersionUID = 1L;
        private final boolean list;

        Shaped(JsonDeserializer<?> d, boolean list) {
            super(d);
            this.list = list;
        }

        @Override
        protected JsonDeserializer<?> newDelegatingInstance(JsonDeserializer<?> d) {
            return new Shaped(d, list);
        }

        @Override
        public Object deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.hasToken(list ? JsonToken.START_ARRAY : JsonToken.START_OBJECT)) {
                String at = path(p);
                Object value = _delegatee.deserialize(p, ctxt);
                if (value != null) {
                    problems(ctxt).bound(at);
                }
                return value;
            }
            TreeSet<String> keys = keys(_delegatee);
            report(ctxt, p, label(context(p)) + (list ? " must be a list (items start with '- ')"
                    : " must be a mapping of keys to values" + (keys.isEmpty() ? "" : " (keys: " + keys + ")")));
            p.skipChildren();
            return _delegatee instanceof BeanDeserializerBase ? null : _delegatee.getEmptyValue(ctxt);
        }
    }

    // ------------------------------------------------------------------ the parser

    /** A problem with the YAML itself, said in full. */
    private static final class Refused extends JsonParseException {
        private static final long serialVersionUID = 1L;

        Refused(JsonParser p, Mark at, String message) {
            super(p, message, new JsonLocation(null, at.getIndex(), at.getLine() + 1, at.getColumn() + 1));
        }
    }

    private static final class Factory extends YAMLFactory {
        private static final long serialVersionUID = 1L;

        @Override
        public YAMLFactory copy() {
            return new Factory();
        }

        @Override
        protected YAMLParser _createParser(Reader r, IOContext ctxt) throws IOException {
            return new Parser(ctxt, _parserFeatures, _yamlParserFeatures, _loaderOptions, _objectCodec, r);
        }
    }

    /**
     * Reads scalars as text, expands aliases, refuses keys that are not scalars and nesting deeper
     * than {@link #MAX_DEPTH}, reports duplicate keys, and records where each key and value was read.
     */
    private static final class Parser extends YAMLParser {
        private Problems problems;
        /** The events of each anchored value read so far ({@code &name}), to replay where an alias names it. */
        private final Map<String, List<Event>> anchors = new TreeMap<>();
        /** Anchored collections still being read, with how deep the reading is inside each. */
        private final List<Map.Entry<String, List<Event>>> recording = new ArrayList<>();
        private final List<int[]> depths = new ArrayList<>();
        private final ArrayDeque<Event> replay = new ArrayDeque<>();
        private int aliased;

        Parser(IOContext ctxt, int parserFeatures, int yamlFeatures, LoaderOptions options, ObjectCodec codec, Reader reader) {
            super(ctxt, parserFeatures, yamlFeatures, options, codec, reader);
        }

        @Override
        protected JsonToken _decodeScalar(ScalarEvent scalar) {
            _textValue = scalar.getValue();
            _cleanedTextValue = null;
            return JsonToken.VALUE_STRING;
        }

        /** While a duplicate key's value is skipped: its tokens are not recorded. */
        private boolean skipping;

        @Override
        public JsonToken nextToken() throws IOException {
            JsonToken t = super.nextToken();
            if (t == null || t.isStructEnd() || problems == null || skipping) {
                return t;
            }
            JsonLocation at = currentTokenLocation();
            if (t == JsonToken.FIELD_NAME) {
                if (!problems.saw(path(getParsingContext()), true, at)) {
                    // The first value stands; the second is not read at all.
                    problems.at(at, "key '" + currentName() + "' appears twice");
                    skipping = true;
                    try {
                        super.nextToken();
                        skipChildren();
                    } finally {
                        skipping = false;
                    }
                    return nextToken();
                }
            } else {
                problems.saw(path(this), false, at);
            }
            return t;
        }

        /** The next event, aliases replaced by the events of the value they name. */
        private Event next() throws IOException {
            boolean replayed = !replay.isEmpty();
            Event e = replayed ? replay.removeFirst() : super.getEvent();
            if (e instanceof AliasEvent alias) {
                List<Event> value = anchors.get(alias.getAnchor());
                if (value == null) {
                    boolean inside = recording.stream().anyMatch(r -> r.getKey().equals(alias.getAnchor()));
                    throw new Refused(this, e.getStartMark(), inside ? "not valid YAML: the alias *" + alias.getAnchor() + " is inside the value it names"
                            : "not valid YAML: found undefined alias " + alias.getAnchor());
                }
                aliased += value.size();
                if (aliased > MAX_ALIASED) {
                    throw new Refused(this, e.getStartMark(), "not valid YAML here: aliases (*name) expand to more than " + MAX_ALIASED
                            + " values; a scenario needs few, and many can blow up (an alias bomb)");
                }
                for (int i = value.size() - 1; i >= 0; i--) {
                    replay.addFirst(value.get(i));
                }
                e = replay.removeFirst();
                replayed = true;
            }
            record(e, replayed);
            return e;
        }

        /** Reads past the rest of the node that {@code first} starts. */
        private void skip(Event first) throws IOException {
            int depth = first instanceof CollectionStartEvent ? 1 : 0;
            while (depth > 0) {
                Event e = next();
                depth += e instanceof CollectionStartEvent ? 1 : e instanceof CollectionEndEvent ? -1 : 0;
            }
        }

        @Override
        protected Event getEvent() throws IOException {
            Event e = next();
            // A list or mapping where a key belongs: reported, and the entry is not read.
            while (e instanceof CollectionStartEvent && _parsingContext.inObject() && _currToken != JsonToken.FIELD_NAME) {
                if (problems == null) {
                    throw new Refused(this, e.getStartMark(), "keys must be plain words");
                }
                problems.at(e.getStartMark().getLine() + 1, e.getStartMark().getColumn() + 1, "keys must be plain words");
                skip(e);
                skip(next());
                e = next();
            }
            if (e instanceof CollectionStartEvent && _parsingContext.getNestingDepth() >= MAX_DEPTH) {
                throw new Refused(this, e.getStartMark(), "not valid YAML here: lists and mappings nest more than " + MAX_DEPTH + " levels deep");
            }
            return e;
        }

        /** Adds the event to the anchored values being read, and starts reading one it anchors. */
        private void record(Event e, boolean replayed) {
            for (int i = recording.size() - 1; i >= 0; i--) {
                recording.get(i).getValue().add(e);
                int[] depth = depths.get(i);
                depth[0] += e instanceof CollectionStartEvent ? 1 : e instanceof CollectionEndEvent ? -1 : 0;
                if (depth[0] == 0) {
                    anchors.put(recording.get(i).getKey(), recording.remove(i).getValue());
                    depths.remove(i);
                }
            }
            String anchor = e instanceof NodeEvent n && !replayed ? n.getAnchor() : null;
            if (anchor != null && e instanceof CollectionStartEvent) {
                recording.add(Map.entry(anchor, new ArrayList<>(List.of(e))));
                depths.add(new int[] {1});
            } else if (anchor != null) {
                anchors.put(anchor, List.of(e));
            }
        }
    }
}
