package dev.faultline.core.kafka;

import dev.faultline.core.control.ClusterSpec;
import dev.faultline.core.storage.Storage;
import java.util.Arrays;

/**
 * A read-only view of one replica's log as it is on the broker's disk (page cache included): for
 * invariants and tests, whether the broker process is up or not.
 */
public final class ReplicaLogView {
    private static final ReplicaLogView EMPTY = new ReplicaLogView(null, null, -1);
    private final LogStore store;
    private final PartitionLog log;
    private final int local;

    private ReplicaLogView(LogStore store, PartitionLog log, int local) {
        this.store = store;
        this.log = log;
        this.local = local;
    }

    static ReplicaLogView of(LogStore store, int local) {
        if (local < 0) {
            return EMPTY;
        }
        return new ReplicaLogView(store, store.log(local), local);
    }

    /** The log of {@code partition} on broker {@code brokerId}'s disk (empty when it has none). */
    public static ReplicaLogView onDisk(Storage storage, ClusterSpec cluster, int brokerId, int partition) {
        LogStore store = storage.find(KafkaBroker.LOG_DIR, LogStore.class);
        if (store == null) {
            return EMPTY;
        }
        int local = Arrays.binarySearch(cluster.partitionsOf(brokerId), partition);
        return of(store, local);
    }

    public long logEndOffset() {
        return log == null ? 0 : log.logEndOffset();
    }

    public long recordId(long offset) {
        return log.id(offset);
    }

    public int recordEpoch(long offset) {
        return log.epoch(offset);
    }

    /** The high watermark last written to {@code replication-offset-checkpoint} (0 when none). */
    public long checkpointedHighWatermark() {
        return store == null ? 0 : store.checkpointedHighWatermark(local);
    }

    /** The leader-epoch cache entries as {epoch, startOffset} pairs. */
    public long[][] epochCache() {
        if (log == null) {
            return new long[0][];
        }
        long[][] out = new long[log.cacheSize()][];
        for (int i = 0; i < out.length; i++) {
            out[i] = new long[] {log.cacheEpoch(i), log.cacheStart(i)};
        }
        return out;
    }

    /** The record ids from offset 0 to the end. */
    public long[] recordIds() {
        long[] out = new long[(int) logEndOffset()];
        for (int i = 0; i < out.length; i++) {
            out[i] = log.id(i);
        }
        return out;
    }

    PartitionLog raw() {
        return log;
    }
}
