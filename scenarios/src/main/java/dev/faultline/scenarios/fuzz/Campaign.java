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
 */
public final class Campaign {
    /** What to run. */
    public record Options(ScheduleGenerator.Options generator, long baseSeed, int shard, int shards, long maxRuns, long maxWallNanos,
                          int workers, Path out, int shrinkBudget) {
    }

    /** What a campaign did. */
    public record Summary(long runs, long failedRuns, long simulatedNanos, long wallNanos, Map<String, FuzzFailure> failures,
                          Map<String, Long> runsToFind) {
        public double runsPerSecond() {
            return runs / Math.max(1e-9, wallNanos / 1e9);
        }

        public double simulatedPerWall() {
            return simulatedNanos / (double) Math.max(1, wallNanos);
        }
    }

    private final Options options;
    private final PrintWriter log;
    private final AtomicBoolean stop = new AtomicBoolean();
    private final AtomicLong next = new AtomicLong();
    private final AtomicLong runs = new AtomicLong();
    private final AtomicLong failedRuns = new AtomicLong();
    private final AtomicLong simulated = new AtomicLong();
    private final Map<String, FuzzFailure> failures = new LinkedHashMap<>();
    private final Map<String, Long> runsToFind = new LinkedHashMap<>();
    private Consumer<FuzzFailure> onFailure = f -> { };

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
        ExecutorService pool = Executors.newFixedThreadPool(options.workers());
        for (int w = 0; w < options.workers(); w++) {
            pool.submit(() -> work(start));
        }
        pool.shutdown();
        while (!pool.awaitTermination(1, TimeUnit.SECONDS)) {
            if (System.nanoTime() - start > options.maxWallNanos()) {
                stop.set(true);
            }
        }
        long wall = System.nanoTime() - start;
        synchronized (this) {
            return new Summary(runs.get(), failedRuns.get(), simulated.get(), wall, Map.copyOf(failures), Map.copyOf(runsToFind));
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
                record(seed, "internal-error", s, null);
                runs.incrementAndGet();
                continue;
            }
            runs.incrementAndGet();
            simulated.addAndGet(r.simulatedNanos());
            String signature = FuzzFailure.signatureOf(r);
            if (signature != null) {
                failedRuns.incrementAndGet();
                record(seed, signature, s, r);
            }
        }
    }

    private void record(long seed, String signature, Scenario s, ScenarioResult r) {
        synchronized (this) {
            if (failures.containsKey(signature)) {
                return;
            }
            FuzzFailure f = new FuzzFailure(seed, signature, s, r);
            failures.put(signature, f);
            runsToFind.put(signature, runs.get());
            write(f, s, null);
            log.println("found " + signature + " with seed " + seed + " after " + runs.get() + " runs; shrinking...");
            log.flush();
        }
        Scenario shrunk = s;
        if (r != null) {
            Shrinker shrinker = new Shrinker(c -> {
                try {
                    return signature.equals(FuzzFailure.signatureOf(ScenarioRunner.run(c)));
                } catch (RuntimeException | Error e) {
                    return false; // a different failure: not the one being shrunk
                }
            }, options.shrinkBudget());
            shrunk = shrinker.shrink(s);
            synchronized (this) {
                write(failures.get(signature), s, shrunk);
                log.println("  " + signature + ": shrunk from " + s.faults().size() + " to " + shrunk.faults().size() + " faults in "
                        + shrinker.runs() + " runs; wrote " + dirOf(signature, seed));
                log.flush();
            }
        }
        synchronized (this) {
            onFailure.accept(failures.get(signature));
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
            Files.createDirectories(dir);
            AtomicFileWriter.write(dir.resolve("original.yaml"), ScenarioWriter.write(original));
            if (shrunk != null) {
                AtomicFileWriter.write(dir.resolve("scenario.yaml"), ScenarioWriter.write(shrunk));
            }
            StringBuilder summary = new StringBuilder();
            summary.append("signature: ").append(f.signature()).append('\n');
            summary.append("generator seed: ").append(f.seed()).append('\n');
            summary.append("replay: ./faultline run ").append(dir.resolve(shrunk != null ? "scenario.yaml" : "original.yaml")).append('\n');
            if (f.result() != null) {
                summary.append('\n').append(f.result().summary()).append('\n');
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
            return String.format(Locale.ROOT, "%d runs, %.1f runs/s, %d failing runs, %d distinct failures, %s elapsed", runs.get(),
                    runs.get() / Math.max(elapsed, 1e-9), failedRuns.get(), failures.size(), Time.format((long) (elapsed * 1e9)));
        }
    }

    /** The failure signatures found so far. */
    public synchronized List<String> signatures() {
        return new ArrayList<>(failures.keySet());
    }
}
