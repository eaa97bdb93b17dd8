package dev.faultline.core.check.catalog;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * The one catalogue of invariant ids: every id a checker may report is here, with its title, kind,
 * module, meaning, exemptions and the tests that make it fire. The simulation refuses a violation
 * whose id is not catalogued ({@code Simulation.fail}), scenario files may only expect catalogued ids,
 * {@code faultline invariants} lists it and {@code docs/invariants.md} is generated from it.
 *
 * <p>{@link #standard()} is the catalogue of this build; {@link #with} adds entries for checks that
 * are not part of it (a test's own invariant, for instance).
 */
public final class InvariantCatalog {
    /** The groups, in listing order: id prefix and heading. */
    private static final Map<String, String> GROUPS = groups();

    private static final InvariantCatalog STANDARD = build();

    private final Map<String, InvariantInfo> byId;

    private InvariantCatalog(Map<String, InvariantInfo> byId) {
        this.byId = Collections.unmodifiableMap(byId);
    }

    private static Map<String, String> groups() {
        Map<String, String> g = new java.util.LinkedHashMap<>();
        g.put("DP", "Data plane (both modes)");
        g.put("KR", "KRaft: Raft layer");
        g.put("KM", "KRaft: controller and metadata");
        g.put("ZK", "ZooKeeper ensemble");
        g.put("KZ", "Kafka in ZooKeeper mode");
        return Collections.unmodifiableMap(g);
    }

    private static InvariantCatalog build() {
        List<InvariantInfo> all = new ArrayList<>();
        all.addAll(DataPlaneEntries.entries());
        all.addAll(RaftEntries.entries());
        all.addAll(KraftControllerEntries.entries());
        all.addAll(ZooKeeperEntries.entries());
        all.addAll(ZkModeEntries.entries());
        return new InvariantCatalog(new TreeMap<>()).with(all.toArray(new InvariantInfo[0]));
    }

    /** The catalogue of this build: every invariant its checkers can report. */
    public static InvariantCatalog standard() {
        return STANDARD;
    }

    /** This catalogue and {@code more}; an id already catalogued is refused. */
    public InvariantCatalog with(InvariantInfo... more) {
        Map<String, InvariantInfo> m = new TreeMap<>(InvariantCatalog::compareIds);
        m.putAll(byId);
        for (InvariantInfo info : more) {
            if (m.putIfAbsent(info.id(), info) != null) {
                throw new IllegalArgumentException("invariant " + info.id() + " is catalogued twice");
            }
        }
        return new InvariantCatalog(m);
    }

    /** Whether {@code id} is catalogued. */
    public boolean contains(String id) {
        return byId.containsKey(id);
    }

    /** The entry for {@code id}, if catalogued. */
    public Optional<InvariantInfo> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** Every entry, in listing order: by group (data plane, Raft, KRaft controller, ZooKeeper, ZooKeeper mode), safety before liveness, by number. */
    public List<InvariantInfo> entries() {
        return List.copyOf(byId.values());
    }

    /** Every id, in listing order. */
    public List<String> ids() {
        return List.copyOf(byId.keySet());
    }

    /** The heading of the group {@code id} belongs to ("Other" when its prefix is not one of the modes'). */
    public static String group(String id) {
        int dash = id.indexOf('-');
        return dash < 0 ? "Other" : GROUPS.getOrDefault(id.substring(0, dash), "Other");
    }

    /** Listing order: group, then S before L, then number; ids outside that scheme last, alphabetically. */
    static int compareIds(String a, String b) {
        int c = Integer.compare(rank(a), rank(b));
        if (c != 0) {
            return c;
        }
        if (rank(a) < Integer.MAX_VALUE) {
            c = Character.compare(b.charAt(3), a.charAt(3)); // 'S' before 'L'
            if (c != 0) {
                return c;
            }
            c = Integer.compare(Integer.parseInt(a.substring(4)), Integer.parseInt(b.substring(4)));
            if (c != 0) {
                return c;
            }
        }
        return a.compareTo(b);
    }

    /** The group's position for an id of the form XX-S1 / XX-L1, else MAX_VALUE. */
    private static int rank(String id) {
        if (!id.matches("[A-Z]{2}-[SL][0-9]+")) {
            return Integer.MAX_VALUE;
        }
        int i = 0;
        for (String prefix : GROUPS.keySet()) {
            if (id.startsWith(prefix + "-")) {
                return i;
            }
            i++;
        }
        return Integer.MAX_VALUE;
    }
}
