package dev.faultline.core.kafka;

import dev.faultline.core.storage.Durable;
import java.util.function.LongSupplier;

/**
 * A broker's disk ({@code log.dirs}): one {@link PartitionLog} per hosted partition (created on first
 * use), the high-watermark checkpoint file ({@code replication-offset-checkpoint}) and the recovery
 * state. Partitions are addressed by the broker's local index (the position of the global partition
 * in the broker's sorted list of hosted partitions).
 *
 * <p>Durability (docs/architecture.md#disks-and-durability): records sit in the page cache until
 * the OS writes them back {@code faultline.page.cache.flush.delay.ms} after their append (a crash
 * keeps them; a power loss loses whatever is younger); the checkpoint files are written with fsync,
 * so the last written version survives. The page cache belongs to the host, not the process, so
 * writeback is computed from the host's true clock when power is lost (no events needed).
 */
final class LogStore implements Durable {
    /** Told when a power loss is about to cut a log (the records are still readable). */
    interface PowerLossListener {
        void logCut(int localIndex, long oldEndOffset, long newEndOffset);
    }

    private final PartitionLog[] logs;
    private final long[] hwCheckpoint;
    private final LongSupplier hostClock;
    private final long writebackDelayNanos;
    private PowerLossListener listener;

    LogStore(int partitions, LongSupplier hostClock, long writebackDelayNanos) {
        this.logs = new PartitionLog[partitions];
        this.hwCheckpoint = new long[partitions];
        this.hostClock = hostClock;
        this.writebackDelayNanos = writebackDelayNanos;
    }

    void setPowerLossListener(PowerLossListener listener) {
        this.listener = listener;
    }

    /** The log of a local partition, or {@code null} if it never had a record or an epoch. */
    PartitionLog log(int local) {
        return logs[local];
    }

    /** The log of a local partition, created if needed. */
    PartitionLog logForWrite(int local) {
        PartitionLog log = logs[local];
        if (log == null) {
            log = new PartitionLog();
            logs[local] = log;
        }
        return log;
    }

    long logEndOffset(int local) {
        PartitionLog log = logs[local];
        return log == null ? 0 : log.logEndOffset();
    }

    long checkpointedHighWatermark(int local) {
        return hwCheckpoint[local];
    }

    /** Writes the checkpoint file: every local partition's high watermark at once. */
    void checkpointHighWatermarks(long[] highWatermarks) {
        System.arraycopy(highWatermarks, 0, hwCheckpoint, 0, hwCheckpoint.length);
    }

    int partitions() {
        return logs.length;
    }

    @Override
    public void sync() {
        for (PartitionLog log : logs) {
            if (log != null) {
                log.flush();
            }
        }
    }

    @Override
    public void loseUnsynced() {
        long now = hostClock.getAsLong();
        for (int i = 0; i < logs.length; i++) {
            PartitionLog log = logs[i];
            if (log == null) {
                continue;
            }
            long end = log.logEndOffset();
            long durable = log.durableOffset(now, writebackDelayNanos);
            if (durable < end) {
                if (listener != null) {
                    listener.logCut(i, end, durable); // told before the cut, so it can see what is lost
                }
                log.truncateTo(durable);
            }
        }
    }

    /** A lost disk cuts every log to nothing, reported like a power-loss cut (DP-S1's exemption covers both). */
    @Override
    public void loseEverything() {
        for (int i = 0; i < logs.length; i++) {
            PartitionLog log = logs[i];
            if (log != null && log.logEndOffset() > 0) {
                if (listener != null) {
                    listener.logCut(i, log.logEndOffset(), 0);
                }
                log.truncateTo(0);
            }
        }
    }
}
