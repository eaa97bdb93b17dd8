package dev.faultline.core.kernel;

/**
 * A node's handler threw: a bug in simulation code, not a finding. Carries the seed, the virtual
 * time, the event index and the node so the failure can be replayed.
 */
public final class SimulationException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public SimulationException(String message, Throwable cause) {
        super(message, cause);
    }
}
