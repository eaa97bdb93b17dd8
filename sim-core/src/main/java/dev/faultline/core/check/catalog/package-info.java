/**
 * The invariant catalogue: {@link dev.faultline.core.check.catalog.InvariantCatalog} holds one
 * {@link dev.faultline.core.check.catalog.InvariantInfo} per invariant id that any checker of any
 * module can report (data plane, KRaft Raft layer and controller, ZooKeeper ensemble, ZooKeeper-mode
 * controller), and {@link dev.faultline.core.check.catalog.CatalogMarkdown} renders it as
 * {@code docs/invariants.md}. The entries live here, in sim-core, so that the kernel can refuse an
 * uncatalogued id and every module and the scenario loader read one list.
 */
package dev.faultline.core.check.catalog;
