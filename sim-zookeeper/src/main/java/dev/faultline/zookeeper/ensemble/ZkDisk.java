package dev.faultline.zookeeper.ensemble;

import dev.faultline.core.storage.DurableLog;
import dev.faultline.core.storage.DurableValue;
import dev.faultline.core.storage.Storage;

/**
 * A server's durable state (docs/architecture.md#disks-and-durability): the {@code acceptedEpoch}
 * and {@code currentEpoch} files and the transaction log. Simplification: there are no separate
 * snapshot files; the log is never purged, so "loading the snapshot and the log" is replaying the
 * log, and a SNAP sync ships the leader's committed history (its size is charged as a snapshot's).
 */
public final class ZkDisk {
    public static final String ACCEPTED_EPOCH = "acceptedEpoch";
    public static final String CURRENT_EPOCH = "currentEpoch";
    public static final String TXN_LOG = "txnlog";

    private final DurableValue<Long> acceptedEpoch;
    private final DurableValue<Long> currentEpoch;
    private final DurableLog<TxnEntry> log;

    @SuppressWarnings("unchecked")
    public ZkDisk(Storage storage) {
        this.acceptedEpoch = storage.open(ACCEPTED_EPOCH, DurableValue.class, () -> new DurableValue<>(0L));
        this.currentEpoch = storage.open(CURRENT_EPOCH, DurableValue.class, () -> new DurableValue<>(0L));
        this.log = storage.open(TXN_LOG, DurableLog.class, DurableLog::new);
    }

    public long acceptedEpoch() {
        return acceptedEpoch.get();
    }

    public long currentEpoch() {
        return currentEpoch.get();
    }

    public DurableValue<Long> acceptedEpochFile() {
        return acceptedEpoch;
    }

    public DurableValue<Long> currentEpochFile() {
        return currentEpoch;
    }

    public DurableLog<TxnEntry> log() {
        return log;
    }

    public long lastLoggedZxid() {
        TxnEntry last = log.last();
        return last == null ? 0 : last.zxid();
    }

    /** Number of log entries with zxid at most {@code zxid}. */
    public int lengthUpTo(long zxid) {
        int lo = 0;
        int hi = log.size();
        while (lo < hi) {
            int mid = (lo + hi) >>> 1;
            if (log.get(mid).zxid() <= zxid) {
                lo = mid + 1;
            } else {
                hi = mid;
            }
        }
        return lo;
    }
}
