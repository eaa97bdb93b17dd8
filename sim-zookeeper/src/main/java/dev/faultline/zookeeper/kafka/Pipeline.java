package dev.faultline.zookeeper.kafka;

import java.util.function.IntConsumer;

/**
 * Issues {@code count} asynchronous ZooKeeper operations with at most {@code maxInFlight}
 * outstanding ({@code zookeeper.max.in.flight.requests}, the async client of KAFKA-5642), then runs
 * {@code whenDone}. The issuer calls {@link #completed()} from each operation's callback, as the
 * callback's last step.
 *
 * <p>A callback may run synchronously inside the issue (the ZooKeeper client answers at once once
 * its session expired or it was closed, and a failed write's re-read fails the same way). Issuing
 * is therefore a loop that such a completion only feeds ({@link #issuing}), never a recursion: a
 * batch of 100,000 writes whose session expired would otherwise nest one issue per operation and
 * overflow the stack. The operations are issued in the same order either way.
 */
final class Pipeline {
    private final int count;
    private final int maxInFlight;
    private final IntConsumer issue;
    private final Runnable whenDone;
    private int next;
    private int inFlight;
    private int done;
    /** Whether {@link #fill} is running (a completion inside it lets the loop issue the next operation). */
    private boolean issuing;

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
        if (issuing) {
            return; // the loop below, further up the stack, issues it
        }
        issuing = true;
        try {
            while (inFlight < maxInFlight && next >= 0 && next < count) {
                inFlight++;
                issue.accept(next++);
            }
        } finally {
            issuing = false;
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
