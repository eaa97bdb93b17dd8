package dev.faultline.scenarios.spec;

import dev.faultline.core.fault.Fault;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.net.LatencyModel;
import dev.faultline.scenarios.spec.Scenario.Cluster;
import dev.faultline.scenarios.spec.Scenario.Expectation;
import dev.faultline.scenarios.spec.Scenario.FaultEntry;
import dev.faultline.scenarios.spec.Scenario.FaultSpec;
import dev.faultline.scenarios.spec.Scenario.Mode;
import dev.faultline.scenarios.spec.Scenario.Topic;
import dev.faultline.scenarios.spec.Scenario.Workload;
import java.io.IOException;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.yaml.snakeyaml.LoaderOptions;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.MarkedYAMLException;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.nodes.MappingNode;
import org.yaml.snakeyaml.nodes.Node;
import org.yaml.snakeyaml.nodes.NodeTuple;
import org.yaml.snakeyaml.nodes.ScalarNode;
import org.yaml.snakeyaml.nodes.SequenceNode;

/**
 * Reads a scenario file and validates it before anything runs. Every problem is reported (not
 * just the first) with the file, line and column, the offending key or value, and what would be
 * valid. YAML is composed with SnakeYAML's node API, which keeps the position of every node.
 */
public final class ScenarioLoader {
    private static final Set<String> TOP = Set.of("name", "description", "seed", "duration", "cluster", "topics", "workload", "faults", "expect", "bugs",
            "adaptive");
    private static final Set<String> CLUSTER = Set.of("mode", "brokers", "racks", "controllers", "combined", "zookeeper", "config", "network",
            "broker-config", "start");
    private static final Set<String> NETWORK = Set.of("latency", "bandwidth", "zones", "between");
    private static final Set<String> BETWEEN = Set.of("zones", "latency");
    private static final Set<String> TOPIC = Set.of("name", "partitions", "replication.factor", "config", "create-at");
    private static final Set<String> TOPIC_CREATED_WITHIN = Set.of("topic", "within");
    private static final Set<String> PRODUCER = Set.of("topic", "rate", "acks", "config", "start", "records", "keys");
    private static final Set<String> CONSUMER = Set.of("topic");
    private static final Set<String> TIMING = Set.of("at", "for", "every", "until");
    private static final Set<String> ADAPTIVE = Set.of("margin", "limit");
    private static final List<String> FAULT_KEYS = List.of("crash", "power-loss", "restart", "recover", "pause", "resume", "wipe-disk",
            "partition", "heal", "delay", "drop", "duplicate", "reorder", "clock", "slow", "pause-controller-thread", "force-controller-election",
            "controlled-shutdown");
    private static final List<String> EXPECTATIONS = List.of("no-violations", "no-data-loss", "expect-data-loss", "controller-elected-within",
            "all-partitions-led-within", "expect-violation", "topic-created-within", "failovers-complete", "produce-acknowledged");

    private final String file;
    private final List<Problem> problems = new ArrayList<>();
    /** Each topic's {@code create-at} node, and each {@code topic-created-within}'s node, checked once the whole file is read. */
    private final Map<String, Node> createAtNodes = new java.util.TreeMap<>();
    private final List<Map.Entry<Scenario.TopicCreatedWithin, Node>> topicExpectations = new ArrayList<>();

    private ScenarioLoader(String file) {
        this.file = file;
    }

    /** The largest scenario file read, in bytes (the library's largest is a few kilobytes). */
    public static final int MAX_FILE_BYTES = 1 << 20;
    /** The longest line, in characters: SnakeYAML's scanner slows quadratically on a long token. */
    public static final int MAX_LINE_CHARS = 10_000;
    /** The longest scenario name: it names the run directory, and file names have at most 255 bytes. */
    public static final int MAX_NAME_CHARS = 200;
    /** The longest duration written anywhere (100 years), so that sums of two never overflow a long of nanoseconds. */
    private static final long MAX_DURATION = 36_500L * 24 * Time.HOUR;
    /** Occurrences of one repeated fault at most. */
    private static final long MAX_REPEATS = 100_000;
    /** Kafka's longest topic name. */
    private static final int MAX_TOPIC_NAME = 249;
    /** Problems reported per file; the rest are counted (a mangled file can have thousands). */
    public static final int MAX_PROBLEMS = 100;
    /** YAML nesting deeper than this is refused (SnakeYAML composes recursively). */
    private static final int MAX_DEPTH = 50;
    /** Aliases of collections, bounded against alias bombs ("billion laughs"). */
    private static final int MAX_COLLECTION_ALIASES = 50;

    /** Loads and validates a scenario file. */
    public static Scenario load(Path path) throws ScenarioException {
        String file = path.toString();
        byte[] bytes;
        try {
            if (Files.isDirectory(path)) {
                throw fail(file, "is a directory, not a scenario file");
            }
            // Read at most one byte more than allowed, so that a huge file (or an endless device) is
            // refused without reading it all.
            try (java.io.InputStream in = Files.newInputStream(path)) {
                bytes = in.readNBytes(MAX_FILE_BYTES + 1);
            }
        } catch (NoSuchFileException e) {
            throw fail(file, "no such file");
        } catch (java.nio.file.AccessDeniedException e) {
            throw fail(file, "cannot read the file: permission denied");
        } catch (IOException e) {
            throw fail(file, "cannot read the file: " + (e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage()));
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw fail(file, "the file is larger than " + (MAX_FILE_BYTES >> 20) + " MiB; a scenario file is a few kilobytes of YAML");
        }
        return parse(file, decode(file, bytes));
    }

    private static ScenarioException fail(String file, String message) {
        return new ScenarioException(List.of(new Problem(file, 1, 1, message)));
    }

    /** Strict UTF-8 (a leading byte-order mark is dropped); anything else is reported where it starts. */
    private static String decode(String file, byte[] bytes) throws ScenarioException {
        if (bytes.length >= 2 && ((bytes[0] == (byte) 0xFE && bytes[1] == (byte) 0xFF) || (bytes[0] == (byte) 0xFF && bytes[1] == (byte) 0xFE))) {
            throw fail(file, "the file is UTF-16 (it starts with a UTF-16 byte-order mark); save it as UTF-8");
        }
        int from = bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF ? 3 : 0;
        java.nio.charset.CharsetDecoder decoder = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(java.nio.charset.CodingErrorAction.REPORT)
                .onUnmappableCharacter(java.nio.charset.CodingErrorAction.REPORT);
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes, from, bytes.length - from);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length);
        java.nio.charset.CoderResult r = decoder.decode(in, out, true);
        if (!r.isError()) {
            r = decoder.flush(out);
        }
        out.flip();
        if (r.isError()) {
            // out holds the text before the bad byte: count its lines and columns.
            int line = 1;
            int column = 1;
            for (int i = 0; i < out.length(); i++) {
                char c = out.charAt(i);
                if (c == '\n') {
                    line++;
                    column = 1;
                } else if (!Character.isLowSurrogate(c)) {
                    column++;
                }
            }
            int bad = bytes[in.position()] & 0xFF;
            throw new ScenarioException(List.of(new Problem(file, line, column, String.format(java.util.Locale.ROOT,
                    "not UTF-8: byte 0x%02X (byte offset %d) does not start a valid UTF-8 sequence; save the file as UTF-8", bad, in.position()))));
        }
        return out.toString();
    }

    /** Parses and validates scenario text; {@code file} names it in messages. */
    public static Scenario parse(String file, String text) throws ScenarioException {
        ScenarioLoader loader = new ScenarioLoader(file);
        Scenario s = loader.read(text.startsWith("\uFEFF") ? text.substring(1) : text);
        if (!loader.problems.isEmpty() || s == null) {
            List<Problem> problems = loader.problems;
            if (problems.size() > MAX_PROBLEMS) {
                Problem next = problems.get(MAX_PROBLEMS);
                int more = problems.size() - MAX_PROBLEMS;
                problems = new ArrayList<>(problems.subList(0, MAX_PROBLEMS));
                problems.add(new Problem(file, next.line(), next.column(), "... and " + more + " more problem" + (more == 1 ? "" : "s")
                        + " (only the first " + MAX_PROBLEMS + " are shown)"));
            }
            throw new ScenarioException(problems);
        }
        return s;
    }

    // ------------------------------------------------------------------ reading

    /**
     * Checks the raw text before YAML sees it: its size, line lengths, and characters YAML does not
     * allow (control characters other than tab and line breaks, lone surrogates, U+FFFE/U+FFFF).
     * Returns false when the text cannot be read as YAML.
     */
    private boolean precheck(String text) {
        if (text.length() > MAX_FILE_BYTES) {
            problems.add(new Problem(file, 1, 1, "the text is longer than " + MAX_FILE_BYTES + " characters; a scenario is a few kilobytes of YAML"));
            return false;
        }
        int line = 1;
        int column = 1;
        int bad = 0;
        boolean longLine = false;
        for (int i = 0; i < text.length(); ) {
            int cp = text.codePointAt(i);
            int next = i + Character.charCount(cp);
            if (cp == '\n' || (cp == '\r' && (next >= text.length() || text.charAt(next) != '\n'))) {
                line++;
                column = 1;
                longLine = false;
                i = next;
                continue;
            }
            if (!yamlPrintable(cp) && bad < 10) {
                bad++;
                problems.add(new Problem(file, line, column, String.format(java.util.Locale.ROOT,
                        "character U+%04X (%s) is not allowed in YAML; only tab, line breaks and printable characters are",
                        cp, Character.isSurrogate((char) cp) ? "a lone surrogate" : Character.getName(cp) == null ? "unassigned" : Character.getName(cp))));
            }
            if (column > MAX_LINE_CHARS && !longLine) {
                longLine = true;
                bad++;
                problems.add(new Problem(file, line, column, "line " + line + " is longer than " + MAX_LINE_CHARS
                        + " characters; a scenario needs no such line (a name, target or value this long is a mistake)"));
            }
            column++;
            i = next;
        }
        return bad == 0;
    }

    private static boolean yamlPrintable(int cp) {
        return cp == 0x9 || cp == 0xA || cp == 0xD || (cp >= 0x20 && cp <= 0x7E) || cp == 0x85 || (cp >= 0xA0 && cp <= 0xD7FF)
                || (cp >= 0xE000 && cp <= 0xFFFD) || (cp >= 0x10000 && cp <= 0x10FFFF);
    }

    private Scenario read(String text) {
        if (!precheck(text)) {
            return null;
        }
        Node root;
        LoaderOptions options = new LoaderOptions();
        options.setAllowDuplicateKeys(false);
        options.setNestingDepthLimit(MAX_DEPTH);
        options.setMaxAliasesForCollections(MAX_COLLECTION_ALIASES);
        options.setAllowRecursiveKeys(false);
        try {
            root = new Yaml(options).compose(new StringReader(text));
        } catch (MarkedYAMLException e) {
            Mark m = e.getProblemMark() != null ? e.getProblemMark() : e.getContextMark();
            String what = e.getProblem() != null ? e.getProblem() : e.getMessage();
            problems.add(new Problem(file, m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1, "not valid YAML: " + clean(what)));
            return null;
        } catch (YAMLException e) {
            Map.Entry<Mark, String> limit = locateLimit(text);
            if (limit != null) {
                report(limit.getKey(), "not valid YAML here: " + limit.getValue());
            } else {
                problems.add(new Problem(file, 1, 1, "not valid YAML: " + clean(e.getMessage())));
            }
            return null;
        } catch (StackOverflowError e) {
            problems.add(new Problem(file, 1, 1, "not valid YAML: nested too deeply"));
            return null;
        }
        if (root == null) {
            problems.add(new Problem(file, 1, 1, "the file is empty; a scenario needs at least 'name' and 'cluster'"));
            return null;
        }
        Map<String, Node> top = mapping(root, "a scenario", TOP);
        if (top == null) {
            return null;
        }
        String name = top.containsKey("name") ? string(top.get("name"), "name") : null;
        if (name == null) {
            report(root, "missing 'name' (a short name for the scenario)");
        } else if (name.length() > MAX_NAME_CHARS) {
            report(top.get("name"), "name is " + name.length() + " characters long; at most " + MAX_NAME_CHARS + " (it names the run directory)");
        } else if (!name.matches("[A-Za-z0-9._-]+")) {
            report(top.get("name"), "name '" + name + "' may use only letters, digits, '.', '_' and '-' (it names the run directory)");
        }
        String description = top.containsKey("description") ? string(top.get("description"), "description") : "";
        long seed = top.containsKey("seed") ? longValue(top.get("seed"), "seed") : 1L;
        long duration = top.containsKey("duration") ? duration(top.get("duration"), "duration") : 60 * Time.SECOND;
        if (duration <= 0 && top.containsKey("duration")) {
            report(top.get("duration"), "duration must be positive");
        }
        Cluster cluster = null;
        if (!top.containsKey("cluster")) {
            report(root, "missing 'cluster' (mode, brokers, ...)");
        } else {
            cluster = cluster(top.get("cluster"));
        }
        List<Topic> topics = top.containsKey("topics") ? topics(top.get("topics"), cluster) : List.of();
        Targets targets = cluster == null ? null : new Targets(cluster, topics);
        List<Workload> workload = top.containsKey("workload") ? workload(top.get("workload"), topics, cluster) : List.of();
        checkZoneMembers(targets, workload);
        List<FaultEntry> faults = top.containsKey("faults") ? faults(top.get("faults"), targets, duration) : List.of();
        List<Expectation> expect = top.containsKey("expect") ? expectations(top.get("expect")) : List.of();
        List<String> bugs = top.containsKey("bugs") ? bugs(top.get("bugs")) : List.of();
        Scenario.Adaptive adaptive = top.containsKey("adaptive") ? adaptive(top.get("adaptive"), duration) : null;
        checkTopicCreation(topics, duration);
        if (cluster == null || name == null) {
            return null;
        }
        return new Scenario(name, description == null ? "" : description, seed, duration, cluster, topics, workload, faults, expect, bugs,
                adaptive);
    }

    /** {@code adaptive: true|false} or {@code adaptive: {margin: 10s, limit: 1h}}. */
    private Scenario.Adaptive adaptive(Node node, long duration) {
        if (node instanceof ScalarNode) {
            return bool(node, "adaptive")
                    ? new Scenario.Adaptive(Scenario.Adaptive.DEFAULT.marginNanos(), Math.max(duration, Scenario.Adaptive.DEFAULT.limitNanos())) : null;
        }
        Map<String, Node> m = mapping(node, "'adaptive' (true, false, or {margin: D, limit: D})", ADAPTIVE);
        if (m == null) {
            return null;
        }
        long margin = m.containsKey("margin") ? duration(m.get("margin"), "margin") : Scenario.Adaptive.DEFAULT.marginNanos();
        long limit = m.containsKey("limit") ? duration(m.get("limit"), "limit") : Math.max(duration, Scenario.Adaptive.DEFAULT.limitNanos());
        if (m.containsKey("limit") && limit >= 0 && limit < duration) {
            report(m.get("limit"), "the limit " + Time.format(limit) + " is shorter than the duration " + Time.format(duration)
                    + "; the limit bounds how far an adaptive run may go past its written schedule");
        }
        return margin < 0 || limit < 0 ? null : new Scenario.Adaptive(margin, limit);
    }

    private Cluster cluster(Node node) {
        Map<String, Node> m = mapping(node, "'cluster'", CLUSTER);
        if (m == null) {
            return null;
        }
        Mode mode = Mode.KRAFT;
        if (m.containsKey("mode")) {
            String s = string(m.get("mode"), "mode");
            if (s != null) {
                mode = Mode.parse(s);
                if (mode == null) {
                    report(m.get("mode"), "unknown mode '" + s + "'; valid modes are kraft, zookeeper, oracle"
                            + Suggest.didYouMean(s, List.of("kraft", "zookeeper", "oracle")));
                    mode = Mode.KRAFT;
                }
            }
        }
        int brokers = m.containsKey("brokers") ? intValue(m.get("brokers"), "brokers", 1, 10_000) : 3;
        List<String> racks = m.containsKey("racks") ? stringList(m.get("racks"), "racks") : List.of();
        int controllers = m.containsKey("controllers") ? intValue(m.get("controllers"), "controllers", 1, 9) : 3;
        boolean combined = m.containsKey("combined") && bool(m.get("combined"), "combined");
        int zookeeper = m.containsKey("zookeeper") ? intValue(m.get("zookeeper"), "zookeeper", 1, 9) : 3;
        if (mode != Mode.KRAFT && (m.containsKey("controllers") || m.containsKey("combined"))) {
            report(m.containsKey("controllers") ? m.get("controllers") : m.get("combined"),
                    "'controllers' and 'combined' apply to mode kraft only (this cluster is " + mode.yamlName() + ")");
        }
        if (mode != Mode.ZOOKEEPER && m.containsKey("zookeeper")) {
            report(m.get("zookeeper"), "'zookeeper' (the ensemble size) applies to mode zookeeper only (this cluster is " + mode.yamlName() + ")");
        }
        if (combined && controllers > brokers) {
            report(m.get("controllers"), "combined mode needs at least as many brokers as controllers (" + controllers + " > " + brokers + ")");
        }
        Map<String, String> config = m.containsKey("config") ? config(m.get("config")) : Map.of();
        Scenario.Network network = m.containsKey("network") ? network(m.get("network"), racks)
                : new Scenario.Network(LatencyModel.constant(500 * Time.MICROSECOND), 0);
        Map<String, Map<String, String>> brokerConfig = new TreeMap<>();
        if (m.containsKey("broker-config")) {
            Map<String, Node> per = mapping(m.get("broker-config"), "'broker-config'", null);
            if (per != null) {
                for (Map.Entry<String, Node> e : per.entrySet()) {
                    String b = e.getKey();
                    long id = b.matches("broker-\\d+") ? Targets.index(b.substring(7)) : -1;
                    if (id < 1 || id > brokers || !b.equals("broker-" + id)) {
                        report(keyNode(m.get("broker-config"), b), "'broker-config' keys are brokers broker-1..broker-" + brokers + ", not '" + b + "'");
                        continue;
                    }
                    brokerConfig.put(b, config(e.getValue()));
                }
            }
        }
        boolean warm = false;
        if (m.containsKey("start")) {
            String start = string(m.get("start"), "start");
            if ("warm".equals(start)) {
                warm = true;
            } else if (start != null && !"cold".equals(start)) {
                report(m.get("start"), "'start' is warm (an established cluster at time 0) or cold (every process starts at time 0), not '"
                        + start + "'" + Suggest.didYouMean(start, List.of("warm", "cold")));
            }
        }
        return new Cluster(mode, brokers, racks, controllers, combined, zookeeper, config, network, brokerConfig, warm);
    }

    private Map<String, String> config(Node node) {
        Map<String, Node> m = mapping(node, "'config'", null);
        if (m == null) {
            return Map.of();
        }
        TreeMap<String, String> out = new TreeMap<>();
        for (Map.Entry<String, Node> e : m.entrySet()) {
            String key = e.getKey();
            if (!ConfigKeys.isKnown(key)) {
                report(keyNode(node, key), "unknown configuration key '" + key + "'" + Suggest.didYouMean(key, ConfigKeys.known())
                        + "; use the real Kafka or ZooKeeper property name");
                continue;
            }
            String v = scalar(e.getValue(), key);
            if (v != null) {
                String problem = ConfigKeys.checkValue(key, v);
                if (problem != null) {
                    report(e.getValue(), problem);
                    continue;
                }
                out.put(key, v);
            }
        }
        return out;
    }

    private Scenario.Network network(Node node, List<String> racks) {
        Map<String, Node> m = mapping(node, "'network'", NETWORK);
        LatencyModel latency = LatencyModel.constant(500 * Time.MICROSECOND);
        long bandwidth = 0;
        if (m == null) {
            return new Scenario.Network(latency, bandwidth);
        }
        if (m.containsKey("latency")) {
            LatencyModel l = latency(m.get("latency"));
            if (l != null) {
                latency = l;
            }
        }
        if (m.containsKey("bandwidth")) {
            bandwidth = bandwidth(m.get("bandwidth"));
        }
        Map<String, List<String>> zones = new TreeMap<>();
        if (m.containsKey("zones")) {
            Map<String, Node> z = mapping(m.get("zones"), "'zones' (zone name: [node names])", null);
            Map<String, String> placed = new TreeMap<>();
            if (z != null) {
                for (Map.Entry<String, Node> e : z.entrySet()) {
                    List<String> members = new ArrayList<>();
                    for (Node n : list(e.getValue(), "zone '" + e.getKey() + "'")) {
                        String name = string(n, "a node name");
                        if (name == null) {
                            continue;
                        }
                        String other = placed.put(name, e.getKey());
                        if (other != null) {
                            report(n, "'" + name + "' is placed in zone '" + other + "' and in zone '" + e.getKey() + "'");
                            continue;
                        }
                        zoneMembers.add(new ZoneMember(name, n));
                        members.add(name);
                    }
                    zones.put(e.getKey(), members);
                }
            }
        }
        java.util.TreeSet<String> known = new java.util.TreeSet<>(zones.keySet());
        known.addAll(racks);
        List<Scenario.ZoneLatency> between = new ArrayList<>();
        if (m.containsKey("between")) {
            Set<String> pairs = new java.util.TreeSet<>();
            for (Node item : list(m.get("between"), "'between'")) {
                Map<String, Node> b = mapping(item, "a 'between' item ({zones: [A, B], latency: {...}})", BETWEEN);
                if (b == null) {
                    continue;
                }
                if (!b.containsKey("zones") || !b.containsKey("latency")) {
                    report(item, "a 'between' item needs 'zones' (two zone names) and 'latency'");
                    continue;
                }
                List<String> pair = stringList(b.get("zones"), "zones");
                if (pair.size() != 2) {
                    report(b.get("zones"), "'zones' names two zones (the same one twice for the latency inside it), not " + pair.size());
                    continue;
                }
                boolean ok = true;
                for (String zone : pair) {
                    if (!known.contains(zone)) {
                        report(b.get("zones"), "unknown zone '" + zone + "'" + Suggest.didYouMean(zone, known) + "; zones: " + known
                                + " (declared under 'zones', or a rack)");
                        ok = false;
                    }
                }
                String key = pair.get(0).compareTo(pair.get(1)) <= 0 ? pair.get(0) + "|" + pair.get(1) : pair.get(1) + "|" + pair.get(0);
                if (ok && !pairs.add(key)) {
                    report(item, "the latency between '" + pair.get(0) + "' and '" + pair.get(1) + "' is given twice");
                    ok = false;
                }
                LatencyModel l = latency(b.get("latency"));
                if (ok && l != null) {
                    between.add(new Scenario.ZoneLatency(pair.get(0), pair.get(1), l));
                }
            }
        }
        return new Scenario.Network(latency, bandwidth, zones, between);
    }

    /** Node names listed under {@code network: {zones}} with their position, checked once the workload is known. */
    private final List<ZoneMember> zoneMembers = new ArrayList<>();

    private record ZoneMember(String name, Node node) {
    }

    /** Every name placed in a zone must be a node of this scenario: a cluster node, a client of the workload, or the canary. */
    private void checkZoneMembers(Targets targets, List<Workload> workload) {
        if (zoneMembers.isEmpty() || targets == null) {
            return;
        }
        java.util.TreeSet<String> names = new java.util.TreeSet<>(targets.nodeNames());
        for (int i = 0; i < workload.size(); i++) {
            names.add((workload.get(i) instanceof Scenario.Producer ? "producer-" : "consumer-") + (i + 1));
        }
        names.add("canary");
        for (ZoneMember member : zoneMembers) {
            String name = member.name();
            if (!names.contains(name)) {
                report(member.node(), "'" + name + "' is not a node of this scenario" + Suggest.didYouMean(name, names) + "; nodes: " + names);
            }
        }
    }


    private static final Set<String> LATENCY_KINDS = Set.of("constant", "uniform", "normal", "lognormal", "exponential");

    private LatencyModel latency(Node node) {
        if (node instanceof ScalarNode) {
            long d = duration(node, "latency");
            return d < 0 ? null : LatencyModel.constant(d);
        }
        Map<String, Node> m = mapping(node, "'latency' (constant, uniform, normal, lognormal or exponential)", LATENCY_KINDS);
        if (m == null || m.size() != 1) {
            if (m != null) {
                report(node, "'latency' takes exactly one model: constant, uniform, normal, lognormal or exponential");
            }
            return null;
        }
        Map.Entry<String, Node> e = m.entrySet().iterator().next();
        try {
            switch (e.getKey()) {
                case "constant":
                    return LatencyModel.constant(duration(e.getValue(), "constant"));
                case "uniform": {
                    Map<String, Node> p = mapping(e.getValue(), "'uniform'", Set.of("min", "max"));
                    return p == null ? null : new LatencyModel.Uniform(required(p, e.getValue(), "min", "uniform"), required(p, e.getValue(), "max", "uniform"));
                }
                case "normal": {
                    Map<String, Node> p = mapping(e.getValue(), "'normal'", Set.of("mean", "stddev"));
                    return p == null ? null : new LatencyModel.Normal(required(p, e.getValue(), "mean", "normal"), required(p, e.getValue(), "stddev", "normal"));
                }
                case "lognormal": {
                    Map<String, Node> p = mapping(e.getValue(), "'lognormal'", Set.of("median", "p99"));
                    return p == null ? null : new LatencyModel.LogNormal(required(p, e.getValue(), "median", "lognormal"), required(p, e.getValue(), "p99", "lognormal"));
                }
                default: {
                    Map<String, Node> p = mapping(e.getValue(), "'exponential'", Set.of("min", "mean"));
                    return p == null ? null : new LatencyModel.Exponential(p.containsKey("min") ? duration(p.get("min"), "min") : 0,
                            required(p, e.getValue(), "mean", "exponential"));
                }
            }
        } catch (IllegalArgumentException ex) {
            report(e.getValue(), ex.getMessage());
            return null;
        }
    }

    private long required(Map<String, Node> p, Node parent, String key, String what) {
        if (!p.containsKey(key)) {
            report(parent, "'" + what + "' needs '" + key + "'");
            return 1;
        }
        long d = duration(p.get(key), key);
        return d < 0 ? 1 : d;
    }

    private long bandwidth(Node node) {
        String s = scalar(node, "bandwidth");
        if (s == null) {
            return 0;
        }
        String t = s.trim().toLowerCase(Locale.ROOT);
        if (t.equals("unlimited")) {
            return 0;
        }
        long scale;
        String number;
        if (t.endsWith("gbps")) {
            scale = 1_000_000_000L;
            number = t.substring(0, t.length() - 4);
        } else if (t.endsWith("mbps")) {
            scale = 1_000_000L;
            number = t.substring(0, t.length() - 4);
        } else if (t.endsWith("kbps")) {
            scale = 1_000L;
            number = t.substring(0, t.length() - 4);
        } else if (t.endsWith("bps")) {
            scale = 1L;
            number = t.substring(0, t.length() - 3);
        } else {
            report(node, "bandwidth '" + s + "' needs a unit: bps, kbps, Mbps or Gbps (e.g. 10Gbps), or 'unlimited'");
            return 0;
        }
        try {
            double v = Double.parseDouble(number.trim());
            if (!(v > 0)) {
                throw new NumberFormatException();
            }
            if (v * scale < 1 || v * scale > 1e15) {
                report(node, "bandwidth '" + s + "' must lie between 1bps and 1000Tbps (write 'unlimited' for no limit)");
                return 0;
            }
            return (long) (v * scale);
        } catch (NumberFormatException e) {
            report(node, "bandwidth '" + s + "' is not a positive number with a unit (e.g. 10Gbps)");
            return 0;
        }
    }

    private List<Topic> topics(Node node, Cluster cluster) {
        List<Node> items = list(node, "'topics'");
        List<Topic> out = new ArrayList<>();
        Set<String> names = new java.util.TreeSet<>();
        for (Node item : items) {
            Map<String, Node> m = mapping(item, "a topic", TOPIC);
            if (m == null) {
                continue;
            }
            String name = m.containsKey("name") ? string(m.get("name"), "name") : null;
            if (name == null) {
                report(item, "a topic needs a 'name'");
                continue;
            }
            if (!names.add(name)) {
                report(m.get("name"), "topic '" + name + "' is defined twice");
            }
            if (name.length() > MAX_TOPIC_NAME || !name.matches("[A-Za-z0-9._-]+") || name.equals(".") || name.equals("..")) {
                // Kafka's own rule (org.apache.kafka.common.internals.Topic.validate).
                report(m.get("name"), "topic name '" + name + "' is not a legal Kafka topic name: at most " + MAX_TOPIC_NAME
                        + " characters, only letters, digits, '.', '_' and '-', and not '.' or '..'");
            }
            int partitions = m.containsKey("partitions") ? intValue(m.get("partitions"), "partitions", 1, 10_000_000) : 1;
            int rf = m.containsKey("replication.factor") ? intValue(m.get("replication.factor"), "replication.factor", 1, 100) : 1;
            if (cluster != null && rf > cluster.brokers()) {
                report(m.containsKey("replication.factor") ? m.get("replication.factor") : item,
                        "replication.factor " + rf + " is above the number of brokers (" + cluster.brokers() + ")");
            }
            Map<String, String> config = m.containsKey("config") ? config(m.get("config")) : Map.of();
            long createAt = -1;
            if (m.containsKey("create-at")) {
                createAt = duration(m.get("create-at"), "create-at");
                createAtNodes.put(name, m.get("create-at"));
            }
            out.add(new Topic(name, partitions, rf, config, createAt));
        }
        return out;
    }

    private List<Workload> workload(Node node, List<Topic> topics, Cluster cluster) {
        List<Workload> out = new ArrayList<>();
        Set<String> topicNames = new java.util.TreeSet<>();
        for (Topic t : topics) {
            topicNames.add(t.name());
        }
        for (Node item : list(node, "'workload'")) {
            Map<String, Node> m = mapping(item, "a workload item (producer or consumer)", Set.of("producer", "consumer"));
            if (m == null || m.size() != 1) {
                if (m != null) {
                    report(item, "a workload item is either 'producer' or 'consumer'");
                }
                continue;
            }
            boolean producer = m.containsKey("producer");
            Node body = producer ? m.get("producer") : m.get("consumer");
            Map<String, Node> p = mapping(body, producer ? "'producer'" : "'consumer'", producer ? PRODUCER : CONSUMER);
            if (p == null) {
                continue;
            }
            String topic = p.containsKey("topic") ? string(p.get("topic"), "topic") : null;
            if (topic == null) {
                report(body, "needs a 'topic'");
                continue;
            }
            if (!topicNames.contains(topic)) {
                report(p.get("topic"), "unknown topic '" + topic + "'" + Suggest.didYouMean(topic, topicNames) + "; topics: " + topicNames);
            }
            if (!producer) {
                out.add(new Scenario.Consumer(topic));
                continue;
            }
            double rate = p.containsKey("rate") ? rate(p.get("rate")) : 100;
            String acks = "all";
            if (p.containsKey("acks")) {
                acks = scalar(p.get("acks"), "acks");
                if (acks != null && !List.of("0", "1", "all", "-1").contains(acks)) {
                    report(p.get("acks"), "acks must be 0, 1 or all, not '" + acks + "'");
                }
                if ("-1".equals(acks)) {
                    acks = "all";
                }
            }
            Map<String, String> config = p.containsKey("config") ? config(p.get("config")) : Map.of();
            if (config.containsKey("bootstrap.servers") && cluster != null) {
                for (String b : config.get("bootstrap.servers").split(",")) {
                    long id = b.isBlank() ? 1 : Targets.index(b.trim().substring("broker-".length()));
                    if (id < 1 || id > cluster.brokers()) {
                        report(keyNode(p.get("config"), "bootstrap.servers"), "'bootstrap.servers' names " + b.trim()
                                + ", but the brokers are broker-1..broker-" + cluster.brokers());
                    }
                }
            }
            long start = p.containsKey("start") ? Math.max(0, duration(p.get("start"), "start")) : 0;
            long records = p.containsKey("records") ? intValue(p.get("records"), "records", 1, Integer.MAX_VALUE) : 0;
            int keys = p.containsKey("keys") ? intValue(p.get("keys"), "keys", 1, Integer.MAX_VALUE) : 0;
            out.add(new Scenario.Producer(topic, rate, acks == null ? "all" : acks, config, start, records, keys));
            if (acks == null || acks.equals("all")) {
                for (Topic t : topics) {
                    String minIsr = t.config().getOrDefault("min.insync.replicas",
                            cluster == null ? "1" : cluster.config().getOrDefault("min.insync.replicas", "1"));
                    if (t.name().equals(topic) && minIsr.matches("\\d{1,9}") && Integer.parseInt(minIsr) > t.replicationFactor()) {
                        report(p.get("topic"), "topic '" + topic + "' has min.insync.replicas " + minIsr + " above its replication.factor "
                                + t.replicationFactor() + ": no acks=all write to it can ever be acknowledged (Kafka answers each with "
                                + "NOT_ENOUGH_REPLICAS); lower min.insync.replicas or use acks: 1");
                    }
                }
            }
        }
        return out;
    }

    private double rate(Node node) {
        String s = scalar(node, "rate");
        if (s == null) {
            return 0;
        }
        String t = s.trim();
        if (t.endsWith("/s")) {
            t = t.substring(0, t.length() - 2);
        }
        try {
            double v = Double.parseDouble(t);
            if (!(v > 0) || v > 10_000_000) {
                throw new NumberFormatException();
            }
            return v;
        } catch (NumberFormatException e) {
            report(node, "rate '" + s + "' must be records per second between 0 and 10,000,000, e.g. 2000/s");
            return 0;
        }
    }

    private List<FaultEntry> faults(Node node, Targets targets, long duration) {
        List<FaultEntry> out = new ArrayList<>();
        for (Node item : list(node, "'faults'")) {
            Map<String, Node> m = mapping(item, "a fault", null);
            if (m == null) {
                continue;
            }
            String kind = null;
            for (String key : m.keySet()) {
                if (TIMING.contains(key)) {
                    continue;
                }
                if (!FAULT_KEYS.contains(key)) {
                    report(keyNode(item, key), "unknown key '" + key + "' in a fault" + Suggest.didYouMean(key, union(FAULT_KEYS, TIMING))
                            + "; a fault has 'at', one of " + FAULT_KEYS + ", and optionally 'for', 'every', 'until'");
                    continue;
                }
                if (kind != null) {
                    report(keyNode(item, key), "a fault has one action, but this one has both '" + kind + "' and '" + key + "'");
                    continue;
                }
                kind = key;
            }
            if (kind == null) {
                report(item, "a fault needs an action: one of " + FAULT_KEYS);
                continue;
            }
            long at = m.containsKey("at") ? duration(m.get("at"), "at") : 0;
            long forN = m.containsKey("for") ? duration(m.get("for"), "for") : 0;
            long every = m.containsKey("every") ? duration(m.get("every"), "every") : 0;
            long until = m.containsKey("until") ? duration(m.get("until"), "until") : at;
            if (!m.containsKey("at")) {
                report(item, "a fault needs 'at' (when it fires, e.g. at: 30s)");
            } else if (at > duration) {
                report(m.get("at"), "the fault fires at " + Time.format(at) + ", after the scenario ends (duration " + Time.format(duration) + ")");
            }
            if (m.containsKey("every") && every <= 0) {
                report(m.get("every"), "'every' must be positive");
            }
            if (m.containsKey("until") && !m.containsKey("every")) {
                report(m.get("until"), "'until' goes with 'every'");
            }
            if (m.containsKey("until") && m.containsKey("at") && until >= 0 && until < at) {
                report(m.get("until"), "'until' (" + Time.format(until) + ") is before 'at' (" + Time.format(at) + ")");
            }
            if (m.containsKey("every") && !m.containsKey("until")) {
                until = duration;
            }
            if (every > 0 && until > at && (until - at) / every >= MAX_REPEATS) {
                // Every occurrence is scheduled when the run starts.
                report(m.get("every"), "the fault would fire " + ((until - at) / every + 1) + " times (every " + Time.format(every) + " from "
                        + Time.format(at) + " to " + Time.format(until) + "); at most " + MAX_REPEATS + " times");
            }
            FaultSpec spec = faultSpec(kind, m.get(kind), targets);
            if (spec == null) {
                continue;
            }
            if (m.containsKey("for") && (spec instanceof Scenario.HealFault || spec instanceof Scenario.ClockFault
                    || (spec instanceof Scenario.NodeFault nf && (nf.action() == Scenario.NodeAction.RESTART
                    || nf.action() == Scenario.NodeAction.RESUME || nf.action() == Scenario.NodeAction.RECOVER)))) {
                report(m.get("for"), "'" + kind + "' cannot take 'for'");
            }
            out.add(new FaultEntry(at, spec, forN, every, until));
        }
        return out;
    }

    private FaultSpec faultSpec(String kind, Node body, Targets targets) {
        switch (kind) {
            case "crash": return nodeFault(Scenario.NodeAction.CRASH, body, targets);
            case "power-loss": return nodeFault(Scenario.NodeAction.POWER_LOSS, body, targets);
            case "restart": return nodeFault(Scenario.NodeAction.RESTART, body, targets);
            case "recover": return nodeFault(Scenario.NodeAction.RECOVER, body, targets);
            case "pause": return nodeFault(Scenario.NodeAction.PAUSE, body, targets);
            case "resume": return nodeFault(Scenario.NodeAction.RESUME, body, targets);
            case "wipe-disk": return nodeFault(Scenario.NodeAction.WIPE_DISK, body, targets);
            case "controlled-shutdown": {
                Scenario.NodeFault n = (Scenario.NodeFault) nodeFault(Scenario.NodeAction.CONTROLLED_SHUTDOWN, body, targets);
                if (n != null && targets != null) {
                    for (String t : n.targets()) {
                        if (!targets.isBrokerTarget(t)) {
                            report(body, "'controlled-shutdown' stops brokers cleanly, but '" + t + "' is not a broker; use broker-N, "
                                    + "leader-of(T-P), random-broker, brokers or rack(X)"
                                    + (targets.isZookeeperMode() ? ", or active-controller" : ""));
                        }
                    }
                }
                return n;
            }
            case "heal":
                if (body instanceof MappingNode mn && !mn.getValue().isEmpty()) {
                    report(body, "'heal' takes no settings: write heal: {}");
                }
                return new Scenario.HealFault();
            case "partition": return partition(body, targets);
            case "pause-controller-thread": {
                if (!zookeeperMode(targets, body, kind)) {
                    return null;
                }
                Scenario.NodeFault n = (Scenario.NodeFault) nodeFault(Scenario.NodeAction.PAUSE, body, targets);
                if (n != null && targets != null) {
                    for (String t : n.targets()) {
                        if (!targets.isBrokerTarget(t)) {
                            // The controller thread runs inside a broker; a ZooKeeper server has none.
                            report(body, "'pause-controller-thread' pauses the controller thread of a broker, but '" + t
                                    + "' is not a broker; use active-controller, broker-N, leader-of(T-P), random-broker, brokers or rack(X)");
                            return null;
                        }
                    }
                }
                return n == null ? null : new Scenario.ControllerThreadPause(n.targets());
            }
            case "force-controller-election":
                if (!zookeeperMode(targets, body, kind)) {
                    return null;
                }
                if (body instanceof MappingNode mn && !mn.getValue().isEmpty()) {
                    report(body, "'force-controller-election' takes no settings: write force-controller-election: {}");
                }
                return new Scenario.ForceControllerElection();
            case "delay": return link(Scenario.LinkAction.DELAY, body, targets);
            case "drop": return link(Scenario.LinkAction.DROP, body, targets);
            case "duplicate": return link(Scenario.LinkAction.DUPLICATE, body, targets);
            case "reorder": return link(Scenario.LinkAction.REORDER, body, targets);
            case "clock": {
                Map<String, Node> m = mapping(body, "'clock'", Set.of("target", "targets", "offset", "drift-ppm"));
                if (m == null) {
                    return null;
                }
                List<String> t = targetsOf(m, body, targets, "clock");
                long offset = 0;
                if (m.containsKey("offset")) {
                    String s = scalar(m.get("offset"), "offset");
                    if (s != null) {
                        boolean negative = s.trim().startsWith("-");
                        long d = duration(m.get("offset"), negative ? s.trim().substring(1) : s, "offset");
                        offset = negative ? -d : d;
                    }
                }
                long drift = m.containsKey("drift-ppm") ? longValue(m.get("drift-ppm"), "drift-ppm") : 0;
                if (drift <= -1_000_000 || drift >= 1_000_000) {
                    report(m.get("drift-ppm"), "drift-ppm must lie between -999999 and 999999 (parts per million), not " + drift);
                }
                return t == null ? null : new Scenario.ClockFault(t, offset, drift);
            }
            case "slow": {
                Map<String, Node> m = mapping(body, "'slow'", Set.of("target", "targets", "factor"));
                if (m == null) {
                    return null;
                }
                List<String> t = targetsOf(m, body, targets, "slow");
                double factor = m.containsKey("factor") ? number(m.get("factor"), "factor") : 4.0;
                if (!(factor > 0) || factor > 1_000_000) {
                    report(m.get("factor"), "factor must be positive and at most 1000000 (how many times slower)");
                }
                return t == null ? null : new Scenario.SlowFault(t, factor);
            }
            default:
                throw new IllegalStateException(kind);
        }
    }

    private boolean zookeeperMode(Targets targets, Node body, String kind) {
        if (targets != null && !targets.isZookeeperMode()) {
            report(body, "'" + kind + "' is a ZooKeeper-mode fault (the controller runs inside a broker there); this cluster is not mode zookeeper");
            return false;
        }
        return true;
    }

    private FaultSpec nodeFault(Scenario.NodeAction action, Node body, Targets targets) {
        if (body instanceof ScalarNode || body instanceof SequenceNode) {
            List<String> t = targetList(body, targets, action.key);
            return t == null ? null : new Scenario.NodeFault(action, t);
        }
        Map<String, Node> m = mapping(body, "'" + action.key + "'", Set.of("target", "targets"));
        if (m == null) {
            return null;
        }
        List<String> t = targetsOf(m, body, targets, action.key);
        return t == null ? null : new Scenario.NodeFault(action, t);
    }

    private List<String> targetsOf(Map<String, Node> m, Node body, Targets targets, String what) {
        Node t = m.containsKey("target") ? m.get("target") : m.get("targets");
        if (t == null) {
            report(body, "'" + what + "' needs a 'target' (a node such as broker-1, or a role such as active-controller)");
            return null;
        }
        return targetList(t, targets, what);
    }

    private List<String> targetList(Node node, Targets targets, String what) {
        List<String> names = node instanceof SequenceNode ? stringList(node, what) : List.of(nonNull(string(node, what)));
        if (targets != null) {
            boolean ok = true;
            List<Node> nodes = node instanceof SequenceNode sn ? sn.getValue() : List.of(node);
            for (int i = 0; i < names.size(); i++) {
                String problem = targets.check(names.get(i), false);
                if (problem != null) {
                    report(nodes.get(Math.min(i, nodes.size() - 1)), problem);
                    ok = false;
                }
            }
            if (!ok) {
                return null;
            }
        }
        return names;
    }

    private static String nonNull(String s) {
        return s == null ? "" : s;
    }

    private static final Set<String> PARTITION_KINDS = Set.of("isolate", "groups", "one-way", "bridge", "majority-minority", "ring");

    private FaultSpec partition(Node body, Targets targets) {
        Map<String, Node> m = mapping(body, "'partition'", PARTITION_KINDS);
        if (m == null) {
            return null;
        }
        if (m.size() != 1) {
            report(body, "'partition' takes exactly one shape: isolate, groups, one-way, bridge, majority-minority or ring");
            return null;
        }
        Map.Entry<String, Node> e = m.entrySet().iterator().next();
        Node v = e.getValue();
        switch (e.getKey()) {
            case "isolate": {
                List<String> t = targetList(v, targets, "isolate");
                return t == null ? null : new Scenario.PartitionFault(Fault.PartitionKind.ISOLATE, List.of(t));
            }
            case "groups": {
                List<List<String>> groups = new ArrayList<>();
                boolean ok = true;
                for (Node g : list(v, "'groups'")) {
                    if (g instanceof ScalarNode sn && "rest".equals(sn.getValue())) {
                        groups.add(List.of("rest"));
                        continue;
                    }
                    List<String> t = targetList(g, targets, "groups");
                    if (t == null) {
                        ok = false;
                    } else {
                        groups.add(t);
                    }
                }
                if (groups.size() < 2 && ok) {
                    report(v, "'groups' needs at least two groups, e.g. [[broker-1, broker-2], rest]");
                    return null;
                }
                return ok ? new Scenario.PartitionFault(Fault.PartitionKind.SPLIT, groups) : null;
            }
            case "one-way": {
                Map<String, Node> p = mapping(v, "'one-way'", Set.of("from", "to"));
                if (p == null || !p.containsKey("from") || !p.containsKey("to")) {
                    report(v, "'one-way' needs 'from' and 'to'");
                    return null;
                }
                List<String> from = targetList(p.get("from"), targets, "from");
                List<String> to = targetList(p.get("to"), targets, "to");
                return from == null || to == null ? null : new Scenario.PartitionFault(Fault.PartitionKind.ONE_WAY, List.of(from, to));
            }
            case "bridge": {
                Map<String, Node> p = mapping(v, "'bridge'", Set.of("a", "b", "via"));
                if (p == null || !p.containsKey("a") || !p.containsKey("b") || !p.containsKey("via")) {
                    report(v, "'bridge' needs 'a', 'b' (the two sides) and 'via' (the bridge node)");
                    return null;
                }
                List<String> a = targetList(p.get("a"), targets, "a");
                List<String> b = targetList(p.get("b"), targets, "b");
                List<String> via = targetList(p.get("via"), targets, "via");
                return a == null || b == null || via == null ? null : new Scenario.PartitionFault(Fault.PartitionKind.BRIDGE, List.of(a, b, via));
            }
            case "majority-minority": {
                List<String> t = targetList(v, targets, "majority-minority");
                return t == null ? null : new Scenario.PartitionFault(Fault.PartitionKind.MAJORITY_MINORITY, List.of(t));
            }
            default: {
                List<String> t = targetList(v, targets, "ring");
                return t == null ? null : new Scenario.PartitionFault(Fault.PartitionKind.RING, List.of(t));
            }
        }
    }

    private FaultSpec link(Scenario.LinkAction action, Node body, Targets targets) {
        Set<String> allowed = action == Scenario.LinkAction.DELAY ? Set.of("from", "to", "by", "both-ways", "messages")
                : Set.of("from", "to", "probability", "both-ways", "messages");
        Map<String, Node> m = mapping(body, "'" + action.key + "'", allowed);
        if (m == null) {
            return null;
        }
        if (!m.containsKey("from") || !m.containsKey("to")) {
            report(body, "'" + action.key + "' needs 'from' and 'to' (nodes or roles; 'all' for every node)");
            return null;
        }
        List<String> from = targetList(m.get("from"), targets, "from");
        List<String> to = targetList(m.get("to"), targets, "to");
        boolean both = m.containsKey("both-ways") && bool(m.get("both-ways"), "both-ways");
        long delay = 0;
        double p = 0;
        if (action == Scenario.LinkAction.DELAY) {
            if (!m.containsKey("by")) {
                report(body, "'delay' needs 'by' (the added latency, e.g. by: 200ms)");
            } else {
                delay = duration(m.get("by"), "by");
            }
        } else {
            if (!m.containsKey("probability")) {
                report(body, "'" + action.key + "' needs 'probability' (between 0 and 1)");
            } else {
                p = number(m.get("probability"), "probability");
                if (!(p >= 0 && p <= 1)) {
                    report(m.get("probability"), "probability must lie between 0 and 1");
                }
            }
        }
        List<String> messages = m.containsKey("messages") ? stringList(m.get("messages"), "messages") : List.of();
        for (String type : messages) {
            if (!type.matches("[A-Z][A-Za-z0-9]*")) {
                report(m.get("messages"), "'messages' lists message type names such as FetchResponse or Proposal, not '" + type + "'");
            }
        }
        return from == null || to == null ? null : new Scenario.LinkFaultSpec(action, from, to, both, delay, p, messages);
    }

    private List<Expectation> expectations(Node node) {
        List<Expectation> out = new ArrayList<>();
        for (Node item : list(node, "'expect'")) {
            if (item instanceof ScalarNode sn) {
                switch (sn.getValue()) {
                    case "no-violations": out.add(new Scenario.NoViolations()); break;
                    case "no-data-loss": out.add(new Scenario.NoDataLoss()); break;
                    case "expect-data-loss": out.add(new Scenario.ExpectDataLoss()); break;
                    case "failovers-complete": out.add(new Scenario.FailoversComplete()); break;
                    case "produce-acknowledged": out.add(new Scenario.ProduceAcknowledged()); break;
                    default:
                        report(item, "unknown expectation '" + sn.getValue() + "'" + Suggest.didYouMean(sn.getValue(), EXPECTATIONS)
                                + "; valid: no-violations, no-data-loss, expect-data-loss, failovers-complete, produce-acknowledged, controller-elected-within: D, all-partitions-led-within: D, expect-violation: NAME, topic-created-within: {topic: T, within: D}");
                }
                continue;
            }
            Map<String, Node> m = mapping(item, "an expectation", Set.copyOf(EXPECTATIONS));
            if (m == null) {
                continue;
            }
            for (Map.Entry<String, Node> e : m.entrySet()) {
                switch (e.getKey()) {
                    case "controller-elected-within": out.add(new Scenario.ControllerElectedWithin(duration(e.getValue(), e.getKey()))); break;
                    case "all-partitions-led-within": out.add(new Scenario.AllPartitionsLedWithin(duration(e.getValue(), e.getKey()))); break;
                    case "topic-created-within": {
                        Map<String, Node> t = mapping(e.getValue(), "'topic-created-within' ({topic: T, within: D})", TOPIC_CREATED_WITHIN);
                        if (t == null) {
                            break;
                        }
                        if (!t.containsKey("topic") || !t.containsKey("within")) {
                            report(e.getValue(), "'topic-created-within' needs 'topic' and 'within', e.g. {topic: events, within: 30s}");
                            break;
                        }
                        String topic = string(t.get("topic"), "topic");
                        long within = duration(t.get("within"), "within");
                        if (topic != null && within >= 0) {
                            Scenario.TopicCreatedWithin x = new Scenario.TopicCreatedWithin(topic, within);
                            out.add(x);
                            topicExpectations.add(Map.entry(x, t.get("topic")));
                        }
                        break;
                    }
                    case "expect-violation": {
                        String name = string(e.getValue(), e.getKey());
                        if (name != null) {
                            out.add(new Scenario.ExpectViolation(name));
                        }
                        break;
                    }
                    default:
                        report(e.getValue(), "'" + e.getKey() + "' takes no value; write it as a plain list item");
                }
            }
        }
        return out;
    }

    /** {@code create-at} lies within the run; {@code topic-created-within} names a topic with a {@code create-at}. */
    private void checkTopicCreation(List<Topic> topics, long durationNanos) {
        Map<String, Topic> byName = new java.util.TreeMap<>();
        for (Topic t : topics) {
            byName.put(t.name(), t);
            Node at = createAtNodes.get(t.name());
            if (at != null && t.createAtNanos() >= durationNanos) {
                report(at, "create-at " + Time.format(t.createAtNanos()) + " is not before the end of the run (duration "
                        + Time.format(durationNanos) + ")");
            }
        }
        for (Map.Entry<Scenario.TopicCreatedWithin, Node> e : topicExpectations) {
            Topic t = byName.get(e.getKey().topic());
            if (t == null) {
                report(e.getValue(), "unknown topic '" + e.getKey().topic() + "'" + Suggest.didYouMean(e.getKey().topic(), byName.keySet())
                        + "; topics: " + byName.keySet());
            } else if (!t.createdAtRuntime()) {
                report(e.getValue(), "topic '" + t.name() + "' exists from the start; give it a 'create-at' to create it during the run");
            }
        }
    }

    private List<String> bugs(Node node) {
        List<String> out = new ArrayList<>();
        List<Node> items = list(node, "'bugs'");
        for (Node item : items) {
            String s = string(item, "bugs");
            if (s == null) {
                continue;
            }
            if (!ConfigKeys.PLANTED_BUGS.contains(s)) {
                report(item, "unknown planted bug '" + s + "'" + Suggest.didYouMean(s, ConfigKeys.PLANTED_BUGS) + "; valid: " + ConfigKeys.PLANTED_BUGS);
                continue;
            }
            out.add(s);
        }
        return out;
    }

    // ------------------------------------------------------------------ node helpers

    /**
     * Where the text first nests deeper than {@link #MAX_DEPTH} or uses more than
     * {@link #MAX_COLLECTION_ALIASES} aliases: SnakeYAML's composer says only that a limit was
     * exceeded. Its parser is not recursive, so walking its events is safe at any depth.
     */
    private static Map.Entry<Mark, String> locateLimit(String text) {
        int depth = 0;
        int aliases = 0;
        try {
            for (org.yaml.snakeyaml.events.Event e : new Yaml().parse(new StringReader(text))) {
                if (e instanceof org.yaml.snakeyaml.events.CollectionStartEvent) {
                    if (++depth > MAX_DEPTH) {
                        return Map.entry(e.getStartMark(), "lists and mappings nest more than " + MAX_DEPTH + " levels deep");
                    }
                } else if (e instanceof org.yaml.snakeyaml.events.CollectionEndEvent) {
                    depth--;
                } else if (e instanceof org.yaml.snakeyaml.events.AliasEvent && ++aliases > MAX_COLLECTION_ALIASES) {
                    return Map.entry(e.getStartMark(), "more than " + MAX_COLLECTION_ALIASES
                            + " aliases (*name); a scenario needs few, and many can blow up (an alias bomb)");
                }
            }
        } catch (YAMLException e) {
            return null;
        }
        return null;
    }

    private void report(Mark m, String message) {
        problems.add(new Problem(file, m == null ? 1 : m.getLine() + 1, m == null ? 1 : m.getColumn() + 1, clean(message)));
    }

    /** A message on one line, without control characters, with long quoted values shortened. */
    static String clean(String message) {
        if (message == null) {
            return "";
        }
        StringBuilder sb = new StringBuilder(Math.min(message.length(), 4096));
        for (int i = 0; i < message.length(); ) {
            int cp = message.codePointAt(i);
            i += Character.charCount(cp);
            if (cp == '\n' || cp == '\r') {
                sb.append(' ');
            } else if (Character.isISOControl(cp) || !yamlPrintable(cp) || Character.getType(cp) == Character.FORMAT
                    || Character.getType(cp) == Character.LINE_SEPARATOR || Character.getType(cp) == Character.PARAGRAPH_SEPARATOR) {
                sb.append(String.format(java.util.Locale.ROOT, "\\u%04X", cp));
            } else {
                sb.appendCodePoint(cp);
            }
        }
        // Values are echoed: a 5,000-character name is shown by its start and its length.
        java.util.regex.Matcher m = LONG_QUOTED.matcher(sb);
        StringBuilder quoted = new StringBuilder();
        while (m.find()) {
            String v = m.group(1);
            m.appendReplacement(quoted, java.util.regex.Matcher.quoteReplacement("'" + v.substring(0, 60) + "...' (" + v.length() + " characters)"));
        }
        m.appendTail(quoted);
        m = LONG_WORD.matcher(quoted);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            String v = m.group();
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(v.substring(0, 60) + "...(" + v.length() + " characters)"));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static final java.util.regex.Pattern LONG_QUOTED = java.util.regex.Pattern.compile("'([^']{100,})'");
    private static final java.util.regex.Pattern LONG_WORD = java.util.regex.Pattern.compile("[^\\s',\\[\\]]{100,}");

    private void report(Node node, String message) {
        report(node == null ? null : node.getStartMark(), message);
    }

    /** A mapping's entries by key; reports unknown keys (with a suggestion) when {@code allowed} is given. */
    private Map<String, Node> mapping(Node node, String what, Set<String> allowed) {
        if (!(node instanceof MappingNode mn)) {
            report(node, what + " must be a mapping of keys to values" + (allowed == null ? "" : " (keys: " + new java.util.TreeSet<>(allowed) + ")"));
            return null;
        }
        Map<String, Node> out = new LinkedHashMap<>();
        for (NodeTuple t : mn.getValue()) {
            if (!(t.getKeyNode() instanceof ScalarNode k)) {
                report(t.getKeyNode(), "keys must be plain words");
                continue;
            }
            String key = k.getValue();
            if (allowed != null && !allowed.contains(key)) {
                report(k, "unknown key '" + key + "' in " + what + Suggest.didYouMean(key, allowed) + "; valid keys: " + new java.util.TreeSet<>(allowed));
                continue;
            }
            if (out.containsKey(key)) {
                report(k, "key '" + key + "' appears twice");
                continue;
            }
            out.put(key, t.getValueNode());
        }
        return out;
    }

    private Node keyNode(Node mapping, String key) {
        if (mapping instanceof MappingNode mn) {
            for (NodeTuple t : mn.getValue()) {
                if (t.getKeyNode() instanceof ScalarNode k && k.getValue().equals(key)) {
                    return k;
                }
            }
        }
        return mapping;
    }

    private String scalar(Node node, String what) {
        if (!(node instanceof ScalarNode sn)) {
            report(node, "'" + what + "' must be a single value, not a " + (node instanceof SequenceNode ? "list" : "mapping"));
            return null;
        }
        return sn.getValue();
    }

    private String string(Node node, String what) {
        String s = scalar(node, what);
        if (s != null && s.isBlank()) {
            report(node, "'" + what + "' must not be empty");
            return null;
        }
        return s;
    }

    private List<Node> list(Node node, String what) {
        if (!(node instanceof SequenceNode sn)) {
            report(node, what + " must be a list (items start with '- ')");
            return List.of();
        }
        return sn.getValue();
    }

    private List<String> stringList(Node node, String what) {
        List<String> out = new ArrayList<>();
        if (node instanceof ScalarNode) {
            String s = string(node, what);
            if (s != null) {
                out.add(s);
            }
            return out;
        }
        for (Node n : list(node, "'" + what + "'")) {
            String s = string(n, what);
            if (s != null) {
                out.add(s);
            }
        }
        return out;
    }

    private long duration(Node node, String what) {
        String s = scalar(node, what);
        return s == null ? -1 : duration(node, s, what);
    }

    private long duration(Node node, String text, String what) {
        try {
            long d = Time.parseDuration(text);
            if (d > MAX_DURATION) {
                // A time plus a duration must stay a time: 'at' + 'for' of 290 years wrapped around.
                report(node, "'" + what + "': '" + text + "' is longer than 100 years (876000h); no run lasts that long");
                return -1;
            }
            return d;
        } catch (IllegalArgumentException e) {
            report(node, "'" + what + "': " + e.getMessage());
            return -1;
        }
    }

    private int intValue(Node node, String what, int min, int max) {
        String s = scalar(node, what);
        if (s == null) {
            return min;
        }
        try {
            int v = Integer.parseInt(s.trim().replace("_", ""));
            if (v < min || v > max) {
                report(node, "'" + what + "' must be between " + min + " and " + max + ", not " + v);
                return min;
            }
            return v;
        } catch (NumberFormatException e) {
            report(node, "'" + what + "' must be a whole number, not '" + s + "'");
            return min;
        }
    }

    private long longValue(Node node, String what) {
        String s = scalar(node, what);
        if (s == null) {
            return 0;
        }
        try {
            String t = s.trim().replace("_", "");
            return t.startsWith("0x") ? Long.parseUnsignedLong(t.substring(2), 16) : Long.parseLong(t);
        } catch (NumberFormatException e) {
            report(node, "'" + what + "' must be a whole number, not '" + s + "'");
            return 0;
        }
    }

    private double number(Node node, String what) {
        String s = scalar(node, what);
        if (s == null) {
            return 0;
        }
        try {
            return Double.parseDouble(s.trim());
        } catch (NumberFormatException e) {
            report(node, "'" + what + "' must be a number, not '" + s + "'");
            return 0;
        }
    }

    private boolean bool(Node node, String what) {
        String s = scalar(node, what);
        if ("true".equals(s)) {
            return true;
        }
        if (!"false".equals(s)) {
            report(node, "'" + what + "' must be true or false, not '" + s + "'");
        }
        return false;
    }

    private static List<String> union(List<String> a, Set<String> b) {
        List<String> out = new ArrayList<>(a);
        out.addAll(b);
        return out;
    }
}
