package dev.faultline.core.trace;

/**
 * A value that hashes its own contents for the run's fingerprint ({@link ContentHash}), where
 * walking its fields would be wrong or too slow: a compact array form of a list, an immutable
 * snapshot whose identity (end offset, epoch, chain hash) already stands for its image, a node id.
 * The hash must depend only on the contents, never on identity hash codes or the iteration order
 * of a hash container, so that it is the same on every JVM.
 */
public interface ContentHashed {
    /** A 64-bit hash of this value's contents; combine parts with {@link ContentHash#step}. */
    long contentHash();
}
