package dev.faultline.core.trace;

/**
 * One entry of a run's trace. Every event carries its virtual time in nanoseconds and the index of
 * the simulation event it belongs to. {@link #writeJson} writes one JSON object with a stable field
 * order: {@code t}, {@code i}, {@code kind}, then the kind's own fields.
 */
public sealed interface TraceEvent {
    long time();

    long index();

    String kind();

    /** Appends this event's fields after {@code "t","i","kind"}. */
    void writeFields(StringBuilder out);

    default void writeJson(StringBuilder out) {
        out.append("{\"t\":").append(time()).append(",\"i\":").append(index());
        Json.field(out, "kind", kind());
        writeFields(out);
        out.append('}');
    }

    /** A message was handed to its destination node. */
    record Delivered(long time, long index, String from, String to, String type, String message) implements TraceEvent {
        @Override
        public String kind() {
            return "deliver";
        }

        @Override
        public void writeFields(StringBuilder out) {
            Json.field(out, "from", from);
            Json.field(out, "to", to);
            Json.field(out, "type", type);
            Json.field(out, "msg", message);
        }
    }

    /** A message was lost: a cut link, a dead destination or a link fault. */
    record Dropped(long time, long index, String from, String to, String type, String reason) implements TraceEvent {
        @Override
        public String kind() {
            return "drop";
        }

        @Override
        public void writeFields(StringBuilder out) {
            Json.field(out, "from", from);
            Json.field(out, "to", to);
            Json.field(out, "type", type);
            Json.field(out, "reason", reason);
        }
    }

    /** A node's timer fired. */
    record TimerFired(long time, long index, String node, String tag) implements TraceEvent {
        @Override
        public String kind() {
            return "timer";
        }

        @Override
        public void writeFields(StringBuilder out) {
            Json.field(out, "node", node);
            Json.field(out, "tag", tag);
        }
    }

    /** A node started, crashed, lost power, was paused or resumed, or had its disk wiped. */
    record Lifecycle(long time, long index, String node, String change) implements TraceEvent {
        @Override
        public String kind() {
            return "lifecycle";
        }

        @Override
        public void writeFields(StringBuilder out) {
            Json.field(out, "node", node);
            Json.field(out, "change", change);
        }
    }

    /** A fault was injected (or healed). */
    record FaultInjected(long time, long index, String description) implements TraceEvent {
        @Override
        public String kind() {
            return "fault";
        }

        @Override
        public void writeFields(StringBuilder out) {
            Json.field(out, "fault", description);
        }
    }

    /** A protocol state change a node reported (a new leader, an epoch, a commit). */
    record Note(long time, long index, String node, String category, String detail) implements TraceEvent {
        @Override
        public String kind() {
            return "note";
        }

        @Override
        public void writeFields(StringBuilder out) {
            Json.field(out, "node", node);
            Json.field(out, "category", category);
            Json.field(out, "detail", detail);
        }
    }

    /** A handler declared work; the node is busy for {@code durationNanos} from {@code time}. */
    record Busy(long time, long index, String node, long durationNanos) implements TraceEvent {
        @Override
        public String kind() {
            return "busy";
        }

        @Override
        public void writeFields(StringBuilder out) {
            Json.field(out, "node", node);
            Json.field(out, "dur", durationNanos);
        }
    }
}
