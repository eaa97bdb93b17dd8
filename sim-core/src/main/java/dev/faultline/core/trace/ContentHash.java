package dev.faultline.core.trace;

import dev.faultline.core.kernel.SimRandom;
import it.unimi.dsi.fastutil.ints.IntCollection;
import it.unimi.dsi.fastutil.ints.IntIterator;
import it.unimi.dsi.fastutil.ints.IntList;
import it.unimi.dsi.fastutil.ints.IntSortedSet;
import it.unimi.dsi.fastutil.longs.LongCollection;
import it.unimi.dsi.fastutil.longs.LongIterator;
import it.unimi.dsi.fastutil.longs.LongList;
import it.unimi.dsi.fastutil.longs.LongSortedSet;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.reflect.RecordComponent;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.RandomAccess;
import java.util.Set;
import java.util.SortedMap;
import java.util.SortedSet;

/**
 * A 64-bit hash of a message's or timer tag's contents for the run's fingerprint, the same on every
 * JVM: records component by component (through one method handle per component, found once per
 * record class), enums by class and constant name, strings by {@link String#hashCode} (specified by
 * Java), boxed numbers by value, arrays and lists element by element, sets and maps whose order is
 * not defined (HashSet, Set.of, HashMap, Map.of) by an order-independent sum of their elements'
 * hashes (sorted and insertion-ordered ones in order), and {@link ContentHashed} values by their
 * own hash. Identity hash codes are never used. A class that is none of these (a plain object used
 * as a timer tag constant) contributes its class name only. Nesting deeper than {@value #MAX_DEPTH}
 * levels contributes a constant (records cannot form cycles; mutable collections could).
 */
public final class ContentHash {
    static final int MAX_DEPTH = 16;
    private static final long NULL = 0x6E75_6C6CL;
    private static final long TOO_DEEP = 0xDEE9_DEE9L;

    private ContentHash() {
    }

    /** The content hash of {@code o} ({@code null} included). */
    public static long of(Object o) {
        return hash(o, 0);
    }

    /** Folds {@code v} into the running hash {@code h} (an xxHash64-style round). */
    public static long step(long h, long v) {
        return Long.rotateLeft(h ^ (v * 0xC2B2AE3D27D4EB4FL), 31) * 0x9E3779B97F4A7C15L;
    }

    static long hash(Object o, int depth) {
        if (o == null) {
            return NULL;
        }
        if (o instanceof String s) {
            return s.hashCode();
        }
        if (depth > MAX_DEPTH) {
            return TOO_DEEP;
        }
        return HASHERS.get(o.getClass()).hash(o, depth + 1);
    }

    @FunctionalInterface
    private interface Hasher {
        long hash(Object o, int depth);
    }

    private static final ClassValue<Hasher> HASHERS = new ClassValue<>() {
        @Override
        protected Hasher computeValue(Class<?> type) {
            return hasherFor(type);
        }
    };

    private static Hasher hasherFor(Class<?> type) {
        long base = type.getName().hashCode();
        if (ContentHashed.class.isAssignableFrom(type)) {
            return (o, d) -> step(base, ((ContentHashed) o).contentHash());
        }
        if (type == Long.class || type == Integer.class || type == Short.class || type == Byte.class) {
            return (o, d) -> ((Number) o).longValue();
        }
        if (type == Boolean.class) {
            return (o, d) -> (Boolean) o ? 1 : 0;
        }
        if (type == Character.class) {
            return (o, d) -> (Character) o;
        }
        if (type == Double.class) {
            return (o, d) -> Double.doubleToLongBits((Double) o);
        }
        if (type == Float.class) {
            return (o, d) -> Float.floatToIntBits((Float) o);
        }
        if (Enum.class.isAssignableFrom(type)) {
            // getDeclaringClass: a constant with a body is an anonymous subclass; name it by its enum
            return (o, d) -> step(((Enum<?>) o).getDeclaringClass().getName().hashCode(), ((Enum<?>) o).name().hashCode());
        }
        if (type.isArray()) {
            return arrayHasher(type.getComponentType(), base);
        }
        if (type.isRecord()) {
            Hasher h = recordHasher(type, base);
            if (h != null) {
                return h;
            }
        }
        if (IntCollection.class.isAssignableFrom(type)) {
            boolean ordered = IntList.class.isAssignableFrom(type) || IntSortedSet.class.isAssignableFrom(type);
            return (o, d) -> ints((IntCollection) o, ordered);
        }
        if (LongCollection.class.isAssignableFrom(type)) {
            boolean ordered = LongList.class.isAssignableFrom(type) || LongSortedSet.class.isAssignableFrom(type);
            return (o, d) -> longs((LongCollection) o, ordered);
        }
        if (List.class.isAssignableFrom(type) && RandomAccess.class.isAssignableFrom(type)) {
            return (o, d) -> {
                List<?> l = (List<?>) o;
                long h = step(LIST, l.size());
                for (int i = 0, n = l.size(); i < n; i++) {
                    h = step(h, hash(l.get(i), d));
                }
                return h;
            };
        }
        if (Collection.class.isAssignableFrom(type)) {
            boolean ordered = !Set.class.isAssignableFrom(type) || SortedSet.class.isAssignableFrom(type)
                    || LinkedHashSet.class.isAssignableFrom(type);
            return (o, d) -> {
                Collection<?> c = (Collection<?>) o;
                long h = step(ordered ? LIST : SET, c.size());
                long sum = 0;
                for (Object e : c) {
                    if (ordered) {
                        h = step(h, hash(e, d));
                    } else {
                        sum += SimRandom.mix64(hash(e, d));
                    }
                }
                return ordered ? h : step(h, sum);
            };
        }
        if (Map.class.isAssignableFrom(type)) {
            boolean ordered = SortedMap.class.isAssignableFrom(type) || LinkedHashMap.class.isAssignableFrom(type);
            return (o, d) -> {
                Map<?, ?> m = (Map<?, ?>) o;
                long h = step(MAP, m.size());
                long sum = 0;
                for (Map.Entry<?, ?> e : m.entrySet()) {
                    long entry = step(hash(e.getKey(), d), hash(e.getValue(), d));
                    if (ordered) {
                        h = step(h, entry);
                    } else {
                        sum += SimRandom.mix64(entry);
                    }
                }
                return ordered ? h : step(h, sum);
            };
        }
        if (type == Optional.class) {
            return (o, d) -> step(base, hash(((Optional<?>) o).orElse(null), d));
        }
        return (o, d) -> base;
    }

    private static final long LIST = 0x4C15_7L;
    private static final long SET = 0x5E7L;
    private static final long MAP = 0x3A9L;

    private static long ints(IntCollection c, boolean ordered) {
        long h = step(ordered ? LIST : SET, c.size());
        if (c instanceof IntList l) {
            for (int i = 0, n = l.size(); i < n; i++) {
                h = step(h, l.getInt(i));
            }
            return h;
        }
        long sum = 0;
        for (IntIterator it = c.iterator(); it.hasNext(); ) {
            int v = it.nextInt();
            if (ordered) {
                h = step(h, v);
            } else {
                sum += SimRandom.mix64(v);
            }
        }
        return ordered ? h : step(h, sum);
    }

    private static long longs(LongCollection c, boolean ordered) {
        long h = step(ordered ? LIST : SET, c.size());
        long sum = 0;
        for (LongIterator it = c.iterator(); it.hasNext(); ) {
            long v = it.nextLong();
            if (ordered) {
                h = step(h, v);
            } else {
                sum += SimRandom.mix64(v);
            }
        }
        return ordered ? h : step(h, sum);
    }

    private static Hasher arrayHasher(Class<?> component, long base) {
        if (component == long.class) {
            return (o, d) -> {
                long h = step(base, ((long[]) o).length);
                for (long v : (long[]) o) {
                    h = step(h, v);
                }
                return h;
            };
        }
        if (component == int.class) {
            return (o, d) -> {
                long h = step(base, ((int[]) o).length);
                for (int v : (int[]) o) {
                    h = step(h, v);
                }
                return h;
            };
        }
        if (component == short.class) {
            return (o, d) -> {
                long h = step(base, ((short[]) o).length);
                for (short v : (short[]) o) {
                    h = step(h, v);
                }
                return h;
            };
        }
        if (component == byte.class) {
            return (o, d) -> {
                long h = step(base, ((byte[]) o).length);
                for (byte v : (byte[]) o) {
                    h = step(h, v);
                }
                return h;
            };
        }
        if (component == char.class) {
            return (o, d) -> {
                long h = step(base, ((char[]) o).length);
                for (char v : (char[]) o) {
                    h = step(h, v);
                }
                return h;
            };
        }
        if (component == boolean.class) {
            return (o, d) -> {
                long h = step(base, ((boolean[]) o).length);
                for (boolean v : (boolean[]) o) {
                    h = step(h, v ? 1 : 0);
                }
                return h;
            };
        }
        if (component == double.class) {
            return (o, d) -> {
                long h = step(base, ((double[]) o).length);
                for (double v : (double[]) o) {
                    h = step(h, Double.doubleToLongBits(v));
                }
                return h;
            };
        }
        if (component == float.class) {
            return (o, d) -> {
                long h = step(base, ((float[]) o).length);
                for (float v : (float[]) o) {
                    h = step(h, Float.floatToIntBits(v));
                }
                return h;
            };
        }
        return (o, d) -> {
            Object[] a = (Object[]) o;
            long h = step(base, a.length);
            for (Object e : a) {
                h = step(h, hash(e, d));
            }
            return h;
        };
    }

    /** Component by component, primitives without boxing; null if the accessors cannot be opened. */
    private static Hasher recordHasher(Class<?> type, long base) {
        RecordComponent[] components = type.getRecordComponents();
        int n = components.length;
        MethodHandle[] primitive = new MethodHandle[n];
        MethodHandle[] reference = new MethodHandle[n];
        try {
            MethodHandles.Lookup lookup = MethodHandles.lookup();
            for (int i = 0; i < n; i++) {
                var accessor = components[i].getAccessor();
                accessor.setAccessible(true);
                MethodHandle getter = lookup.unreflect(accessor);
                Class<?> t = components[i].getType();
                if (!t.isPrimitive()) {
                    reference[i] = getter.asType(MethodType.methodType(Object.class, Object.class));
                    continue;
                }
                getter = getter.asType(MethodType.methodType(t, Object.class));
                if (t == boolean.class) {
                    getter = MethodHandles.filterReturnValue(getter,
                            lookup.findStatic(ContentHash.class, "bit", MethodType.methodType(long.class, boolean.class)));
                } else if (t == double.class) {
                    getter = MethodHandles.filterReturnValue(getter,
                            lookup.findStatic(Double.class, "doubleToLongBits", MethodType.methodType(long.class, double.class)));
                } else if (t == float.class) {
                    getter = MethodHandles.filterReturnValue(getter,
                            lookup.findStatic(Float.class, "floatToIntBits", MethodType.methodType(int.class, float.class)));
                }
                primitive[i] = getter.asType(MethodType.methodType(long.class, Object.class));
            }
        } catch (ReflectiveOperationException | RuntimeException e) {
            return null; // a record of a module we cannot open: hashed by its class name
        }
        return (o, d) -> {
            long h = base;
            try {
                for (int i = 0; i < n; i++) {
                    MethodHandle p = primitive[i];
                    h = step(h, p != null ? (long) p.invokeExact(o) : hash((Object) reference[i].invokeExact(o), d));
                }
            } catch (Throwable t) {
                throw new IllegalStateException("cannot hash " + type.getName(), t);
            }
            return h;
        };
    }

    private static long bit(boolean b) {
        return b ? 1 : 0;
    }
}
