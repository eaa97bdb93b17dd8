/**
 * A run's trace and result: the running 64-bit fingerprint of every event (kind, virtual time,
 * nodes, message or timer class), a ring of the last events for violation reports, and optional
 * sinks writing JSON Lines with a stable field order or Chrome trace-event JSON for Perfetto.
 * Messages are rendered the same way on every run ({@link dev.faultline.core.trace.TraceText}), and
 * files are written whole or not at all ({@link dev.faultline.core.trace.AtomicFileWriter}). Without
 * sinks nothing is allocated per event. See docs/architecture.md, "Determinism" and "Trace".
 */
package dev.faultline.core.trace;
