package dev.faultline.scenarios.spec;

/**
 * One thing wrong with a scenario file: where (file, 1-based line and column) and what, including
 * what would be valid.
 */
public record Problem(String file, int line, int column, String message) {
    @Override
    public String toString() {
        return file + ":" + line + ":" + column + ": " + message;
    }
}
