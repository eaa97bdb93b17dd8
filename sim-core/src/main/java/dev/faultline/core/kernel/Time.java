package dev.faultline.core.kernel;

import java.math.BigDecimal;
import java.util.Locale;

/**
 * Virtual time. Every instant and duration in Faultline is a {@code long} of nanoseconds; this
 * class holds the unit constants and reads and writes the duration syntax used in YAML and on the
 * command line: {@code 30s}, {@code 250ms}, {@code 1.5ms}, {@code 2m}, {@code 1h}, {@code 40us},
 * {@code 100ns}.
 */
public final class Time {
    public static final long NANOSECOND = 1L;
    public static final long MICROSECOND = 1_000L;
    public static final long MILLISECOND = 1_000_000L;
    public static final long SECOND = 1_000_000_000L;
    public static final long MINUTE = 60 * SECOND;
    public static final long HOUR = 60 * MINUTE;

    private Time() {
    }

    public static long millis(long ms) {
        return Math.multiplyExact(ms, MILLISECOND);
    }

    public static long seconds(long s) {
        return Math.multiplyExact(s, SECOND);
    }

    public static long micros(long us) {
        return Math.multiplyExact(us, MICROSECOND);
    }

    /**
     * Parses a duration such as {@code 30s}, {@code 1.5ms} or {@code 2m}.
     *
     * @throws IllegalArgumentException with a message that names the valid units
     */
    public static long parseDuration(String text) {
        String s = text == null ? "" : text.trim().toLowerCase(Locale.ROOT);
        int split = 0;
        while (split < s.length() && (Character.isDigit(s.charAt(split)) || s.charAt(split) == '.')) {
            split++;
        }
        String number = s.substring(0, split);
        String unit = s.substring(split).trim();
        if (number.isEmpty()) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; write a number and a unit, e.g. 30s, 250ms, 1.5ms, 2m (units: ns, us, ms, s, m, h)");
        }
        long scale;
        switch (unit) {
            case "ns": scale = NANOSECOND; break;
            case "us": case "µs": scale = MICROSECOND; break;
            case "ms": scale = MILLISECOND; break;
            case "s": scale = SECOND; break;
            case "m": case "min": scale = MINUTE; break;
            case "h": scale = HOUR; break;
            default:
                throw new IllegalArgumentException("'" + text + "' has " + (unit.isEmpty() ? "no unit" : "unknown unit '" + unit + "'")
                        + "; valid units are ns, us, ms, s, m, h (e.g. 30s, 250ms, 1.5ms, 2m)");
        }
        BigDecimal value;
        try {
            value = new BigDecimal(number);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("'" + text + "' is not a duration; '" + number + "' is not a number");
        }
        BigDecimal nanos = value.multiply(BigDecimal.valueOf(scale));
        if (nanos.compareTo(BigDecimal.valueOf(Long.MAX_VALUE)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long a duration");
        }
        if (nanos.stripTrailingZeros().scale() > 0) {
            throw new IllegalArgumentException("'" + text + "' is finer than one nanosecond");
        }
        return nanos.longValueExact();
    }

    /** Formats nanoseconds compactly: {@code 12.345s}, {@code 250ms}, {@code 1.5ms}, {@code 40us}. */
    public static String format(long nanos) {
        if (nanos == Long.MAX_VALUE) {
            return "never";
        }
        long abs = Math.abs(nanos);
        if (abs >= SECOND) {
            return trim(BigDecimal.valueOf(nanos).movePointLeft(9)) + "s";
        }
        if (abs >= MILLISECOND) {
            return trim(BigDecimal.valueOf(nanos).movePointLeft(6)) + "ms";
        }
        if (abs >= MICROSECOND) {
            return trim(BigDecimal.valueOf(nanos).movePointLeft(3)) + "us";
        }
        return nanos + "ns";
    }

    /** Milliseconds with three decimals, as reports print them. */
    public static String formatMillis(long nanos) {
        return BigDecimal.valueOf(nanos).movePointLeft(6).setScale(3, java.math.RoundingMode.HALF_EVEN).toPlainString();
    }

    private static String trim(BigDecimal d) {
        BigDecimal s = d.stripTrailingZeros();
        if (s.scale() < 0) {
            s = s.setScale(0);
        }
        return s.toPlainString();
    }
}
