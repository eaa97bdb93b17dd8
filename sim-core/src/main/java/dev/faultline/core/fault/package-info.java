/**
 * Faults the world inflicts on a simulation: process faults (crash, power loss, restart, pause,
 * wiped disk, controlled shutdown), network faults (partitions, link delay, drop, duplicate,
 * reorder, heal) and host faults (clock offset and drift, slow CPU). {@link
 * dev.faultline.core.fault.Target}s are resolved when a fault fires, so a role such as
 * {@code active-controller} names whoever holds it then; a fault with a duration reverts itself;
 * {@link dev.faultline.core.fault.FaultSchedule} repeats entries with {@code every} and {@code until}.
 * Every fault is traced into the run's fingerprint. See docs/scenarios.md, "Faults".
 */
package dev.faultline.core.fault;
