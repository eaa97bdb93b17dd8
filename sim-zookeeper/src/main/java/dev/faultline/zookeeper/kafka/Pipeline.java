package dev.faultline.zookeeper.kafka;

import java.util.function.IntConsumer;

/**
 * Issues {@code count} asynchronous ZooKeeper operations with at most {@code maxInFlight}
 * outstanding ({@code zookeeper.max.in.flight.requests}, the async client of KAFKA-5642), then runs
 * {@code whenDone}. The issuer calls {@link #completed()} from each operation's callback.
 */
final class Pipeline {
    private final int count;
    private final int maxInFlight;
    private final IntConsumer issue;
    private final Runnable whenDone;
    private int next;
    private int inFlight;
    private int done;

    private Pipeline(int count, int maxInFlight, IntConsumer issue, Runnable whenDone) {
        this.count = count;
        this.maxInFlight = maxInFlight;
        this.issue = issue;
        this.whenDone = whenDone;
    }

    /** Starts the pipeline; {@code issue} receives the pipeline through {@link #completed} via the returned object. */
    static Pipeline start(int count, int maxInFlight, java.util.function.BiConsumer<Integer, Pipeline> issue, Runnable whenDone) {
        Pipeline[] self = new Pipeline[1];
        self[0] = new Pipeline(count, maxInFlight, i -> issue.accept(i, self[0]), whenDone);
        self[0].fill();
        return self[0];
    }

    private void fill() {
        if (count == 0 && done == 0 && next == 0) {
            next = -1;
            whenDone.run();
            return;
        }
        while (inFlight < maxInFlight && next >= 0 && next < count) {
            inFlight++;
            issue.accept(next++);
        }
    }

    /** One operation finished. */
    void completed() {
        inFlight--;
        done++;
        if (done == count) {
            whenDone.run();
        } else {
            fill();
        }
    }
}
