package dev.faultline.scenarios.malformed;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.malformed.Mutations.Case;
import dev.faultline.scenarios.malformed.Mutations.Seed;
import dev.faultline.scenarios.malformed.YamlSlots.Kind;
import dev.faultline.scenarios.malformed.YamlSlots.Slot;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The malformed-input suite: well over 10,000 inputs generated from fixed seeds out of every library
 * scenario, every finding and every YAML example in the README, plus fixed regressions, each given
 * to {@code faultline validate} in this JVM. Every case must end with exit 2 and
 * {@code file:line:column: message} lines, or be valid; never exit 3, never a stack trace, and
 * never take longer than {@link #CASE_BOUND_NANOS}.
 *
 * <p>A case that breaks the contract is written to {@code target/malformed-failures/}; once fixed,
 * copy it into {@code src/test/resources/malformed-regressions/} so that it stays fixed.
 */
class MalformedInputSuiteTest {
    /** The fixed seed of the generated cases. */
    static final long SEED = 20_251_207L;
    /** No case may take longer (a hang or a quadratic blow-up, not a performance target). */
    static final long CASE_BOUND_NANOS = 5 * Time.SECOND;
    /**
     * Valid mutants run through {@code faultline run} (about this many, plus every valid regression), each cut at {@link #RUN_EVENTS}.
     */
    static final int RUN_SAMPLE = 200;
    static final long RUN_EVENTS = 10_000;
    static final Path REGRESSIONS = Path.of("src/test/resources/malformed-regressions");
    static final Path FAILURES = Path.of("target/malformed-failures");

    /** The files every case is derived from: the library, the findings, the README's YAML examples. */
    static List<Seed> seeds() throws IOException {
        List<Seed> out = new ArrayList<>();
        for (String dir : List.of("library", "findings")) {
            try (Stream<Path> s = Files.list(Path.of(dir))) {
                for (Path p : s.filter(p -> p.toString().endsWith(".yaml")).sorted().toList()) {
                    out.add(new Seed(dir + "/" + p.getFileName(), Files.readString(p)));
                }
            }
        }
        String readme = Files.readString(Path.of("../README.md"));
        Matcher m = Pattern.compile("```yaml\\n(.*?)```", Pattern.DOTALL).matcher(readme);
        for (int i = 1; m.find(); i++) {
            out.add(new Seed("README.md example " + i, m.group(1)));
        }
        return out;
    }

    /** Inputs that once broke the contract, kept as they were. */
    static List<Case> regressions() throws IOException {
        List<Case> out = new ArrayList<>();
        try (Stream<Path> s = Files.list(REGRESSIONS)) {
            for (Path p : s.sorted().toList()) {
                out.add(Case.ofBytes("regression: " + p.getFileName(), Files.readAllBytes(p)));
            }
        }
        return out;
    }

    private record Outcome(Case c, Contract.Verdict verdict) {
    }

    @Test
    void everyMalformedInputEndsWithExit2AndLocatedMessagesOrIsValid(@TempDir Path tmp) throws Exception {
        long start = System.nanoTime();
        List<Seed> seeds = seeds();
        assertThat(seeds).hasSizeGreaterThan(20);
        assertThat(seeds).anyMatch(s -> s.name().startsWith("README"));
        Mutations mutations = new Mutations(SEED);
        for (Seed s : seeds) {
            mutations.mutate(s);
        }
        List<Case> cases = new ArrayList<>(mutations.cases());
        cases.addAll(GlobalCases.all());
        List<Case> regressions = regressions();
        assertThat(regressions).as("the fixed regressions").isNotEmpty();
        cases.addAll(regressions);

        int workers = Math.max(1, Math.min(2, Runtime.getRuntime().availableProcessors()));
        ExecutorService pool = Executors.newFixedThreadPool(workers, r -> {
            Thread t = new Thread(r, "malformed-suite");
            t.setDaemon(true);
            return t;
        });
        ThreadLocal<Contract> contracts = ThreadLocal.withInitial(() -> {
            try {
                return new Contract(Files.createTempDirectory(tmp, "w"));
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        });
        List<Outcome> outcomes = new ArrayList<>();
        int runCases = 0;
        try {
            List<Future<Outcome>> futures = new ArrayList<>();
            for (Case c : cases) {
                futures.add(pool.submit(() -> new Outcome(c, contracts.get().check(c))));
            }
            for (int i = 0; i < futures.size(); i++) {
                outcomes.add(await(futures.get(i), cases.get(i)));
            }
            // A sample of the valid mutants through `run`, cut at RUN_EVENTS events: what the loader
            // accepts must not crash the simulation.
            List<Case> valid = new ArrayList<>();
            for (Outcome o : outcomes) {
                if (o.verdict().valid() && o.c().special() == Mutations.Special.FILE) {
                    valid.add(o.c());
                }
            }
            List<Future<Outcome>> runs = new ArrayList<>();
            List<Case> ran = new ArrayList<>();
            for (int i = 0; i < valid.size(); i++) {
                Case c = valid.get(i);
                boolean fixed = c.label().startsWith("regression:");
                if (!fixed && i % Math.max(1, valid.size() / RUN_SAMPLE) != 0) {
                    continue;
                }
                Case labelled = new Case("run: " + c.label(), c.bytes(), c.special());
                ran.add(labelled);
                runs.add(pool.submit(() -> {
                    Contract.Verdict v = contracts.get().checkRun(labelled, RUN_EVENTS);
                    return v == null ? null : new Outcome(labelled, v);
                }));
            }
            for (int i = 0; i < runs.size(); i++) {
                Outcome o = await(runs.get(i), ran.get(i));
                if (o != null) {
                    outcomes.add(o);
                    runCases++;
                }
            }
            // Every whole number and duration at the edges of what is valid, and one past them: the
            // edges are found by searching, so no bound is written here.
            List<Future<List<Outcome>>> bounds = new ArrayList<>();
            for (BoundSearch b : BoundSearch.of(seeds)) {
                bounds.add(pool.submit(() -> b.run(contracts.get())));
            }
            for (Future<List<Outcome>> f : bounds) {
                outcomes.addAll(f.get(10, TimeUnit.MINUTES));
            }
        } finally {
            pool.shutdownNow();
        }

        List<Outcome> broken = new ArrayList<>();
        Outcome slowest = null;
        int valid = 0;
        for (Outcome o : outcomes) {
            if (o.verdict().valid()) {
                valid++;
            }
            if (slowest == null || o.verdict().nanos() > slowest.verdict().nanos()) {
                slowest = o;
            }
            if (o.verdict().violation() != null || o.verdict().nanos() > CASE_BOUND_NANOS) {
                broken.add(o);
            }
        }
        System.out.printf(Locale.ROOT, "malformed-input suite: %d cases (%d valid, %d invalid; %d valid ones also run, %d events each at most) "
                + "from %d files, seed %d, in %.1f s on %d worker(s); %d broke the contract; slowest case %.0f ms (bound %d ms): %s%n",
                outcomes.size(), valid, outcomes.size() - valid, runCases, RUN_EVENTS, seeds.size(), SEED, (System.nanoTime() - start) / 1e9, workers, broken.size(), slowest.verdict().nanos() / 1e6, CASE_BOUND_NANOS / 1_000_000,
                slowest.c().label());
        if (!broken.isEmpty()) {
            Files.createDirectories(FAILURES);
            StringBuilder sb = new StringBuilder();
            int i = 0;
            for (Outcome o : broken) {
                Path f = FAILURES.resolve(String.format(Locale.ROOT, "%04d-%s.yaml", i++, o.c().label().replaceAll("[^A-Za-z0-9._-]+", "_")
                        .substring(0, Math.min(80, o.c().label().replaceAll("[^A-Za-z0-9._-]+", "_").length()))));
                if (o.c().special() == Mutations.Special.FILE) {
                    Files.write(f, o.c().bytes());
                }
                if (i <= 20) {
                    sb.append('\n').append(o.c().label()).append(" (").append(f).append("): ")
                            .append(o.verdict().violation() != null ? o.verdict().violation() : "took " + o.verdict().nanos() / 1_000_000 + " ms");
                }
            }
            throw new AssertionError(broken.size() + " of " + outcomes.size() + " cases broke the contract; inputs written to " + FAILURES + sb);
        }
        assertThat(outcomes.size()).as("cases").isGreaterThanOrEqualTo(10_000);
        assertThat(valid).as("some mutants stay valid (the suite is not all noise)").isGreaterThan(100);
        assertThat(outcomes.size() - valid).as("invalid cases").isGreaterThan(5_000);
    }

    private static Outcome await(Future<Outcome> f, Case c) throws Exception {
        try {
            return f.get(60, TimeUnit.SECONDS);
        } catch (TimeoutException e) {
            f.cancel(true);
            return new Outcome(c, new Contract.Verdict(false, "no answer within 60 s (a hang)", 60 * Time.SECOND));
        }
    }

    /**
     * The edges of one whole-number or duration value: starting from the file's valid value, double
     * the distance until the file turns invalid, then bisect; the last valid value, the first invalid
     * one and the values beside them are checked (in both directions). Every probe is a case.
     */
    record BoundSearch(Seed seed, Slot slot, boolean duration) {
        static List<BoundSearch> of(List<Seed> seeds) {
            List<BoundSearch> out = new ArrayList<>();
            Map<String, Boolean> seen = new LinkedHashMap<>();
            for (Seed s : seeds) {
                for (Slot slot : YamlSlots.of(s.text())) {
                    if (slot.kind() != Kind.SCALAR) {
                        continue;
                    }
                    Mutations.ValueKind k = Mutations.kindOf(slot.text());
                    if ((k == Mutations.ValueKind.INT || k == Mutations.ValueKind.DURATION) && seen.putIfAbsent(slot.path(), true) == null) {
                        out.add(new BoundSearch(s, slot, k == Mutations.ValueKind.DURATION));
                    }
                }
            }
            return out;
        }

        List<Outcome> run(Contract contract) throws IOException {
            List<Outcome> out = new ArrayList<>();
            long v;
            try {
                v = duration ? Time.parseDuration(slot.text()) : Long.parseLong(slot.text().trim().replace("+", ""));
            } catch (RuntimeException e) {
                return out;
            }
            if (!probe(contract, v, out)) {
                return out; // the file was not valid to begin with: nothing to search from
            }
            for (int dir : new int[] {1, -1}) {
                long lo = v;
                long hi = 0;
                boolean found = false;
                for (long step = 1; step > 0 && step <= Long.MAX_VALUE / 2; step *= 2) {
                    long cand = dir > 0 ? (lo > Long.MAX_VALUE - step ? Long.MAX_VALUE : lo + step) : (lo < Long.MIN_VALUE + step ? Long.MIN_VALUE : lo - step);
                    if (!probe(contract, cand, out)) {
                        hi = cand;
                        found = true;
                        break;
                    }
                    lo = cand;
                    if (cand == Long.MAX_VALUE || cand == Long.MIN_VALUE) {
                        break;
                    }
                }
                if (!found) {
                    continue;
                }
                while (Math.abs(hi - lo) > 1) {
                    long mid = lo + (hi - lo) / 2;
                    if (probe(contract, mid, out)) {
                        lo = mid;
                    } else {
                        hi = mid;
                    }
                }
                for (long x : new long[] {lo - dir, lo, hi, hi + dir}) {
                    probe(contract, x, out);
                }
            }
            return out;
        }

        private boolean probe(Contract contract, long value, List<Outcome> out) throws IOException {
            String text = duration ? value + "ns" : Long.toString(value);
            Case c = Case.of(seed.name() + ": " + slot.path() + " = " + text + " (bound search)", Mutations.splice(seed.text(), slot, text));
            Contract.Verdict verdict = contract.check(c);
            out.add(new Outcome(c, verdict));
            return verdict.valid();
        }
    }

    static String utf8(byte[] b) {
        return new String(b, StandardCharsets.UTF_8);
    }
}
