package dev.faultline.core.net;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.SimRandom;
import java.util.ArrayList;
import java.util.List;

/**
 * The simulated network. Each directed link is FIFO like a TCP connection, with a latency model, a
 * bandwidth (transmission queues on the link), and optional faults (extra delay, drop, duplicate,
 * reorder). A link's configuration is its own override, else the one set for the pair of zones
 * (racks, data centres) its two nodes are placed in, else the default. Partitions cut directed links; a message is lost when its link is cut at the moment it
 * is sent or at the moment it would arrive.
 *
 * <p>All random draws come from the run's {@code network} stream, in event order.
 */
public final class Network {
    /** Per directed link state; created on first use. */
    private static final class Link {
        LinkConfig config;
        LinkFault fault = LinkFault.NONE;
        // The individual faults in force on this link (each may hit only some message types).
        LinkFault[] faults = NO_FAULTS;
        long transmitBusyUntil;
        long lastArrival;
    }

    private static final LinkFault[] NO_FAULTS = new LinkFault[0];

    private final SimRandom random;
    private LinkConfig defaultConfig = LinkConfig.DEFAULT;
    private int n;
    private Link[] links = new Link[0];
    private boolean[] cut = new boolean[0];
    private final List<ActivePartition> partitions = new ArrayList<>();
    private final List<ActiveLinkFault> linkFaults = new ArrayList<>();
    private int nextLinkFaultId = 1;
    private int nextPartitionId = 1;
    private boolean anyCut;
    /** See {@link #maxExtraDelayNanos}. */
    private long maxExtraDelayNanos;
    /** Per node index, the latest arrival time of its FIFO links out and in (for checkers: {@link #latestArrivalNanos}). */
    private long[] latestFrom = new long[0];
    private long[] latestTo = new long[0];
    /** The zone (rack, data centre) of each node by index, or -1; see {@link #setZone}. */
    private int[] zoneOf = new int[0];
    /** Link configurations between zones: {@code zoneLinks[a * zones + b]}, or {@code null} for the default. */
    private LinkConfig[] zoneLinks = new LinkConfig[0];
    private int zones;

    /** A partition in force, with the id that heals it. */
    public record ActivePartition(int id, PartitionSpec spec) {
    }

    public Network(SimRandom random) {
        this.random = random;
    }

    /** Grows the link tables to {@code nodes} nodes (the simulation calls this as nodes are added). */
    public void ensureCapacity(int nodes) {
        if (nodes <= n) {
            return;
        }
        // Tables are indexed from * n + to; grow geometrically so adding nodes one by one stays cheap.
        int capacity = Math.max(nodes, Math.max(8, n * 2));
        Link[] newLinks = new Link[capacity * capacity];
        for (int a = 0; a < n; a++) {
            System.arraycopy(links, a * n, newLinks, a * capacity, n);
        }
        links = newLinks;
        latestFrom = java.util.Arrays.copyOf(latestFrom, capacity);
        latestTo = java.util.Arrays.copyOf(latestTo, capacity);
        int old = zoneOf.length;
        zoneOf = java.util.Arrays.copyOf(zoneOf, capacity);
        java.util.Arrays.fill(zoneOf, old, capacity, -1);
        n = capacity;
        recomputeCuts();
    }

    /**
     * Places a node in a zone (a rack or a data centre, numbered from 0). Messages between two
     * placed nodes use the configuration set for their zones' pair ({@link #setZoneLink}), when
     * there is one; a link's own override ({@link #setLinkConfig}) comes first, the default last.
     */
    public void setZone(NodeId node, int zone) {
        if (zone < 0) {
            throw new IllegalArgumentException("zone must be >= 0, got " + zone);
        }
        zoneOf[node.index()] = zone;
    }

    /** The zone of a node, or -1. */
    public int zone(NodeId node) {
        return zoneOf[node.index()];
    }

    /** The configuration of every link from a node of zone {@code from} to a node of zone {@code to} (one direction). */
    public void setZoneLink(int from, int to, LinkConfig config) {
        int needed = Math.max(from, to) + 1;
        if (needed > zones) {
            LinkConfig[] grown = new LinkConfig[needed * needed];
            for (int a = 0; a < zones; a++) {
                System.arraycopy(zoneLinks, a * zones, grown, a * needed, zones);
            }
            zoneLinks = grown;
            zones = needed;
        }
        zoneLinks[from * zones + to] = config;
    }

    /** The configuration in force from {@code from} to {@code to} (node indexes): the link's own, its zones', or the default. */
    private LinkConfig configOf(Link l, int from, int to) {
        if (l != null && l.config != null) {
            return l.config;
        }
        int a = zoneOf[from];
        int b = zoneOf[to];
        if (a >= 0 && b >= 0 && a < zones && b < zones) {
            LinkConfig z = zoneLinks[a * zones + b];
            if (z != null) {
                return z;
            }
        }
        return defaultConfig;
    }

    public LinkConfig defaultConfig() {
        return defaultConfig;
    }

    /** Sets the configuration of every link that has no override. */
    public void setDefaultConfig(LinkConfig config) {
        this.defaultConfig = config;
    }

    /** Overrides one directed link's configuration. */
    public void setLinkConfig(NodeId from, NodeId to, LinkConfig config) {
        link(from.index(), to.index()).config = config;
    }

    public LinkConfig linkConfig(NodeId from, NodeId to) {
        return configOf(links[from.index() * n + to.index()], from.index(), to.index());
    }

    /**
     * Puts a fault on every directed link from a node of {@code from} to a node of {@code to} and
     * returns its id; faults on one link combine ({@link LinkFault#plus}).
     */
    public int addLinkFault(List<NodeId> from, List<NodeId> to, LinkFault fault) {
        int id = nextLinkFaultId++;
        linkFaults.add(new ActiveLinkFault(id, List.copyOf(from), List.copyOf(to), fault));
        recomputeLinkFaults();
        return id;
    }

    /** Removes one link fault. Returns whether it was in force. */
    public boolean removeLinkFault(int id) {
        boolean removed = linkFaults.removeIf(f -> f.id() == id);
        recomputeLinkFaults();
        return removed;
    }

    /** Removes every link fault. */
    public void clearLinkFaults() {
        linkFaults.clear();
        recomputeLinkFaults();
    }

    public LinkFault linkFault(NodeId from, NodeId to) {
        Link l = links[from.index() * n + to.index()];
        return l == null ? LinkFault.NONE : l.fault;
    }

    /** A link fault in force. */
    public record ActiveLinkFault(int id, List<NodeId> from, List<NodeId> to, LinkFault fault) {
    }

    private void recomputeLinkFaults() {
        maxExtraDelayNanos = 0;
        for (Link l : links) {
            if (l != null) {
                l.fault = LinkFault.NONE;
                l.faults = NO_FAULTS;
            }
        }
        for (ActiveLinkFault f : linkFaults) {
            for (NodeId a : f.from()) {
                for (NodeId b : f.to()) {
                    if (!a.equals(b)) {
                        Link l = link(a.index(), b.index());
                        l.fault = l.fault.plus(f.fault());
                        l.faults = java.util.Arrays.copyOf(l.faults, l.faults.length + 1);
                        l.faults[l.faults.length - 1] = f.fault();
                        maxExtraDelayNanos = Math.max(maxExtraDelayNanos, l.fault.extraDelayNanos());
                    }
                }
            }
        }
    }

    /**
     * The largest extra delay the link faults in force add on one directed link (faults on one link
     * add up), or 0 when no link is delayed. O(1): computed when link faults change. For checkers.
     */
    public long maxExtraDelayNanos() {
        return maxExtraDelayNanos;
    }

    /** Puts a partition in force and returns its id. */
    public int partition(PartitionSpec spec) {
        int id = nextPartitionId++;
        partitions.add(new ActivePartition(id, spec));
        recomputeCuts();
        return id;
    }

    /** Heals one partition. Returns whether it was in force. */
    public boolean heal(int partitionId) {
        boolean removed = partitions.removeIf(p -> p.id() == partitionId);
        recomputeCuts();
        return removed;
    }

    /** Heals every partition (link faults stay). */
    public void healAll() {
        partitions.clear();
        recomputeCuts();
    }

    public List<ActivePartition> partitions() {
        return List.copyOf(partitions);
    }

    /** Whether the directed link from → to is cut by a partition now. */
    public boolean isCut(int from, int to) {
        return anyCut && cut[from * n + to];
    }

    public boolean isCut(NodeId from, NodeId to) {
        return isCut(from.index(), to.index());
    }

    /**
     * Whether any partition cut or link fault is in force (cheap, for per-event checks that need
     * clean links: when this is false every link is clean).
     */
    public boolean hasCutsOrLinkFaults() {
        return anyCut || !linkFaults.isEmpty();
    }

    /** Whether a and b can exchange messages both ways. */
    public boolean connected(NodeId a, NodeId b) {
        return !isCut(a, b) && !isCut(b, a);
    }

    /**
     * Computes the arrival times for a message leaving now, applying bandwidth, latency, FIFO order
     * and link faults. Writes up to two arrival times (the second for a duplicate) into
     * {@code arrivals} and returns how many; 0 means the message was dropped by a link fault.
     * Partitions are checked by the caller.
     */
    public int route(int from, int to, Message message, long now, long[] arrivals) {
        Link l = links[from * n + to];
        LinkConfig config = configOf(l, from, to);
        LinkFault fault = l == null ? LinkFault.NONE : faultFor(l, message);
        int sizeBytes = message.sizeBytes();
        if (fault.dropProbability() > 0 && random.chance(fault.dropProbability())) {
            return 0;
        }
        if (l == null) {
            l = link(from, to);
        }
        int count = 0;
        long transmitStart = Math.max(now, l.transmitBusyUntil);
        long transmitEnd = transmitStart + config.transmissionNanos(sizeBytes);
        l.transmitBusyUntil = transmitEnd;
        arrivals[count++] = arrival(l, config, fault, transmitEnd);
        if (fault.duplicateProbability() > 0 && random.chance(fault.duplicateProbability())) {
            arrivals[count++] = arrival(l, config, fault, transmitEnd);
        }
        latestFrom[from] = Math.max(latestFrom[from], l.lastArrival);
        latestTo[to] = Math.max(latestTo[to], l.lastArrival);
        return count;
    }

    private long arrival(Link l, LinkConfig config, LinkFault fault, long transmitEnd) {
        long arrival = transmitEnd + config.latency().sampleNanos(random) + fault.extraDelayNanos();
        boolean reorder = fault.reorderProbability() > 0 && random.chance(fault.reorderProbability());
        if (!reorder) {
            // FIFO like a TCP connection: never overtake an earlier message on this link.
            arrival = Math.max(arrival, l.lastArrival);
            l.lastArrival = arrival;
        }
        return arrival;
    }

    private static LinkFault faultFor(Link l, Message message) {
        LinkFault[] fs = l.faults;
        if (fs.length == 0) {
            return LinkFault.NONE;
        }
        LinkFault combined = LinkFault.NONE;
        for (LinkFault f : fs) {
            if (f.hits(message.getClass())) {
                combined = combined.plus(f);
            }
        }
        return combined;
    }

    /**
     * When the last message sent on {@code from→to} in FIFO order arrives (or arrived); every
     * message sent later arrives no earlier. {@code 0} for a link that never carried one. Read by
     * checkers (a link holding a message whose latency draw was far in the model's tail holds back
     * everything sent after it); nodes never read it.
     */
    public long lastArrivalNanos(NodeId from, NodeId to) {
        int i = from.index() * n + to.index();
        Link l = i < links.length ? links[i] : null;
        return l == null ? 0 : l.lastArrival;
    }

    /**
     * The latest {@link #lastArrivalNanos} over every link from or to {@code node}: none of its
     * FIFO links holds a message arriving after it. O(1), for checkers that look for links holding a
     * late message.
     */
    public long latestArrivalNanos(NodeId node) {
        int i = node.index();
        return i < latestFrom.length ? Math.max(latestFrom[i], latestTo[i]) : 0;
    }

    /** One latency draw for a link (used for connection resets). */
    public long sampleLatency(int from, int to) {
        Link l = links[from * n + to];
        LinkConfig config = configOf(l, from, to);
        return config.latency().sampleNanos(random);
    }

    private Link link(int from, int to) {
        int i = from * n + to;
        Link l = links[i];
        if (l == null) {
            l = new Link();
            links[i] = l;
        }
        return l;
    }

    private void recomputeCuts() {
        cut = new boolean[n * n];
        for (ActivePartition p : partitions) {
            p.spec().apply(cut, n);
        }
        anyCut = false;
        for (boolean c : cut) {
            if (c) {
                anyCut = true;
                break;
            }
        }
    }
}
