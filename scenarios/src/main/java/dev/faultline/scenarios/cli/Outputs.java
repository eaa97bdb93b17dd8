package dev.faultline.scenarios.cli;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;

/**
 * Checks output locations given on the command line before any work starts, so that an unwritable
 * {@code --out} or {@code --trace} is a bad command line (exit 2) and not a failure after minutes
 * of simulation. Nothing is created here: a run that stops on bad input leaves nothing behind.
 */
final class Outputs {
    private Outputs() {
    }

    /** {@code null} when {@code dir} is, or can be created as, a writable directory; else why not. */
    static String checkDirectory(String flag, Path dir) {
        try {
            Path abs = dir.toAbsolutePath().normalize();
            if (Files.exists(abs) && !Files.isDirectory(abs)) {
                return flag + " " + dir + " is a file, not a directory";
            }
            Path existing = abs;
            while (existing != null && !Files.exists(existing)) {
                existing = existing.getParent();
            }
            if (existing == null) {
                return flag + " " + dir + ": no part of the path exists";
            }
            if (!Files.isDirectory(existing)) {
                return flag + " " + dir + " cannot be created: " + existing + " is a file, not a directory";
            }
            if (!Files.isWritable(existing)) {
                return flag + " " + dir + " cannot be written: " + existing + " is not writable";
            }
            return null;
        } catch (InvalidPathException | SecurityException e) {
            return flag + " " + dir + " is not a usable path: " + e.getMessage();
        }
    }

    /** {@code null} when {@code file} can be written (its directory exists or can be created); else why not. */
    static String checkFile(String flag, Path file) {
        Path abs = file.toAbsolutePath().normalize();
        if (Files.isDirectory(abs)) {
            return flag + " " + file + " is a directory; give a file name";
        }
        Path parent = abs.getParent();
        return parent == null ? flag + " " + file + " is not a file name" : checkDirectory(flag, parent) == null ? null
                : flag + " " + file + ": " + checkDirectory("its directory", parent);
    }
}
