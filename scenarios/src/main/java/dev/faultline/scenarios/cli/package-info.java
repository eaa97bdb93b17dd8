/**
 * The {@code faultline} command (picocli): {@code run}, {@code validate}, {@code compare},
 * {@code merge}, {@code fuzz} and {@code raft-elections}, with per-file verdicts, exit codes 0 to 3,
 * bad command lines refused before any work, and comparisons whose reports do not depend on worker
 * count or sharding. See docs/cli.md.
 */
package dev.faultline.scenarios.cli;
