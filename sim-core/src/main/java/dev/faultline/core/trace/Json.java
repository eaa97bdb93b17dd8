package dev.faultline.core.trace;

/** Minimal JSON writing helpers with a stable output (no reflection, no field reordering). */
public final class Json {
    private Json() {
    }

    /** Appends {@code s} as a JSON string literal. */
    public static StringBuilder string(StringBuilder out, String s) {
        out.append('"');
        if (s == null) {
            s = "";
        }
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': out.append("\\\""); break;
                case '\\': out.append("\\\\"); break;
                case '\n': out.append("\\n"); break;
                case '\r': out.append("\\r"); break;
                case '\t': out.append("\\t"); break;
                default:
                    if (c < 0x20) {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
            }
        }
        return out.append('"');
    }

    /** Appends {@code ,"name":"value"} (or without the comma when {@code first}). */
    public static StringBuilder field(StringBuilder out, String name, String value) {
        out.append(',');
        string(out, name).append(':');
        return string(out, value);
    }

    public static StringBuilder field(StringBuilder out, String name, long value) {
        out.append(',');
        string(out, name).append(':');
        return out.append(value);
    }
}
