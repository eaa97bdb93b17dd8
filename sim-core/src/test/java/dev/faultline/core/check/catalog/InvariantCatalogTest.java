package dev.faultline.core.check.catalog;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The catalogue against the sources of every module: each id a checker can report is catalogued,
 * each catalogued id is reported by some checker of the module it names, and each proof names a
 * test method or library scenario that exists and mentions the id.
 */
class InvariantCatalogTest {
    /** The repository root (tests run in the module's directory). */
    static final Path ROOT = Path.of("").toAbsolutePath().getParent();
    static final List<String> MODULES = List.of("sim-core", "sim-raft", "sim-zookeeper", "scenarios", "reports");

    /** A string literal that is an invariant id, alone or as the head of an "ID|message" note. */
    private static final Pattern ID_LITERAL = Pattern.compile("\"([A-Z]{2}-[SL][0-9]+)[\"|]");
    /** A String constant whose value is an id: {@code NAME = "KR-S1"}. */
    private static final Pattern ID_CONSTANT = Pattern.compile("String\\s+(\\w+)\\s*=\\s*\"([A-Z]{2}-[SL][0-9]+)\"");

    private static final InvariantCatalog CATALOG = InvariantCatalog.standard();

    static String read(Path p) {
        try {
            return Files.readString(p, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    static List<Path> javaFiles(String module, String sourceSet) {
        Path dir = ROOT.resolve(module).resolve("src").resolve(sourceSet).resolve("java");
        if (!Files.isDirectory(dir)) {
            return List.of();
        }
        try (Stream<Path> s = Files.walk(dir)) {
            return s.filter(p -> p.toString().endsWith(".java")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Every id literal in the main sources outside the catalogue, with the modules it appears in. */
    static Map<String, Set<String>> reportedIds() {
        Map<String, Set<String>> out = new TreeMap<>();
        for (String module : MODULES) {
            for (Path f : javaFiles(module, "main")) {
                if (f.toString().contains("/dev/faultline/core/check/catalog/")) {
                    continue;
                }
                Matcher m = ID_LITERAL.matcher(read(f));
                while (m.find()) {
                    out.computeIfAbsent(m.group(1), k -> new TreeSet<>()).add(module);
                }
            }
        }
        return out;
    }

    /** Constant name to id, from every module's main sources. */
    static Map<String, String> idConstants() {
        Map<String, String> out = new TreeMap<>();
        for (String module : MODULES) {
            for (Path f : javaFiles(module, "main")) {
                Matcher m = ID_CONSTANT.matcher(read(f));
                while (m.find()) {
                    out.put(m.group(1), m.group(2));
                }
            }
        }
        return out;
    }

    @Test
    void theSourcesAreFoundAndReportManyIds() {
        assertThat(ROOT.resolve("sim-core/src/main/java/dev/faultline/core/kernel/Simulation.java")).exists();
        assertThat(reportedIds()).containsKeys("DP-S1", "KR-S1", "KM-S1", "ZK-S1", "KZ-S1");
    }

    @Test
    void everyIdACheckerCanReportIsCatalogued() {
        Set<String> missing = new TreeSet<>(reportedIds().keySet());
        missing.removeAll(CATALOG.ids());
        assertThat(missing).as("ids reported in the main sources but missing from InvariantCatalog").isEmpty();
    }

    @Test
    void everyCataloguedIdIsReportedByTheModuleItNames() {
        Map<String, Set<String>> reported = reportedIds();
        List<String> wrong = new ArrayList<>();
        for (InvariantInfo i : CATALOG.entries()) {
            Set<String> modules = reported.get(i.id());
            if (modules == null || !modules.contains(i.module())) {
                wrong.add(i.id() + " (catalogued in " + i.module() + ", reported in " + modules + ")");
            }
        }
        assertThat(wrong).as("catalogued ids that no checker of their module reports").isEmpty();
    }

    @Test
    void eachEntryIsCompleteAndItsKindMatchesItsId() {
        for (InvariantInfo i : CATALOG.entries()) {
            assertThat(i.id()).matches("[A-Z]{2}-[SL][0-9]+");
            assertThat(i.kind()).as(i.id()).isEqualTo(i.id().charAt(3) == 'S' ? InvariantInfo.Kind.SAFETY : InvariantInfo.Kind.LIVENESS);
            assertThat(MODULES).as(i.id()).contains(i.module());
            assertThat(InvariantCatalog.group(i.id())).as(i.id()).isNotEqualTo("Other");
            assertThat(i.title()).as(i.id()).isNotBlank().doesNotEndWith(".");
            assertThat(i.meaning()).as(i.id() + ": one paragraph").isNotBlank().doesNotContain("\n\n").endsWith(".");
            assertThat(i.meaning()).as(i.id() + ": no references to documents outside the repository").doesNotContain("model-spec");
        }
    }

    @Test
    void everyProofExistsAndMentionsItsId() {
        Map<String, String> constants = idConstants();
        List<String> wrong = new ArrayList<>();
        for (InvariantInfo i : CATALOG.entries()) {
            for (InvariantInfo.Proof p : i.proofs()) {
                if (!p.isTest()) {
                    Path scenario = ROOT.resolve(p.location());
                    if (!Files.isRegularFile(scenario) || !read(scenario).matches("(?s).*\\n\\s*-\\s*expect-violation:\\s*" + i.id() + "\\s.*")) {
                        wrong.add(i.id() + ": " + p.location() + " does not exist or does not expect " + i.id());
                    }
                    continue;
                }
                Path file = ROOT.resolve(p.module()).resolve("src/test/java").resolve(p.testClass().replace('.', '/') + ".java");
                if (!Files.isRegularFile(file)) {
                    wrong.add(i.id() + ": no test class " + file);
                    continue;
                }
                String body = methodBody(read(file), p.testMethod());
                if (body == null) {
                    wrong.add(i.id() + ": no method " + p.location());
                } else if (!mentions(body, i.id(), constants)) {
                    wrong.add(i.id() + ": " + p.location() + " does not mention " + i.id());
                }
            }
        }
        assertThat(wrong).isEmpty();
    }

    /** The text of {@code void method(...)} up to its closing brace (the first one at the declaration's indentation), or null. */
    static String methodBody(String source, String method) {
        Matcher start = Pattern.compile("\\n([ \\t]*)[^\\n]*\\bvoid\\s+" + Pattern.quote(method) + "\\s*\\(").matcher(source);
        if (!start.find()) {
            return null;
        }
        int end = source.indexOf("\n" + start.group(1) + "}", start.end());
        return source.substring(start.start(), end < 0 ? source.length() : end);
    }

    static boolean mentions(String body, String id, Map<String, String> constants) {
        if (body.contains("\"" + id + "\"")) {
            return true;
        }
        for (Map.Entry<String, String> c : constants.entrySet()) {
            if (c.getValue().equals(id) && Pattern.compile("\\b" + c.getKey() + "\\b").matcher(body).find()) {
                return true;
            }
        }
        return false;
    }

    @Test
    void theListingOrderIsByGroupThenSafetyThenNumber() {
        List<String> ids = CATALOG.ids();
        assertThat(ids.subList(0, 3)).containsExactly("DP-S1", "DP-S2", "DP-S3");
        assertThat(ids.indexOf("KR-S10")).isEqualTo(ids.indexOf("KR-S9") + 1);
        assertThat(ids.indexOf("KR-L1")).isEqualTo(ids.indexOf("KR-S11") + 1);
        assertThat(ids.indexOf("KM-S1")).isGreaterThan(ids.indexOf("KR-L4"));
        assertThat(ids.get(ids.size() - 1)).isEqualTo("KZ-L2");
    }

    @Test
    void anIdCannotBeCataloguedTwice() {
        InvariantInfo again = InvariantInfo.safety("DP-S1", "Again", "sim-core", "Again.");
        assertThatThrownBy(() -> CATALOG.with(again)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("DP-S1");
        assertThat(CATALOG.with(InvariantInfo.safety("XX-S1", "Extra", "sim-core", "Extra.")).contains("XX-S1")).isTrue();
        assertThat(CATALOG.contains("XX-S1")).isFalse();
    }

    @Test
    void docsInvariantsMdIsGeneratedFromTheCatalogue() {
        Path doc = ROOT.resolve("docs/invariants.md");
        String expected = CatalogMarkdown.render(CATALOG);
        assertThat(Files.isRegularFile(doc) ? read(doc) : "<missing>")
                .as("docs/invariants.md is out of date; regenerate it from the repository root with: " + CatalogMarkdown.REGENERATE)
                .isEqualTo(expected);
    }
}
