package dev.faultline.core.trace;

import java.io.BufferedWriter;
import java.io.IOException;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * Writes a file whole or not at all: everything goes to a temporary file beside the target, which
 * replaces the target only on {@link #commit()}. {@link #abort()} deletes the temporary file.
 */
public final class AtomicFileWriter implements AutoCloseable {
    private final Path target;
    private final Path temp;
    private final BufferedWriter writer;
    private boolean done;

    public AtomicFileWriter(Path target) throws IOException {
        this.target = target.toAbsolutePath();
        Path dir = this.target.getParent();
        if (dir != null) {
            Files.createDirectories(dir);
        }
        this.temp = Files.createTempFile(dir, "." + this.target.getFileName() + ".", ".tmp");
        this.writer = Files.newBufferedWriter(temp, StandardCharsets.UTF_8);
    }

    public Writer writer() {
        return writer;
    }

    /** Flushes, then moves the temporary file over the target. */
    public void commit() throws IOException {
        if (done) {
            return;
        }
        done = true;
        writer.close();
        try {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (AtomicMoveNotSupportedException e) {
            Files.move(temp, target, StandardCopyOption.REPLACE_EXISTING);
        }
    }

    /** Drops everything written. */
    public void abort() {
        if (done) {
            return;
        }
        done = true;
        try {
            writer.close();
        } catch (IOException ignored) {
            // the file is deleted next
        }
        try {
            Files.deleteIfExists(temp);
        } catch (IOException ignored) {
            // nothing more to do
        }
    }

    /** Aborts unless committed. */
    @Override
    public void close() {
        abort();
    }

    /** Writes a whole text file atomically. */
    public static void write(Path target, String content) throws IOException {
        try (AtomicFileWriter w = new AtomicFileWriter(target)) {
            w.writer().write(content);
            w.commit();
        }
    }
}
