package dev.faultline.scenarios.library;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.scenarios.run.Fingerprints;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Every library scenario and finding gives the same fingerprint on this JVM (Java 17 in CI) and on
 * the newest other JDK on the machine, run there with {@code -XX:hashCode=2} so that every
 * identity hash code is the same: a run whose behaviour depended on the iteration order of a hash
 * container (HashMap/HashSet over records, enums, strings; Set.of and Map.of, whose order changes
 * from one JVM to the next) or on JDK internals would differ. Whole runs, every event in the
 * fingerprint; {@code ./cross-jdk-check} does the same from the command line.
 *
 * <p>The second JDK is {@code $FAULTLINE_SECOND_JDK} (or {@code -Dfaultline.second.jdk}) if set,
 * else the newest JDK of another feature version found beside this one or under /usr/lib/jvm.
 * Without one, a second JVM of this JDK (with {@code -XX:hashCode=2}, so other identity hash codes)
 * is compared instead, saying so: the comparison is never skipped.
 */
class CrossJdkDeterminismTest {
    /** The runner's own budget: whole runs. */
    static final long MAX_EVENTS = dev.faultline.scenarios.run.ScenarioRunner.Options.defaults().maxEvents();

    record Jdk(Path home, int feature, String version) {
        Path java() {
            return home.resolve("bin").resolve("java");
        }
    }

    /** The JDK described by its {@code release} file, if {@code home} holds one. */
    static Optional<Jdk> jdkAt(Path home) {
        try {
            Path release = home.resolve("release");
            if (!Files.isExecutable(home.resolve("bin/java")) || !Files.isRegularFile(release)) {
                return Optional.empty();
            }
            for (String line : Files.readAllLines(release)) {
                if (line.startsWith("JAVA_VERSION=")) {
                    String v = line.substring("JAVA_VERSION=".length()).replace("\"", "");
                    return Optional.of(new Jdk(home.toRealPath(), Runtime.Version.parse(v).feature(), v));
                }
            }
        } catch (IOException | IllegalArgumentException e) {
            // not a JDK we can use
        }
        return Optional.empty();
    }

    /** The second JDK to compare with, or why there is none. */
    static Optional<Jdk> secondJdk(List<String> looked) throws IOException {
        String given = System.getProperty("faultline.second.jdk", System.getenv("FAULTLINE_SECOND_JDK"));
        if (given != null && !given.isBlank()) {
            looked.add(given);
            return jdkAt(Path.of(given));
        }
        int here = Runtime.version().feature();
        Path thisHome = Path.of(System.getProperty("java.home")).toRealPath();
        List<Jdk> found = new ArrayList<>();
        for (Path dir : List.of(thisHome.getParent(), Path.of("/usr/lib/jvm"), Path.of("/usr/local/lib/jvm"), Path.of("/opt/java"))) {
            if (dir == null || !Files.isDirectory(dir)) {
                continue;
            }
            looked.add(dir.toString());
            try (Stream<Path> s = Files.list(dir)) {
                s.map(CrossJdkDeterminismTest::jdkAt).flatMap(Optional::stream).filter(j -> j.feature() != here).forEach(found::add);
            }
        }
        return found.stream().max(Comparator.comparingInt(Jdk::feature).thenComparing(Jdk::version));
    }

    private static long events(List<String> lines) {
        return lines.stream().mapToLong(l -> Long.parseLong(l.substring(l.lastIndexOf(' ') + 1))).sum();
    }

    @Test
    void theLibrarysFingerprintsAreTheSameOnTheNewestOtherJdk() throws Exception {
        List<String> looked = new ArrayList<>();
        Optional<Jdk> second = secondJdk(looked);
        if (second.isEmpty()) {
            // No other JDK: still a second JVM, this one's, with other identity hash codes
            // (-XX:hashCode=2), so that the comparison runs in every build.
            Path home = Path.of(System.getProperty("java.home"));
            second = jdkAt(home).or(() -> Optional.of(new Jdk(home, Runtime.version().feature(), Runtime.version().toString())));
            System.out.println("cross-JDK determinism: no second JDK (a feature version other than " + Runtime.version().feature()
                    + ") found in " + looked + "; comparing with a second JVM of this JDK instead; set FAULTLINE_SECOND_JDK=/path/to/jdk "
                    + "for another version");
        }
        Jdk jdk = second.get();
        List<Path> files = new ArrayList<>(LibraryFilesTest.files().toList());
        files.addAll(LibraryFilesTest.findings().toList());
        java.util.Set<dev.faultline.scenarios.spec.Scenario.Mode> modes = java.util.EnumSet.noneOf(dev.faultline.scenarios.spec.Scenario.Mode.class);
        for (Path f : files) {
            modes.add(dev.faultline.scenarios.spec.ScenarioLoader.load(f).cluster().mode());
        }
        assertThat(modes).as("modes compared across JVMs").containsExactlyInAnyOrder(dev.faultline.scenarios.spec.Scenario.Mode.values());

        List<String> command = new ArrayList<>(List.of(jdk.java().toString(), "-XX:+UnlockExperimentalVMOptions", "-XX:hashCode=2",
                "-cp", System.getProperty("java.class.path"), Fingerprints.class.getName(), "--max-events", Long.toString(MAX_EVENTS)));
        files.forEach(f -> command.add(f.toString()));
        Process p = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        CompletableFuture<String> there = CompletableFuture.supplyAsync(() -> {
            try {
                return new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        });
        long start = System.nanoTime();
        StringBuilder here = new StringBuilder();
        for (Path f : files) {
            here.append(Fingerprints.line(f, MAX_EVENTS)).append('\n');
        }
        assertThat(p.waitFor(5, TimeUnit.MINUTES)).as("the second JDK finished").isTrue();
        assertThat(p.exitValue()).isZero();
        List<String> a = here.toString().lines().toList();
        List<String> b = there.get().lines().toList();
        assertThat(b).as("fingerprints on Java %s (%s, -XX:hashCode=2) against Java %s (this JVM)", jdk.version(), jdk.home(),
                Runtime.version()).containsExactlyElementsOf(a);
        System.out.printf("cross-JDK determinism: %d scenarios, fingerprints identical on Java %s (this JVM) and Java %s (%s, -XX:hashCode=2), "
                + "%d events, in %.1f s%n", files.size(), Runtime.version(), jdk.version(), jdk.home(), events(a),
                (System.nanoTime() - start) / 1e9);
    }
}
