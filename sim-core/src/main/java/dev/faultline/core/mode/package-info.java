/**
 * The metadata-mode SPI: what a scenario runner needs from a mode beyond the {@link
 * dev.faultline.core.control.ControlPlane} it builds. A {@link dev.faultline.core.mode.MetadataMode}
 * names the settings and planted-bug switches its module reads (with the values each takes, so that
 * a scenario is checked before it runs), its own nodes, roles and faults, and builds a {@link
 * dev.faultline.core.mode.MetadataMode.Run} per run: the control plane, the mode's invariants, its
 * role targets and its mode-only faults. Implemented by sim-raft ({@code kraft}), sim-zookeeper
 * ({@code zookeeper}) and, in sim-core, the oracle; the scenarios module only dispatches to them, in
 * the fixed order of its registry. See docs/architecture.md, "The mode SPI".
 */
package dev.faultline.core.mode;
