package dev.faultline.core.trace;

import dev.faultline.core.check.Violation;
import dev.faultline.core.kernel.Time;

/**
 * What a kernel run produced.
 *
 * @param seed the root seed
 * @param stopReason why the run stopped
 * @param events simulation events processed (skipped cancelled timers excluded)
 * @param endTimeNanos virtual time at the stop
 * @param fingerprint the running 64-bit fingerprint of the whole run
 * @param violation the first invariant violation, or {@code null}
 */
public record RunResult(long seed, StopReason stopReason, long events, long endTimeNanos, long fingerprint, Violation violation) {

    /** Why a run stopped. */
    public enum StopReason {
        /** The virtual-time limit was reached. */
        TIME_LIMIT,
        /** The event budget was spent. */
        EVENT_LIMIT,
        /** Nothing was left to happen. */
        QUIESCENT,
        /** An invariant was violated. */
        VIOLATION
    }

    public boolean ok() {
        return violation == null;
    }

    /** The fingerprint as 16 hex digits. */
    public String fingerprintHex() {
        return String.format("%016x", fingerprint);
    }

    @Override
    public String toString() {
        return "stopped " + stopReason + " at t=" + Time.format(endTimeNanos) + " after " + events + " events, fingerprint "
                + fingerprintHex() + (violation == null ? "" : ", " + violation.headline());
    }
}
