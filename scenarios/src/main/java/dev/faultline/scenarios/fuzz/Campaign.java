package dev.faultline.scenarios.fuzz;

import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.AtomicFileWriter;
import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.run.ScenarioRunner;
import dev.faultline.scenarios.spec.Scenario;
import dev.faultline.scenarios.spec.ScenarioWriter;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.Consumer;

/**
 * A fuzz campaign: independent simulations on worker threads, each single-threaded and
 * deterministic. Seeds come from this shard's slice of the seed space ({@code base + shard + k·shards}),
 * so a CI matrix or a Kubernetes Indexed Job can spread one campaign over many machines without
 * overlap. Failures are de-duplicated by signature, shrunk, and written at once, whole or not at
 * all: first the original scenario, then the shrunk one.
 *
 * <p>Nothing found is lost when the process dies, even by {@code kill -9}: a new failure's
 * directory is written under a hidden temporary name and renamed into place (so it appears with its
 * {@code original.yaml} and {@code summary.txt}, or not at all), and every later file replaces its
 * predecessor by an atomic rename. {@code campaign.txt} in {@code --out} records how far the
 * campaign got; a campaign started again with the same seed, shard, mode and planted bugs on the
 * same {@code --out} removes the leftovers of interrupted writes, knows the failures already written
 * (so it writes none of them again), finishes the shrinking that was cut off, and goes on from the
 * first run that had not finished.
 *
 * <p>Every finding has a class (docs/invariants.md#classification): a failure is a BUG (unless a
 * rule classified the violation that stopped it), and the HAZARD and EXPECTED cases that runs
 * recorded and went on after are found, counted and deduplicated apart from the failures, by
 * signature {@code hazard-RULE-ID} / {@code expected-RULE-ID}. Hazards are shrunk and written like
 * failures; EXPECTED cases are written as found, without shrinking.
 */
public final class Campaign {
    /** What to run. */
    public record Options(ScheduleGenerator.Options generator, long baseSeed, int shard, int shards, long maxRuns, long maxWallNanos,
                          int workers, Path out, int shrinkBudget) {
    }

    /** What a campaign did. */
    public record Summary(long runs, long failedRuns, long simulatedNanos, long wallNanos, Map<String, FuzzFailure> failures,
                          Map<String, Long> runsToFind, long firstRun, List<String> foundBefore, Map<String, Long> occurrences) {
        public double runsPerSecond() {
            return runs / Math.max(1e-9, wallNanos / 1e9);
        }

        public double simulatedPerWall() {
            return simulatedNanos / (double) Math.max(1, wallNanos);
        }
    }

    /** The signature of a run that crashed the simulator itself. */
    static final String INTERNAL_ERROR = "internal-error";
    /** The campaign's progress file in {@code --out}. */
    static final String STATE = "campaign.txt";
    private static final java.util.regex.Pattern FINDING = java.util.regex.Pattern.compile("(.+)-seed-(-?\\d{1,19})");

    private final Options options;
    private final PrintWriter log;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong failedRuns = new AtomicLong();
    private final AtomicLong simulated = new AtomicLong();
    private final Map<String, FuzzFailure> failures = new LinkedHashMap<>();
    private final Map<String, Long> runsToFind = new LinkedHashMap<>();
    /** Per signature: the runs of this campaign that showed it (guarded by this). */
    private final Map<String, Long> occurrences = new LinkedHashMap<>();
    private Consumer<FuzzFailure> onFailure = f -> { };
    /** Failures written by an earlier, interrupted run of this campaign, whose shrinking did not finish. */
    private final java.util.concurrent.ConcurrentLinkedQueue<FuzzFailure> unfinished = new java.util.concurrent.ConcurrentLinkedQueue<>();
    private final List<String> foundBefore = new ArrayList<>();
    /** Runs from {@code firstRun} on that have finished, beyond the contiguous prefix {@code frontier}. */
    private final java.util.TreeSet<Long> finishedAhead = new java.util.TreeSet<>();
    private long firstRun;
    private long frontier;
    private long lastSaveNanos;

    public Campaign(Options options, PrintWriter log) {
        this.options = options;
        this.log = log;
    }

    /** Called (on a worker thread, under the campaign's lock) for each new failure signature. */
    public Campaign onFailure(Consumer<FuzzFailure> listener) {
        this.onFailure = listener;
        return this;
    }

    /** Asks the workers to stop after their current run (Ctrl-C). */
    public void stop() {
        stop.set(true);
    }

    /** The seed of the k-th run of this shard. */
    public long seedOf(long k) {
        return options.baseSeed() + options.shard() + k * options.shards();
    }

    public Summary run() throws InterruptedException {
        long start = System.nanoTime();
        resume();
        ExecutorService pool = Executors.newFixedThreadPool(options.workers());
        for (int w = 0; w < options.workers(); w++) {
            pool.submit(() -> {
                finishShrinking();
                work(start);
            });
        }
        pool.shutdown();
        while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
            if (System.nanoTime() - start > options.maxWallNanos()) {
                stop.set(true);
            }
        }
        long wall = System.nanoTime() - start;
        synchronized (this) {
            saveProgress(true);
            return new Summary(runs.get(), failedRuns.get(), simulated.get(), wall, new LinkedHashMap<>(failures), new LinkedHashMap<>(runsToFind),
                    firstRun, List.copyOf(foundBefore), new LinkedHashMap<>(occurrences));
        }
    }

    // ------------------------------------------------------------------ restarts

    /** What identifies this campaign in {@code campaign.txt}: the same key continues, another starts over. */
    private String key() {
        ScheduleGenerator.Options g = options.generator();
        return "seed " + options.baseSeed() + ", shard " + options.shard() + "/" + options.shards() + ", mode "
                + (g.mode() == null ? "all" : g.mode().yamlName()) + ", plant " + g.bugs();
    }

    /**
     * Picks up what an earlier run of this campaign left in {@code --out}: removes half-written
     * files, loads the failures written (they are not written again), queues those whose shrinking
     * was cut off, and starts at the first run that had not finished.
     */
    private void resume() {
        Path out = options.out();
        if (out == null || !Files.isDirectory(out)) {
            return;
        }
        try (java.util.stream.Stream<Path> entries = Files.list(out)) {
            for (Path p : entries.sorted().toList()) {
                String name = p.getFileName().toString();
                if (name.startsWith(".")) {
                    deleteQuietly(p); // an interrupted write: a temporary directory or file
                    continue;
                }
                java.util.regex.Matcher m = FINDING.matcher(name);
                if (!Files.isDirectory(p) || !m.matches()) {
                    continue;
                }
                try (java.util.stream.Stream<Path> inside = Files.list(p)) {
                    for (Path f : inside.toList()) {
                        if (f.getFileName().toString().startsWith(".")) {
                            deleteQuietly(f);
                        }
                    }
                }
                String signature = m.group(1);
                if (failures.containsKey(signature) || !Files.exists(p.resolve("original.yaml"))) {
                    continue;
                }
                Scenario original;
                long seed;
                try {
                    seed = Long.parseLong(m.group(2));
                    original = dev.faultline.scenarios.spec.ScenarioLoader.load(p.resolve("original.yaml"));
                } catch (dev.faultline.scenarios.spec.ScenarioException | NumberFormatException e) {
                    log.println("cannot read " + p + " (left as it is): " + String.valueOf(e.getMessage()).lines().findFirst().orElse(""));
                    continue;
                }
                FuzzFailure f = new FuzzFailure(seed, signature, original, null);
                failures.put(signature, f);
                foundBefore.add(signature);
                if (!Files.exists(p.resolve("scenario.yaml")) && shrinks(signature)) {
                    unfinished.add(f);
                }
            }
        } catch (IOException | RuntimeException e) {
            log.println("cannot read what an earlier campaign left in " + out + ": " + e);
        }
        Path state = out.resolve(STATE);
        try {
            if (Files.exists(state)) {
                String key = "";
                String next = "0";
                for (String line : Files.readAllLines(state)) {
                    if (line.startsWith("campaign: ")) {
                        key = line.substring("campaign: ".length());
                    } else if (line.startsWith("next-run: ")) {
                        next = line.substring("next-run: ".length()).trim();
                    }
                }
                if (key.equals(key())) {
                    firstRun = Math.max(0, Long.parseLong(next));
                } else {
                    log.println(out + " holds another campaign (" + key + "); this one (" + key() + ") starts at its first run");
                }
            }
        } catch (IOException | RuntimeException e) {
            log.println("cannot read " + state + "; starting at the first run: " + e.getMessage());
        }
        frontier = firstRun;
        next.set(firstRun);
        if (firstRun > 0 || !foundBefore.isEmpty()) {
            log.println("continuing the campaign in " + out + " at run " + firstRun + " (seed " + seedOf(firstRun) + "); failures written before: "
                    + (foundBefore.isEmpty() ? "none" : String.join(", ", foundBefore))
                    + (unfinished.isEmpty() ? "" : "; finishing the shrinking of " + unfinished.size()));
            log.flush();
        }
    }

    /** Shrinks the failures whose shrinking an interrupted run of the campaign did not finish. */
    private void finishShrinking() {
        for (FuzzFailure f; !stop.get() && (f = unfinished.poll()) != null; ) {
            shrinkAndWrite(f.signature(), f.seed(), f.original());
        }
    }

    /** A run finished: advance the contiguous prefix of finished runs, and save it now and then. */
    private synchronized void finished(long k) {
        finishedAhead.add(k);
        while (finishedAhead.remove(frontier)) {
            frontier++;
        }
        saveProgress(false);
    }

    private void saveProgress(boolean now) {
        if (options.out() == null || (!now && System.nanoTime() - lastSaveNanos < Time.SECOND)) {
            return;
        }
        lastSaveNanos = System.nanoTime();
        try {
            Files.createDirectories(options.out());
            AtomicFileWriter.write(options.out().resolve(STATE), "# faultline fuzz: runs before next-run have finished; the same campaign\n"
                    + "# (same --seed, --shard, --mode and --plant) started again with this --out continues there.\n"
                    + "campaign: " + key() + "\nnext-run: " + frontier + "\n");
        } catch (IOException e) {
            log.println("cannot write " + options.out().resolve(STATE) + ": " + e.getMessage());
        }
    }

    private static void deleteQuietly(Path p) {
        try {
            if (Files.isDirectory(p, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
                try (java.util.stream.Stream<Path> s = Files.list(p)) {
                    for (Path c : s.toList()) {
                        deleteQuietly(c);
                    }
                }
            }
            Files.deleteIfExists(p);
        } catch (IOException e) {
            // left behind: it is hidden and harmless
        }
    }

    private void work(long start) {
        while (!stop.get()) {
            long k = next.getAndIncrement();
            if (k >= options.maxRuns() || System.nanoTime() - start > options.maxWallNanos()) {
                stop.set(true);
                return;
            }
            long seed = seedOf(k);
            Scenario s = ScheduleGenerator.generate(seed, options.generator());
            ScenarioResult r;
            try {
                r = ScenarioRunner.run(s);
            } catch (RuntimeException | Error e) {
                // A crash of the simulator itself is a finding too (an AssertionError from a protocol's
                // own consistency check included).
                log.println("seed " + seed + ": internal error " + e);
                StackTraceElement[] st = e.getStackTrace();
                for (int i = 0; i < Math.min(5, st.length); i++) {
                    log.println("    at " + st[i]);
                }
                record(seed, INTERNAL_ERROR, s, null);
                runs.incrementAndGet();
                finished(k);
                continue;
            }
            runs.incrementAndGet();
            simulated.addAndGet(r.simulatedNanos());
            if (FuzzFailure.signatureOf(r) != null) {
                failedRuns.incrementAndGet();
            }
            for (String signature : FuzzFailure.signaturesOf(r)) {
                record(seed, signature, s, r);
            }
            finished(k);
        }
    }

    /** Whether findings of this signature are shrunk: failures and hazards, not internal errors or EXPECTED cases. */
    private static boolean shrinks(String signature) {
        return !signature.equals(INTERNAL_ERROR) && FuzzFailure.classOf(signature) != dev.faultline.core.check.classify.ViolationClass.EXPECTED;
    }

    private void record(long seed, String signature, Scenario s, ScenarioResult r) {
        synchronized (this) {
            occurrences.merge(signature, 1L, Long::sum);
            if (failures.containsKey(signature)) {
                return;
            }
            FuzzFailure f = new FuzzFailure(seed, signature, s, r);
            failures.put(signature, f);
            runsToFind.put(signature, runs.get());
            write(f, s, null);
            log.println("found " + signature + " with seed " + seed + " after " + runs.get() + " runs (" + FuzzFailure.classOf(signature) + ")"
                    + (r != null && shrinks(signature) ? "; shrinking..." : ""));
            log.flush();
        }
        if (r != null && shrinks(signature)) {
            shrinkAndWrite(signature, seed, s);
        }
        synchronized (this) {
            onFailure.accept(failures.get(signature));
        }
    }

    private void shrinkAndWrite(String signature, long seed, Scenario s) {
        Shrinker shrinker = new Shrinker(c -> {
            try {
                return FuzzFailure.signaturesOf(ScenarioRunner.run(c)).contains(signature);
            } catch (RuntimeException | Error e) {
                return false; // a different failure: not the one being shrunk
            }
        }, options.shrinkBudget());
        Scenario shrunk = shrinker.shrink(s);
        synchronized (this) {
            write(failures.get(signature), s, shrunk);
            log.println("  " + signature + ": shrunk from " + s.faults().size() + " to " + shrunk.faults().size() + " faults in "
                    + shrinker.runs() + " runs; wrote " + dirOf(signature, seed));
            log.flush();
        }
    }

    private Path dirOf(String signature, long seed) {
        return options.out().resolve(signature + "-seed-" + seed);
    }

    private void write(FuzzFailure f, Scenario original, Scenario shrunk) {
        if (options.out() == null) {
            return;
        }
        Path dir = dirOf(f.signature(), f.seed());
        try {
            StringBuilder summary = new StringBuilder();
            summary.append("signature: ").append(f.signature()).append('\n');
            String reference = FuzzFailure.referenceOf(f.signature());
            summary.append("class: ").append(f.violationClass()).append(reference.isEmpty() ? "" : " (" + reference + ")")
                    .append(" (docs/invariants.md#classification)\n");
            summary.append("generator seed: ").append(f.seed()).append('\n');
            summary.append("replay: ./faultline run ").append(dir.resolve(shrunk != null ? "scenario.yaml" : "original.yaml")).append('\n');
            if (shrunk == null && shrinks(f.signature())) {
                summary.append("shrinking: not finished yet (the same campaign started again on this --out finishes it)\n");
            }
            if (f.result() != null) {
                summary.append('\n').append(f.result().summary()).append('\n');
            }
            if (!Files.isDirectory(dir)) {
                // A new failure appears whole: written under a hidden name, then renamed into place.
                Files.createDirectories(options.out());
                Path temp = Files.createTempDirectory(options.out(), "." + dir.getFileName() + ".");
                Files.writeString(temp.resolve("original.yaml"), ScenarioWriter.write(original));
                Files.writeString(temp.resolve("summary.txt"), summary.toString());
                try {
                    Files.move(temp, dir, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                } catch (java.nio.file.AtomicMoveNotSupportedException e) {
                    Files.move(temp, dir);
                }
                if (shrunk == null) {
                    return;
                }
            }
            // Each file replaces the last by an atomic rename: the scenario first, then the summary
            // that names it, so that the summary's replay line always names a file that is there.
            AtomicFileWriter.write(dir.resolve("original.yaml"), ScenarioWriter.write(original));
            if (shrunk != null) {
                AtomicFileWriter.write(dir.resolve("scenario.yaml"), ScenarioWriter.write(shrunk));
            }
            AtomicFileWriter.write(dir.resolve("summary.txt"), summary.toString());
        } catch (IOException e) {
            log.println("cannot write " + dir + ": " + e.getMessage());
        }
    }

    /** A one-line progress report. */
    public String progress(long startNanos) {
        double elapsed = (System.nanoTime() - startNanos) / 1e9;
        synchronized (this) {
            long hazards = failures.keySet().stream().filter(k -> FuzzFailure.classOf(k) == dev.faultline.core.check.classify.ViolationClass.HAZARD).count();
            long expected = failures.keySet().stream().filter(k -> FuzzFailure.classOf(k) == dev.faultline.core.check.classify.ViolationClass.EXPECTED).count();
            return String.format(Locale.ROOT, "%d runs, %.1f runs/s, %d failing runs, %d distinct failures, %d hazards, %d expected, %s elapsed",
                    runs.get(), runs.get() / Math.max(elapsed, 1e-9), failedRuns.get(), failures.size() - hazards - expected, hazards, expected,
                    Time.format((long) (elapsed * 1e9)));
        }
    }

    /** The failure signatures found so far. */
    public synchronized List<String> signatures() {
        return new ArrayList<>(failures.keySet());
    }
}
