package dev.faultline.core.trace;

import java.io.IOException;

/** Receives every trace event of a run, in order. */
public interface TraceSink extends AutoCloseable {
    void accept(TraceEvent event);

    /** Called once at the end of the run with the final fingerprint; a file sink commits its file here. */
    @Override
    default void close() throws IOException {
    }
}
