package dev.faultline.core.storage;

/**
 * State kept on a node's disk. Writes land in the page cache first; {@link #sync()} makes them
 * durable. A process crash keeps everything (the page cache survives); a power loss keeps only what
 * was synced; a wiped disk keeps nothing.
 */
public interface Durable {
    /** Makes every write so far durable (an fsync, or the OS writeback of this file). */
    void sync();

    /** Power loss: everything not synced is lost. */
    void loseUnsynced();

    /** The disk is lost: called just before the durable is dropped, so an observer can see what goes. */
    default void loseEverything() {
    }
}
