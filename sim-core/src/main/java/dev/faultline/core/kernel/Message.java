package dev.faultline.core.kernel;

/**
 * A message between nodes. Protocols declare their messages as records implementing this
 * interface (one sealed family per protocol). The size drives the network's transmission delay
 * when a link has a bandwidth.
 */
public interface Message {
    /** Bytes on the wire, headers included. */
    default int sizeBytes() {
        return 64;
    }
}
