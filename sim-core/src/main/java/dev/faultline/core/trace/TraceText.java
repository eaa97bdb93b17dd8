package dev.faultline.core.trace;

import java.lang.reflect.RecordComponent;
import java.util.Arrays;
import java.util.Collection;

/**
 * Renders messages and timer tags for the trace the same way on every run: records component by
 * component, arrays by their elements (never {@code [J@1b6d3586}, which changes from run to run),
 * collections by their elements. Used only when a trace sink is attached or a violation is reported.
 */
final class TraceText {
    private static final ClassValue<RecordComponent[]> COMPONENTS = new ClassValue<>() {
        @Override
        protected RecordComponent[] computeValue(Class<?> type) {
            return type.isRecord() ? type.getRecordComponents() : null;
        }
    };

    private TraceText() {
    }

    static String of(Object o) {
        StringBuilder sb = new StringBuilder();
        append(sb, o, 0);
        return sb.toString();
    }

    private static void append(StringBuilder sb, Object o, int depth) {
        if (o == null) {
            sb.append("null");
            return;
        }
        if (depth > 6) {
            sb.append("...");
            return;
        }
        Class<?> type = o.getClass();
        if (type.isArray()) {
            if (o instanceof long[] a) {
                sb.append(Arrays.toString(a));
            } else if (o instanceof int[] a) {
                sb.append(Arrays.toString(a));
            } else if (o instanceof byte[] a) {
                sb.append(Arrays.toString(a));
            } else if (o instanceof short[] a) {
                sb.append(Arrays.toString(a));
            } else if (o instanceof char[] a) {
                sb.append(Arrays.toString(a));
            } else if (o instanceof boolean[] a) {
                sb.append(Arrays.toString(a));
            } else if (o instanceof double[] a) {
                sb.append(Arrays.toString(a));
            } else if (o instanceof float[] a) {
                sb.append(Arrays.toString(a));
            } else {
                Object[] a = (Object[]) o;
                sb.append('[');
                for (int i = 0; i < a.length; i++) {
                    sb.append(i == 0 ? "" : ", ");
                    append(sb, a[i], depth + 1);
                }
                sb.append(']');
            }
            return;
        }
        RecordComponent[] components = COMPONENTS.get(type);
        if (components != null) {
            sb.append(type.getSimpleName()).append('[');
            for (int i = 0; i < components.length; i++) {
                sb.append(i == 0 ? "" : ", ").append(components[i].getName()).append('=');
                try {
                    append(sb, components[i].getAccessor().invoke(o), depth + 1);
                } catch (ReflectiveOperationException | RuntimeException e) {
                    sb.append('?');
                }
            }
            sb.append(']');
            return;
        }
        if (o instanceof Collection<?> c) {
            sb.append('[');
            boolean first = true;
            for (Object e : c) {
                sb.append(first ? "" : ", ");
                first = false;
                append(sb, e, depth + 1);
            }
            sb.append(']');
            return;
        }
        sb.append(o);
    }
}
