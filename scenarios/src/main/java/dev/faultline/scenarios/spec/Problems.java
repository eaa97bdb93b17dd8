package dev.faultline.scenarios.spec;

import com.fasterxml.jackson.core.JsonLocation;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The problems found in one scenario file, and where each of its keys and values was read, by path
 * ({@code /faults/2/crash/target}, the list index for a list item), so that a problem found after
 * binding still names the line and column of what it is about.
 */
final class Problems {
    private final String file;
    private final List<Problem> found = new ArrayList<>();
    private final Map<String, int[]> values = new TreeMap<>();
    private final Map<String, int[]> keys = new TreeMap<>();
    /** Paths of the values a problem was reported about while binding (the checks after binding leave them alone). */
    private final java.util.TreeSet<String> failed = new java.util.TreeSet<>();
    /** Paths of the list items that became a value of the scenario (an item with a problem may have been left out). */
    private final java.util.TreeSet<String> bound = new java.util.TreeSet<>();

    Problems(String file) {
        this.file = file;
    }

    /** Records where the key or value at {@code path} was read; false for a key read there before (a duplicate). */
    boolean saw(String path, boolean key, JsonLocation at) {
        return (key ? keys : values).putIfAbsent(path, new int[] {at.getLineNr(), at.getColumnNr()}) == null;
    }

    /** Whether a value was read at {@code path}: whether the file has that key, or that list item. */
    boolean has(String path) {
        return values.containsKey(path);
    }

    /** Whether a problem was reported about the value at {@code path} or anything inside it. */
    boolean failed(String path) {
        String inside = failed.ceiling(path + "/");
        return failed.contains(path) || (inside != null && inside.startsWith(path + "/"));
    }

    /** Records that the list item at {@code path} became a value of the scenario. */
    void bound(String path) {
        bound.add(path);
    }

    /** Records that the list item at {@code path} did not become a value after all. */
    void unbound(String path) {
        bound.remove(path);
    }

    /** The paths of the items of the list at {@code path} that became values of the scenario, in order. */
    List<String> boundItems(String path) {
        List<String> out = new ArrayList<>();
        for (int i = 0; values.containsKey(path + "/" + i); i++) {
            if (bound.contains(path + "/" + i)) {
                out.add(path + "/" + i);
            }
        }
        return out;
    }

    /** A problem about the value at {@code path} (or, if none was read there, the nearest value around it). */
    void at(String path, String message) {
        failed.add(path);
        String p = path;
        while (!values.containsKey(p) && !p.isEmpty()) {
            p = p.substring(0, p.lastIndexOf('/'));
        }
        int[] where = values.getOrDefault(p, new int[] {1, 1});
        at(where[0], where[1], message);
    }

    /** A problem about the key of {@code path} (an unknown or misplaced key). */
    void atKey(String path, String message) {
        int[] where = keys.get(path);
        if (where == null) {
            at(path, message);
        } else {
            at(where[0], where[1], message);
        }
    }

    void at(JsonLocation where, String message) {
        at(where.getLineNr(), where.getColumnNr(), message);
    }

    void at(int line, int column, String message) {
        found.add(new Problem(file, Math.max(1, line), Math.max(1, column), ScenarioLoader.clean(message)));
    }

    /** Only this problem: the text could not be read on, and what was found before it may be a consequence. */
    void reset(int line, int column, String message) {
        found.clear();
        at(line, column, message);
    }

    boolean isEmpty() {
        return found.isEmpty();
    }

    int size() {
        return found.size();
    }

    List<Problem> list() {
        return found;
    }
}
