/**
 * The simulated network: one FIFO directed link per ordered pair of nodes, with a latency model
 * drawn per message from the run's {@code network} stream, an optional bandwidth (transmission
 * queues), link faults (extra delay, drop, duplicate, reorder, optionally only for some message
 * types) and healable partitions (isolate, groups, one-way, bridge, majority/minority, ring). A
 * message is lost when its link is cut when it is sent or when it would arrive. For checkers only:
 * {@code LinkHealth} (what a clean link is) and {@code DelayBacklog} (messages an ended delay fault
 * still holds on a FIFO link). See docs/architecture.md, "Network".
 */
package dev.faultline.core.net;
