package dev.faultline.core.trace;

import dev.faultline.core.kernel.SimRandom;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.function.IntFunction;

/**
 * The run's trace: a running 64-bit fingerprint of every event, a ring of the last events (for
 * violation reports), and optional sinks. Without sinks nothing is allocated per event: the
 * fingerprint and the ring take primitives and references.
 *
 * <p>The fingerprint mixes each event's kind, virtual time, nodes, and the full contents of its
 * message or timer tag ({@link ContentHash}: every field, in a form that never depends on identity
 * hash codes or hash-container order; Java specifies {@code String.hashCode}), or a note's text, so
 * two runs that differ in one field of one message differ in fingerprint, and the same run gives
 * the same fingerprint on every JVM.
 */
public final class Tracer {
    /** Event kinds, in the fingerprint and the ring. */
    public static final int DELIVER = 1;
    public static final int DROP = 2;
    public static final int TIMER = 3;
    public static final int LIFECYCLE = 4;
    public static final int FAULT = 5;
    public static final int NOTE = 6;
    public static final int BUSY = 7;

    private static final int RING = 32; // a power of two

    private final IntFunction<String> nodeName;
    private final List<TraceSink> sinks = new ArrayList<>();
    private long fingerprint = 0x5EED_F1A6_0000_0001L;

    private final int[] ringKind = new int[RING];
    private final long[] ringTime = new long[RING];
    private final long[] ringIndex = new long[RING];
    private final int[] ringNode = new int[RING];
    private final int[] ringPeer = new int[RING];
    private final Object[] ringRef = new Object[RING];
    private final String[] ringText = new String[RING];
    private long ringCount;

    public Tracer(IntFunction<String> nodeName) {
        this.nodeName = nodeName;
    }

    public void addSink(TraceSink sink) {
        sinks.add(sink);
    }

    public boolean hasSinks() {
        return !sinks.isEmpty();
    }

    /** The fingerprint of everything recorded so far. */
    public long fingerprint() {
        return SimRandom.mix64(fingerprint);
    }

    private void mix(long v) {
        // An xxHash64-style round: cheap, and good enough to tell runs apart.
        fingerprint = Long.rotateLeft(fingerprint ^ (v * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
    }

    private void record(int kind, long time, long index, int node, int peer, Object ref, String text) {
        mix(((long) kind << 56) ^ ((long) node << 28) ^ (peer & 0xFFFFFFFL));
        mix(time);
        if (ref != null) {
            mix(ContentHash.of(ref));
        }
        if (text != null) {
            mix(text.hashCode());
        }
        int slot = (int) (ringCount++ & (RING - 1));
        ringKind[slot] = kind;
        ringTime[slot] = time;
        ringIndex[slot] = index;
        ringNode[slot] = node;
        ringPeer[slot] = peer;
        ringRef[slot] = ref;
        ringText[slot] = text;
    }

    public void delivered(long time, long index, int from, int to, Object message) {
        record(DELIVER, time, index, to, from, message, null);
        if (!sinks.isEmpty()) {
            emit(new TraceEvent.Delivered(time, index, nodeName.apply(from), nodeName.apply(to),
                    message.getClass().getSimpleName(), TraceText.of(message)));
        }
    }

    public void dropped(long time, long index, int from, int to, Object message, String reason) {
        record(DROP, time, index, to, from, message, reason);
        if (!sinks.isEmpty()) {
            emit(new TraceEvent.Dropped(time, index, nodeName.apply(from), nodeName.apply(to),
                    message.getClass().getSimpleName(), reason));
        }
    }

    public void timer(long time, long index, int node, Object tag) {
        record(TIMER, time, index, node, -1, tag, null);
        if (!sinks.isEmpty()) {
            emit(new TraceEvent.TimerFired(time, index, nodeName.apply(node), TraceText.of(tag)));
        }
    }

    public void lifecycle(long time, long index, int node, String change) {
        record(LIFECYCLE, time, index, node, -1, null, change);
        if (!sinks.isEmpty()) {
            emit(new TraceEvent.Lifecycle(time, index, nodeName.apply(node), change));
        }
    }

    public void fault(long time, long index, String description) {
        record(FAULT, time, index, -1, -1, null, description);
        if (!sinks.isEmpty()) {
            emit(new TraceEvent.FaultInjected(time, index, description));
        }
    }

    public void note(long time, long index, int node, String category, String detail) {
        record(NOTE, time, index, node, -1, category, detail);
        if (!sinks.isEmpty()) {
            emit(new TraceEvent.Note(time, index, nodeName.apply(node), category, detail));
        }
    }

    public void busy(long time, long index, int node, long durationNanos) {
        mix(((long) BUSY << 56) ^ node);
        mix(durationNanos);
        if (!sinks.isEmpty()) {
            emit(new TraceEvent.Busy(time, index, nodeName.apply(node), durationNanos));
        }
    }

    private void emit(TraceEvent e) {
        for (TraceSink s : sinks) {
            s.accept(e);
        }
    }

    /** The last events (up to 32), oldest first, as readable lines. */
    public List<String> recent(int max) {
        List<String> out = new ArrayList<>();
        long start = Math.max(0, ringCount - Math.min(max, RING));
        for (long c = start; c < ringCount; c++) {
            int s = (int) (c & (RING - 1));
            out.add(describe(s));
        }
        return out;
    }

    private String describe(int s) {
        String t = dev.faultline.core.kernel.Time.format(ringTime[s]);
        String head = "#" + ringIndex[s] + " t=" + t + " ";
        switch (ringKind[s]) {
            case DELIVER:
                return head + nodeName.apply(ringPeer[s]) + " -> " + nodeName.apply(ringNode[s]) + ": " + TraceText.of(ringRef[s]);
            case DROP:
                return head + "dropped " + nodeName.apply(ringPeer[s]) + " -> " + nodeName.apply(ringNode[s]) + " (" + ringText[s] + "): "
                        + TraceText.of(ringRef[s]);
            case TIMER:
                return head + nodeName.apply(ringNode[s]) + " timer " + TraceText.of(ringRef[s]);
            case LIFECYCLE:
                return head + nodeName.apply(ringNode[s]) + " " + ringText[s];
            case FAULT:
                return head + "fault: " + ringText[s];
            case NOTE:
                return head + nodeName.apply(ringNode[s]) + " " + ringRef[s] + ": " + ringText[s];
            default:
                return head + "?";
        }
    }

    /** Closes (commits) every sink. */
    public void close() throws IOException {
        IOException first = null;
        for (TraceSink s : sinks) {
            try {
                s.close();
            } catch (IOException e) {
                if (first == null) {
                    first = e;
                }
            }
        }
        sinks.clear();
        if (first != null) {
            throw first;
        }
    }
}
