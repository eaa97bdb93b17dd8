/**
 * Fault fuzzing: a generator that draws a valid cluster and fault schedule from a seed (a fault
 * phase of bursts, then a heal-and-quiesce phase), a campaign that runs them on worker threads
 * (each simulation single-threaded and deterministic) over a shard of the seed space and survives
 * being killed, and a shrinker that reduces a failure while it still fails the same way. See
 * docs/cli.md, "faultline fuzz".
 */
package dev.faultline.scenarios.fuzz;
