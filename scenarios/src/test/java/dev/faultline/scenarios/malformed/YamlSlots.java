package dev.faultline.scenarios.malformed;

import java.io.StringReader;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import org.yaml.snakeyaml.Yaml;
import org.yaml.snakeyaml.error.Mark;
import org.yaml.snakeyaml.error.YAMLException;
import org.yaml.snakeyaml.events.AliasEvent;
import org.yaml.snakeyaml.events.CollectionEndEvent;
import org.yaml.snakeyaml.events.Event;
import org.yaml.snakeyaml.events.MappingStartEvent;
import org.yaml.snakeyaml.events.ScalarEvent;
import org.yaml.snakeyaml.events.SequenceStartEvent;

/**
 * Where the keys and values of a YAML text are, found from the text alone (SnakeYAML's event
 * stream, which keeps every position), so that mutations can replace them. Nothing here knows
 * which keys a scenario has: they come from the files, so keys added later are covered too.
 */
final class YamlSlots {
    enum Kind { KEY, SCALAR, COLLECTION }

    /**
     * One key or value.
     *
     * @param kind a mapping key, a scalar value or a list/mapping value
     * @param path where it sits, e.g. {@code cluster.brokers} or {@code faults[].crash.target}
     * @param start its first character (a char index into the text)
     * @param end one past its last character
     * @param text the text it spans
     */
    record Slot(Kind kind, String path, int start, int end, String text) {
    }

    private YamlSlots() {
    }

    /** Every key and value of a YAML text, in order; empty when the text is not YAML. */
    static List<Slot> of(String text) {
        List<Slot> out = new ArrayList<>();
        Deque<Frame> stack = new ArrayDeque<>();
        try {
            for (Event e : new Yaml().parse(new StringReader(text))) {
                Frame top = stack.peek();
                if (e instanceof ScalarEvent s) {
                    if (top != null && top.map && top.expectKey) {
                        top.key = s.getValue();
                        top.expectKey = false;
                        out.add(slot(text, Kind.KEY, top.path + (top.path.isEmpty() ? "" : ".") + s.getValue(), e));
                    } else {
                        out.add(slot(text, Kind.SCALAR, childPath(top), e));
                        valueDone(top);
                    }
                } else if (e instanceof AliasEvent) {
                    out.add(slot(text, Kind.SCALAR, childPath(top), e));
                    valueDone(top);
                } else if (e instanceof MappingStartEvent || e instanceof SequenceStartEvent) {
                    Frame f = new Frame(e instanceof MappingStartEvent, childPath(top), toChar(text, e.getStartMark()));
                    stack.push(f);
                } else if (e instanceof CollectionEndEvent) {
                    Frame f = stack.pop();
                    int end = toChar(text, e.getEndMark());
                    if (end > f.start && !stack.isEmpty()) {
                        out.add(new Slot(Kind.COLLECTION, f.path, f.start, end, text.substring(f.start, end)));
                    }
                    valueDone(stack.peek());
                }
            }
        } catch (YAMLException e) {
            return List.of();
        }
        return out;
    }

    private static final class Frame {
        final boolean map;
        final String path;
        final int start;
        boolean expectKey = true;
        String key = "";

        Frame(boolean map, String path, int start) {
            this.map = map;
            this.path = path;
            this.start = start;
        }
    }

    private static String childPath(Frame top) {
        if (top == null) {
            return "";
        }
        if (top.map) {
            return top.path + (top.path.isEmpty() ? "" : ".") + top.key;
        }
        return top.path + "[]";
    }

    private static void valueDone(Frame top) {
        if (top != null && top.map) {
            top.expectKey = true;
        }
    }

    private static Slot slot(String text, Kind kind, String path, Event e) {
        int start = toChar(text, e.getStartMark());
        int end = Math.max(start, toChar(text, e.getEndMark()));
        return new Slot(kind, path, start, end, text.substring(start, end));
    }

    /** SnakeYAML counts code points; Java strings count chars. */
    private static int toChar(String text, Mark m) {
        int cp = Math.min(m.getIndex(), text.codePointCount(0, text.length()));
        return text.offsetByCodePoints(0, cp);
    }
}
