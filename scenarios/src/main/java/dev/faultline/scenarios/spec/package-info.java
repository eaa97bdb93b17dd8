/**
 * Scenario files: the {@link dev.faultline.scenarios.spec.Scenario} records (cluster, topics,
 * workload, faults, expectations, planted bugs, adaptive timing), the loader that validates a file
 * before anything runs and reports every problem with file:line:column and a did-you-mean, the
 * configuration keys a scenario may set ({@link dev.faultline.scenarios.spec.ConfigKeys}), the
 * targets a fault may name in each mode, and the writer that produces YAML the loader reads back to
 * an equal scenario. See docs/scenarios.md.
 */
package dev.faultline.scenarios.spec;
