package dev.faultline.scenarios.spec;

import dev.faultline.core.fault.Fault.PartitionKind;
import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.spec.Scenario.Cluster;
import dev.faultline.scenarios.spec.Scenario.FaultEntry;
import dev.faultline.scenarios.spec.FaultSpec;
import dev.faultline.core.mode.MetadataMode;
import dev.faultline.scenarios.spec.Scenario.Mode;
import dev.faultline.scenarios.spec.FaultSpec.NodeAction;
import dev.faultline.scenarios.spec.Scenario.Topic;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The checks made on a scenario once its file is bound: names and ranges, references between sections
 * (topics a producer or an expectation names, brokers in {@code broker-config} and
 * {@code bootstrap.servers}), rules of each metadata mode, fault times, and fault targets. Each
 * problem names the line and column of what it is about ({@link Problems} knows where each value was
 * read). Also fills in what depends on other sections: the limit of {@code adaptive: true}, and when a
 * repeated fault without {@code until} stops.
 */
final class ScenarioChecks {
    /** The longest scenario name: it names the run directory, and file names have at most 255 bytes. */
    static final int MAX_NAME_CHARS = 200;
    /** Occurrences of one repeated fault at most (each is scheduled when the run starts). */
    private static final long MAX_REPEATS = 100_000;
    /** Kafka's longest topic name. */
    private static final int MAX_TOPIC_NAME = 249;

    private final Problems problems;
    private final Scenario s;
    /** The named topics, as checked (see {@link #topics}). */
    private List<Topic> topics = List.of();
    /** Whether the duration was read (checks that compare with it are left out when it was not). */
    private boolean durationKnown;

    private ScenarioChecks(Problems problems, Scenario s) {
        this.problems = problems;
        this.s = s;
    }

    /** The scenario with what depends on other sections filled in, or {@code null} when a problem was found. */
    static Scenario check(Scenario s, Problems problems) {
        return new ScenarioChecks(problems, s).check();
    }

    /**
     * The items of the list at {@code path} paired with where each was read, or none when they do not
     * pair up (an item that was not bound is left out of the list, and reported already).
     */
    private <T> List<Map.Entry<String, T>> items(String path, List<T> values) {
        List<String> at = problems.boundItems(path);
        List<Map.Entry<String, T>> out = new ArrayList<>();
        for (int i = 0; i < values.size() && at.size() == values.size(); i++) {
            out.add(Map.entry(at.get(i), values.get(i)));
        }
        return out;
    }

    private Scenario check() {
        String name = s.name();
        if (name == null && !problems.has("/name")) {
            problems.at("", "missing 'name' (a short name for the scenario)");
        } else if (name != null && name.length() > MAX_NAME_CHARS) {
            problems.at("/name", "name is " + name.length() + " characters long; at most " + MAX_NAME_CHARS + " (it names the run directory)");
        } else if (name != null && !name.matches("[A-Za-z0-9._-]+")) {
            problems.at("/name", "name '" + name + "' may use only letters, digits, '.', '_' and '-' (it names the run directory)");
        }
        durationKnown = !problems.failed("/duration");
        if (durationKnown && s.durationNanos() <= 0) {
            problems.at("/duration", "duration must be positive");
        }
        Cluster c = s.cluster();
        if (c == null && !problems.has("/cluster")) {
            problems.at("", "missing 'cluster' (mode, brokers, ...)");
        } else if (c != null) {
            c = cluster(c);
        }
        if (c != null && !problems.failed("/cluster/mode") && !problems.failed("/cluster/version")) {
            // Each mode says which Kafka versions it models (ZooKeeper mode: 3.x only), and refuses a
            // planted bug that reverts a fix the version does not have.
            String wrong = Modes.of(c.mode()).versionProblem(c.version(), c.config(), s.bugs());
            if (wrong != null) {
                problems.at("/cluster/version", wrong + " (this cluster is " + c.mode().yamlName() + ", version " + c.version().text() + ")");
            }
        }
        topics = topics(c);
        for (Map.Entry<String, Scenario.Workload> w : items("/workload", s.workload())) {
            workload(w.getValue(), w.getKey(), c);
        }
        // Targets are checked against the cluster's nodes: not when its size or mode could not be read.
        boolean nodesKnown = c != null && !problems.failed("/cluster/brokers") && !problems.failed("/cluster/controllers")
                && !problems.failed("/cluster/zookeeper") && !problems.failed("/cluster/mode") && !problems.failed("/cluster/combined")
                && !problems.failed("/cluster/racks");
        if (nodesKnown) {
            zoneMembers(c);
        }
        List<FaultEntry> faults = new ArrayList<>();
        for (Map.Entry<String, FaultEntry> f : items("/faults", s.faults())) {
            faults.add(fault(f.getValue(), f.getKey(), nodesKnown ? new Targets(c, topics) : null));
        }
        expectations();
        for (Map.Entry<String, String> bug : items("/bugs", s.bugs())) {
            if (!ConfigKeys.PLANTED_BUGS.contains(bug.getValue())) {
                problems.at(bug.getKey(), "unknown planted bug '" + bug.getValue() + "'" + Suggest.didYouMean(bug.getValue(), ConfigKeys.PLANTED_BUGS)
                        + "; valid: " + ConfigKeys.PLANTED_BUGS);
            }
        }
        Scenario.Adaptive adaptive = s.adaptive();
        if (adaptive != null && adaptive.limitNanos() == Scenario.Adaptive.UNSET) {
            adaptive = new Scenario.Adaptive(adaptive.marginNanos(), Math.max(s.durationNanos(), Scenario.Adaptive.DEFAULT.limitNanos()));
        } else if (adaptive != null && durationKnown && !problems.failed("/adaptive/limit") && adaptive.limitNanos() < s.durationNanos()) {
            problems.at("/adaptive/limit", "the limit " + Time.format(adaptive.limitNanos()) + " is shorter than the duration " + Time.format(s.durationNanos())
                    + "; the limit bounds how far an adaptive run may go past its written schedule");
        }
        return problems.isEmpty() ? new Scenario(s.name(), s.description(), s.seed(), s.durationNanos(), c, s.topics(), s.workload(), faults,
                s.expectations(), s.bugs(), adaptive) : null;
    }

    /** The value, or {@code min} once a value out of range is reported (the checks after it go on with a size that exists). */
    private int range(String path, long value, int min, int max) {
        if (problems.failed(path)) {
            return min;
        }
        if (value < min || value > max) {
            problems.at(path, "'" + path.substring(path.lastIndexOf('/') + 1) + "' must be between " + min + " and " + max + ", not " + value);
            return min;
        }
        return (int) value;
    }

    /** The cluster checked, with a size out of range replaced by the least one for the checks that follow. */
    private Cluster cluster(Cluster c) {
        int brokers = range("/cluster/brokers", c.brokers(), 1, 10_000);
        int controllers = range("/cluster/controllers", c.controllers(), 1, 9);
        int zookeeper = range("/cluster/zookeeper", c.zookeeper(), 1, 9);
        if (brokers != c.brokers() || controllers != c.controllers() || zookeeper != c.zookeeper()) {
            c = new Cluster(c.mode(), brokers, c.racks(), controllers, c.combined(), zookeeper, c.config(), c.network(), c.brokerConfig(), c.warmStart(),
                    c.version());
        }
        String mode = " (this cluster is " + c.mode().yamlName() + ")";
        if (c.mode() != Mode.KRAFT && !problems.failed("/cluster/mode") && (problems.has("/cluster/controllers") || problems.has("/cluster/combined"))) {
            problems.at(problems.has("/cluster/controllers") ? "/cluster/controllers" : "/cluster/combined",
                    "'controllers' and 'combined' apply to mode kraft only" + mode);
        }
        if (c.mode() != Mode.ZOOKEEPER && !problems.failed("/cluster/mode") && problems.has("/cluster/zookeeper")) {
            problems.at("/cluster/zookeeper", "'zookeeper' (the ensemble size) applies to mode zookeeper only" + mode);
        }
        if (c.combined() && c.controllers() > c.brokers() && !problems.failed("/cluster/combined")) {
            problems.at("/cluster/controllers", "combined mode needs at least as many brokers as controllers (" + c.controllers() + " > " + c.brokers() + ")");
        }
        for (String b : problems.failed("/cluster/brokers") ? List.<String>of() : c.brokerConfig().keySet()) {
            long id = b.matches("broker-\\d+") ? Targets.index(b.substring(7)) : -1;
            if (id < 1 || id > c.brokers() || !b.equals("broker-" + id)) {
                problems.atKey("/cluster/broker-config/" + b, "'broker-config' keys are brokers broker-1..broker-" + c.brokers() + ", not '" + b + "'");
            }
        }
        zones(c);
        return c;
    }

    /** Names placed in a zone, each with where it is, checked against the nodes once the workload is known. */
    private final List<Map.Entry<String, String>> zoneMembers = new ArrayList<>();

    /** No node in two zones; {@code between} names known zones (declared, or racks), each pair once. */
    private void zones(Cluster c) {
        Map<String, String> placed = new TreeMap<>();
        for (Map.Entry<String, List<String>> zone : c.network().zones().entrySet()) {
            String at = "/cluster/network/zones/" + zone.getKey();
            List<String> members = zone.getValue();
            for (int i = 0; i < members.size(); i++) {
                String name = members.get(i);
                String where = problems.failed(at) ? at : at + "/" + i;
                String other = placed.putIfAbsent(name, zone.getKey());
                if (other != null) {
                    problems.at(where, "'" + name + "' is placed in zone '" + other + "' and in zone '" + zone.getKey() + "'");
                } else {
                    zoneMembers.add(Map.entry(name, where));
                }
            }
        }
        java.util.TreeSet<String> known = new java.util.TreeSet<>(c.network().zones().keySet());
        known.addAll(c.racks());
        java.util.Set<String> pairs = new java.util.TreeSet<>();
        for (Map.Entry<String, Scenario.ZoneLatency> item : items("/cluster/network/between", c.network().between())) {
            Scenario.ZoneLatency z = item.getValue();
            boolean ok = true;
            for (String zone : List.of(z.zoneA(), z.zoneB())) {
                if (!known.contains(zone)) {
                    problems.at(item.getKey() + "/zones", "unknown zone '" + zone + "'" + Suggest.didYouMean(zone, known) + "; zones: " + known
                            + " (declared under 'zones', or a rack)");
                    ok = false;
                }
            }
            String pair = z.zoneA().compareTo(z.zoneB()) <= 0 ? z.zoneA() + "|" + z.zoneB() : z.zoneB() + "|" + z.zoneA();
            if (ok && !pairs.add(pair)) {
                problems.at(item.getKey(), "the latency between '" + z.zoneA() + "' and '" + z.zoneB() + "' is given twice");
            }
        }
    }

    /** Every name placed in a zone is a node of this scenario: a cluster node, a client of the workload, or the canary. */
    private void zoneMembers(Cluster c) {
        if (zoneMembers.isEmpty()) {
            return;
        }
        java.util.TreeSet<String> names = new java.util.TreeSet<>(new Targets(c, topics).nodeNames());
        for (int i = 0; i < s.workload().size(); i++) {
            names.add((s.workload().get(i) instanceof Scenario.Producer ? "producer-" : "consumer-") + (i + 1));
        }
        names.add("canary");
        for (Map.Entry<String, String> member : zoneMembers) {
            if (!names.contains(member.getKey())) {
                problems.at(member.getValue(), "'" + member.getKey() + "' is not a node of this scenario" + Suggest.didYouMean(member.getKey(), names)
                        + "; nodes: " + names);
            }
        }
    }

    /** The topics checked, with a size out of range replaced by the least one for the checks that follow. */
    private List<Topic> topics(Cluster c) {
        List<Topic> out = new ArrayList<>();
        Map<String, Topic> seen = new TreeMap<>();
        for (Map.Entry<String, Topic> item : items("/topics", s.topics())) {
            Topic t = item.getValue();
            String at = item.getKey();
            if (t.name() == null) {
                if (!problems.has(at + "/name")) {
                    problems.at(at, "a topic needs a 'name'");
                }
                continue;
            }
            if (seen.putIfAbsent(t.name(), t) != null) {
                problems.at(at + "/name", "topic '" + t.name() + "' is defined twice");
            }
            if (t.name().length() > MAX_TOPIC_NAME || !t.name().matches("[A-Za-z0-9._-]+") || t.name().equals(".") || t.name().equals("..")) {
                // Kafka's own rule (org.apache.kafka.common.internals.Topic.validate).
                problems.at(at + "/name", "topic name '" + t.name() + "' is not a legal Kafka topic name: at most " + MAX_TOPIC_NAME
                        + " characters, only letters, digits, '.', '_' and '-', and not '.' or '..'");
            }
            int partitions = range(at + "/partitions", t.partitions(), 1, 10_000_000);
            int rf = range(at + "/replication.factor", t.replicationFactor(), 1, 100);
            if (c != null && rf > c.brokers() && !problems.failed("/cluster/brokers") && !problems.failed(at + "/replication.factor")) {
                problems.at(at + "/replication.factor", "replication.factor " + rf + " is above the number of brokers (" + c.brokers() + ")");
            }
            out.add(partitions == t.partitions() && rf == t.replicationFactor() ? t : new Topic(t.name(), partitions, rf, t.config(), t.createAtNanos()));
            if (t.createdAtRuntime() && durationKnown && t.createAtNanos() >= s.durationNanos()) {
                problems.at(at + "/create-at", "create-at " + Time.format(t.createAtNanos()) + " is not before the end of the run (duration "
                        + Time.format(s.durationNanos()) + ")");
            }
        }
        return out;
    }

    /** A topic the workload or an expectation names: {@code null} (reported) when there is none. */
    private Topic topic(String name, String path) {
        List<String> names = topics.stream().map(Topic::name).sorted().distinct().toList();
        for (Topic t : topics) {
            if (name.equals(t.name())) {
                return t;
            }
        }
        problems.at(path, "unknown topic '" + name + "'" + Suggest.didYouMean(name, names) + "; topics: " + names);
        return null;
    }

    private void workload(Scenario.Workload w, String at, Cluster c) {
        at += w instanceof Scenario.Producer ? "/producer" : "/consumer";
        if (w.topic() == null) {
            if (!problems.has(at + "/topic")) {
                problems.at(at, "needs a 'topic'");
            }
            return;
        }
        Topic topic = topic(w.topic(), at + "/topic");
        if (!(w instanceof Scenario.Producer p)) {
            return;
        }
        if (problems.has(at + "/records")) {
            range(at + "/records", p.records(), 1, Integer.MAX_VALUE);
        }
        if (problems.has(at + "/keys")) {
            range(at + "/keys", p.keys(), 1, Integer.MAX_VALUE);
        }
        if (c == null || problems.failed("/cluster/brokers")) {
            return;
        }
        String servers = p.config().get("bootstrap.servers");
        for (String b : servers == null ? new String[0] : servers.split(",")) {
            long id = b.isBlank() ? 1 : Targets.index(b.trim().substring("broker-".length()));
            if (id < 1 || id > c.brokers()) {
                problems.atKey(at + "/config/bootstrap.servers", "'bootstrap.servers' names " + b.trim() + ", but the brokers are broker-1..broker-" + c.brokers());
            }
        }
        String minIsr = topic == null ? null : topic.config().getOrDefault("min.insync.replicas", c.config().getOrDefault("min.insync.replicas", "1"));
        if (p.acks().equals("all") && !problems.failed(at + "/acks") && !problems.failed(at + "/topic") && minIsr != null && minIsr.matches("\\d{1,9}") && Integer.parseInt(minIsr) > topic.replicationFactor()) {
            problems.at(at + "/topic", "topic '" + topic.name() + "' has min.insync.replicas " + minIsr + " above its replication.factor "
                    + topic.replicationFactor() + ": no acks=all write to it can ever be acknowledged (Kafka answers each with "
                    + "NOT_ENOUGH_REPLICAS); lower min.insync.replicas or use acks: 1");
        }
    }

    private FaultEntry fault(FaultEntry f, String at, Targets targets) {
        long duration = s.durationNanos();
        long until = problems.has(at + "/every") && !problems.has(at + "/until") ? duration : f.untilNanos();
        if (durationKnown && f.atNanos() > duration) {
            problems.at(at + "/at", "the fault fires at " + Time.format(f.atNanos()) + ", after the scenario ends (duration " + Time.format(duration) + ")");
        }
        if (problems.has(at + "/every") && f.everyNanos() <= 0) {
            problems.at(at + "/every", "'every' must be positive");
        }
        if (problems.has(at + "/until") && !problems.has(at + "/every")) {
            problems.at(at + "/until", "'until' goes with 'every'");
        }
        if (problems.has(at + "/until") && until < f.atNanos()) {
            problems.at(at + "/until", "'until' (" + Time.format(until) + ") is before 'at' (" + Time.format(f.atNanos()) + ")");
        }
        if ((durationKnown || problems.has(at + "/until")) && f.everyNanos() > 0 && until > f.atNanos() && (until - f.atNanos()) / f.everyNanos() >= MAX_REPEATS) {
            problems.at(at + "/every", "the fault would fire " + ((until - f.atNanos()) / f.everyNanos() + 1) + " times (every " + Time.format(f.everyNanos())
                    + " from " + Time.format(f.atNanos()) + " to " + Time.format(until) + "); at most " + MAX_REPEATS + " times");
        }
        FaultSpec spec = f.fault();
        if (problems.has(at + "/for") && (spec instanceof FaultSpec.HealFault || spec instanceof FaultSpec.ClockFault
                || (spec instanceof FaultSpec.NodeFault n && List.of(NodeAction.RESTART, NodeAction.RESUME, NodeAction.RECOVER).contains(n.action())))) {
            problems.at(at + "/for", "'" + spec.key() + "' cannot take 'for'");
        }
        if (targets != null) {
            spec(spec, at + "/" + spec.key(), targets);
        }
        return new FaultEntry(f.atNanos(), spec, f.forNanos(), f.everyNanos(), until);
    }

    private void spec(FaultSpec spec, String at, Targets targets) {
        if ((spec instanceof FaultSpec.ControllerThreadPause || spec instanceof FaultSpec.ForceControllerElection)
                && !targets.mode().faults().containsKey(spec.key())) {
            for (MetadataMode m : Modes.all()) {
                if (m.faults().containsKey(spec.key())) {
                    problems.at(at, "'" + spec.key() + "' is a " + m.title() + "-mode fault (" + m.faults().get(spec.key()) + "); this cluster is not mode "
                            + m.name());
                    return;
                }
            }
        }
        if (spec instanceof FaultSpec.NodeFault n) {
            if (targets(n.targets(), target(at), targets) && n.action() == NodeAction.CONTROLLED_SHUTDOWN) {
                for (String t : n.targets()) {
                    if (!targets.isBrokerTarget(t)) {
                        problems.at(at, "'controlled-shutdown' stops brokers cleanly, but '" + t + "' is not a broker; use broker-N, "
                                + "leader-of(T-P), random-broker, brokers or rack(X)" + (targets.controllerOnBrokers() ? ", or active-controller" : ""));
                    }
                }
            }
        } else if (spec instanceof FaultSpec.ControllerThreadPause p) {
            if (targets(p.targets(), target(at), targets)) {
                for (String t : p.targets()) {
                    if (!targets.isBrokerTarget(t)) {
                        // The controller thread runs inside a broker; a ZooKeeper server has none.
                        problems.at(at, "'pause-controller-thread' pauses the controller thread of a broker, but '" + t
                                + "' is not a broker; use active-controller, broker-N, leader-of(T-P), random-broker, brokers or rack(X)");
                        return;
                    }
                }
            }
        } else if (spec instanceof FaultSpec.PartitionFault p) {
            List<String> keys = switch (p.kind()) {
                case ISOLATE -> List.of("isolate");
                case ONE_WAY -> List.of("one-way/from", "one-way/to");
                case BRIDGE -> List.of("bridge/a", "bridge/b", "bridge/via");
                case MAJORITY_MINORITY -> List.of("majority-minority");
                case RING -> List.of("ring");
                case SPLIT -> List.of();
            };
            for (int i = 0; i < p.groups().size(); i++) {
                boolean split = p.kind() == PartitionKind.SPLIT;
                // 'rest' written alone, not in a list, is every node not in another group.
                if (!split || !p.groups().get(i).equals(List.of("rest")) || problems.has(at + "/groups/" + i + "/0")) {
                    targets(p.groups().get(i), at + "/" + (split ? "groups/" + i : keys.get(i)), targets);
                }
            }
        } else if (spec instanceof FaultSpec.LinkFaultSpec l) {
            targets(l.from(), at + "/from", targets);
            targets(l.to(), at + "/to", targets);
            if (!(l.probability() >= 0 && l.probability() <= 1)) {
                problems.at(at + "/probability", "probability must lie between 0 and 1");
            }
            for (String type : l.messages()) {
                if (!type.matches("[A-Z][A-Za-z0-9]*")) {
                    problems.at(at + "/messages", "'messages' lists message type names such as FetchResponse or Proposal, not '" + type + "'");
                }
            }
        } else if (spec instanceof FaultSpec.ClockFault c) {
            targets(c.targets(), target(at), targets);
            if (c.driftPpm() <= -1_000_000 || c.driftPpm() >= 1_000_000) {
                problems.at(at + "/drift-ppm", "drift-ppm must lie between -999999 and 999999 (parts per million), not " + c.driftPpm());
            }
        } else if (spec instanceof FaultSpec.SlowFault sf) {
            targets(sf.targets(), target(at), targets);
            if (!(sf.factor() > 0) || sf.factor() > 1_000_000) {
                problems.at(at + "/factor", "factor must be positive and at most 1000000 (how many times slower)");
            }
        }
    }

    /** Where the targets of a fault's settings are: under 'target' or 'targets', or the settings themselves ({@code crash: broker-1}). */
    private String target(String at) {
        return problems.has(at + "/target") ? at + "/target" : problems.has(at + "/targets") ? at + "/targets" : at;
    }

    /** Whether every target exists in this cluster; reports each one that does not, at its item of the list. */
    private boolean targets(List<String> names, String at, Targets targets) {
        boolean ok = true;
        for (int i = 0; i < names.size(); i++) {
            String problem = targets.check(names.get(i), false);
            if (problem != null) {
                problems.at(problems.has(at + "/" + i) ? at + "/" + i : at, problem);
                ok = false;
            }
        }
        return ok;
    }

    /** The topic each {@code topic-created-within} names (the k-th one is in the k-th item of 'expect' that has one). */
    private void expectations() {
        List<Expectation.TopicCreatedWithin> wanted = new ArrayList<>();
        for (Expectation e : s.expectations()) {
            if (e instanceof Expectation.TopicCreatedWithin t) {
                wanted.add(t);
            }
        }
        int k = 0;
        for (int item = 0; problems.has("/expect/" + item) && k < wanted.size(); item++) {
            String at = "/expect/" + item + "/topic-created-within/topic";
            if (problems.has(at) && !problems.failed("/expect/" + item)) {
                Topic t = topic(wanted.get(k++).topic(), at);
                if (t != null && !t.createdAtRuntime()) {
                    problems.at(at, "topic '" + t.name() + "' exists from the start; give it a 'create-at' to create it during the run");
                }
            }
        }
    }
}
