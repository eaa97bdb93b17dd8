package dev.faultline.core.mode;

import java.util.List;

/**
 * A setting a mode reads, by its real name (Kafka's, ZooKeeper's, or Faultline's own
 * {@code faultline.*}), with the values it takes. The simulator reads settings only when a run
 * starts, so a scenario's values are checked against these before it runs.
 *
 * @param key the property name
 * @param kind what values it takes
 * @param min the least whole number ({@link Kind#NUMBER})
 * @param max the largest whole number ({@link Kind#NUMBER})
 */
public record Setting(String key, Kind kind, long min, long max) {
    /** The values a setting takes. */
    public enum Kind {
        /** {@code true} or {@code false}. */
        FLAG,
        /** A whole number between min and max. */
        NUMBER
    }

    /** A switch: {@code true} or {@code false}. */
    public static Setting flag(String key) {
        return new Setting(key, Kind.FLAG, 0, 0);
    }

    /** A whole number from 0 that fits an int (a size, a count, a back-off that may be zero). */
    public static Setting count(String key) {
        return new Setting(key, Kind.NUMBER, 0, Integer.MAX_VALUE);
    }

    /**
     * A whole number from 1 that fits an int: an interval or a timeout (0 would repeat a timer at the
     * same instant forever), a number of ticks, a limit of requests in flight.
     */
    public static Setting positive(String key) {
        return new Setting(key, Kind.NUMBER, 1, Integer.MAX_VALUE);
    }

    /** A cost in nanoseconds: a whole number from 0 that fits a long. */
    public static Setting nanos(String key) {
        return new Setting(key, Kind.NUMBER, 0, Long.MAX_VALUE);
    }

    /** A whole number between {@code min} and {@code max}. */
    public static Setting number(String key, long min, long max) {
        return new Setting(key, Kind.NUMBER, min, max);
    }

    /** {@code null} when {@code value} is a valid value of this setting, else what would be. */
    public String check(String value) {
        return kind == Kind.FLAG ? checkFlag(key, value) : checkNumber(key, value, min, max);
    }

    /** {@code null} when {@code value} is {@code true} or {@code false} (any case), else what would be. */
    public static String checkFlag(String key, String value) {
        String v = value.trim();
        return v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false") ? null : "'" + key + "' must be true or false, not '" + value + "'";
    }

    /** {@code null} when {@code value} is a whole number in [min, max], else what would be. */
    public static String checkNumber(String key, String value, long min, long max) {
        long n;
        try {
            n = Long.parseLong(value.trim());
        } catch (NumberFormatException e) {
            return "'" + key + "' must be a whole number between " + min + " and " + max + ", not '" + value + "'";
        }
        return n >= min && n <= max ? null : "'" + key + "' must be between " + min + " and " + max + ", not " + n;
    }

    /** The keys of these settings, in order. */
    public static List<String> keys(List<Setting> settings) {
        return settings.stream().map(Setting::key).toList();
    }
}
