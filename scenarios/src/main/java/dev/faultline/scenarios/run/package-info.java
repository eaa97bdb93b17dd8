/**
 * Running scenarios: {@link dev.faultline.scenarios.run.ScenarioRunner} builds the cluster in the
 * scenario's mode (the mode's {@link dev.faultline.core.mode.MetadataMode.Run}, found through the
 * registry {@link dev.faultline.scenarios.spec.Modes}), schedules the workload and faults (with adaptive timing when asked),
 * runs to the end, judges the expectations and states what the run could not measure. Also the
 * heap estimate the launcher uses and the fingerprint printer used by the cross-JDK check. See
 * docs/architecture.md, "From a fault to a failover measurement".
 */
package dev.faultline.scenarios.run;
