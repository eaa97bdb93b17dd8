/**
 * A node's disk, the only thing that outlives its process: named durable values and append-only
 * logs whose writes sit in the page cache until {@code fsync}. A crash keeps everything, a power
 * loss keeps only what was synced, a wiped disk keeps nothing; truncations are durable at once
 * (which can only make a power loss lose less). See docs/architecture.md, "Disks and durability".
 */
package dev.faultline.core.storage;
