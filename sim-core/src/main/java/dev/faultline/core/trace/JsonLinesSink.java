package dev.faultline.core.trace;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** Writes one JSON object per line, stable field order; the file appears whole at {@link #close()}. */
public final class JsonLinesSink implements TraceSink {
    private final AtomicFileWriter file;
    private final StringBuilder line = new StringBuilder(256);

    public JsonLinesSink(Path path) throws IOException {
        this.file = new AtomicFileWriter(path);
    }

    @Override
    public void accept(TraceEvent event) {
        line.setLength(0);
        event.writeJson(line);
        line.append('\n');
        try {
            file.writer().append(line);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    @Override
    public void close() throws IOException {
        file.commit();
    }

    /** Drops the partial file (when a run fails with an internal error). */
    public void abort() {
        file.abort();
    }
}
