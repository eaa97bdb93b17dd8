/**
 * Reports over many runs, knowing no protocol: a {@link dev.faultline.reports.Comparison} holds
 * samples per case, metric and series (a failover phase per metadata mode, say), summarized with
 * nearest-rank percentiles, and {@link dev.faultline.reports.ComparisonReport} renders it as a text
 * table, CSV, JSON and a self-contained HTML page with SVG charts. See docs/cli.md,
 * "faultline compare".
 */
package dev.faultline.reports;
