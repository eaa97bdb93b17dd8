package dev.faultline.scenarios.arch;

import static org.assertj.core.api.Assertions.assertThat;

import com.tngtech.archunit.core.domain.JavaClass;
import com.tngtech.archunit.core.importer.ClassFileImporter;
import com.tngtech.archunit.core.importer.ImportOption;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.trace.ContentHashed;
import it.unimi.dsi.fastutil.ints.IntCollection;
import it.unimi.dsi.fastutil.longs.LongCollection;
import java.lang.reflect.GenericArrayType;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The run's fingerprint hashes every message's contents (ContentHash): records component by
 * component, down to primitives, strings, enums, arrays and collections of such, or values that hash
 * themselves (ContentHashed). A component of another type (an {@code Object}, a plain class) would
 * contribute only its class name, and two runs differing in it would get the same fingerprint; this
 * test finds every message type of every module and fails on such a component.
 */
class MessagesHashTheirContentsTest {
    @Test
    void everyComponentOfEveryMessageIsHashedByContent() throws ClassNotFoundException {
        List<String> messageTypes = new ArrayList<>();
        List<String> uncovered = new ArrayList<>();
        for (JavaClass c : new ClassFileImporter().withImportOption(ImportOption.Predefined.DO_NOT_INCLUDE_TESTS).importPackages("dev.faultline")) {
            if (!c.isAssignableTo(Message.class) || c.isInterface()) {
                continue;
            }
            Class<?> type = Class.forName(c.getName());
            messageTypes.add(type.getName());
            check(type, type.getName(), new HashSet<>(), uncovered);
        }
        assertThat(messageTypes).as("message types found").hasSizeGreaterThan(40);
        assertThat(uncovered).as("components hashed by class name only").isEmpty();
    }

    private static void check(Type t, String where, Set<Type> seen, List<String> uncovered) {
        if (!seen.add(t)) {
            return;
        }
        if (t instanceof ParameterizedType p) {
            Class<?> raw = (Class<?>) p.getRawType();
            if (Collection.class.isAssignableFrom(raw) || Optional.class == raw || Map.class.isAssignableFrom(raw)) {
                for (Type a : p.getActualTypeArguments()) {
                    check(a, where + "<>", seen, uncovered);
                }
                return;
            }
            check(raw, where, seen, uncovered);
            return;
        }
        if (t instanceof GenericArrayType g) {
            check(g.getGenericComponentType(), where + "[]", seen, uncovered);
            return;
        }
        if (!(t instanceof Class<?> c)) {
            uncovered.add(where + ": " + t);
            return;
        }
        if (c.isPrimitive() || c == String.class || Number.class.isAssignableFrom(c) && c.getName().startsWith("java.lang.")
                || c == Boolean.class || c == Character.class || c.isEnum() || ContentHashed.class.isAssignableFrom(c)
                || IntCollection.class.isAssignableFrom(c) || LongCollection.class.isAssignableFrom(c)) {
            return;
        }
        if (c.isArray()) {
            check(c.getComponentType(), where + "[]", seen, uncovered);
            return;
        }
        if (c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                check(rc.getGenericType(), c.getSimpleName() + "." + rc.getName(), seen, uncovered);
            }
            return;
        }
        if (c.isSealed()) {
            for (Class<?> sub : c.getPermittedSubclasses()) {
                check(sub, where + " (" + sub.getSimpleName() + ")", seen, uncovered);
            }
            return;
        }
        uncovered.add(where + ": " + c.getName());
    }
}
