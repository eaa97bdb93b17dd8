/**
 * What an invariant is to the kernel: an {@link dev.faultline.core.check.Invariant} is called
 * after every simulation event, reads node state only through read-only views and ground-truth
 * histories (never by messages), and reports through {@link dev.faultline.core.check.CheckContext}
 * a {@link dev.faultline.core.check.Violation} that stops the run and carries everything needed to
 * replay it (seed, time, event index, nodes, the last events). The invariants themselves live with
 * the protocol they check. Code that only measures or follows progress after every event is an
 * {@link dev.faultline.core.kernel.Observer}, not an invariant. See docs/architecture.md, "Ground truth and checkers", and
 * docs/invariants.md.
 */
package dev.faultline.core.check;
