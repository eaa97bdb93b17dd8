package dev.faultline.core.storage;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * One node's disk: named durable objects that outlive the node's process. A restarted node finds
 * here what its previous incarnation wrote (and, after a power loss, only what it synced).
 * Kept in insertion order so that iterating it is deterministic.
 */
public final class Storage {
    private final Map<String, Durable> files = new LinkedHashMap<>();
    private long fsyncLatencyNanos;
    private long powerLosses;
    private long wipes;

    public Storage(long fsyncLatencyNanos) {
        this.fsyncLatencyNanos = fsyncLatencyNanos;
    }

    /** The durable with this name, created by {@code create} when the disk has none. */
    public <T extends Durable> T open(String name, Class<T> type, Supplier<T> create) {
        Durable d = files.get(name);
        if (d == null) {
            T created = create.get();
            files.put(name, created);
            return created;
        }
        return type.cast(d);
    }

    /** The durable with this name, or {@code null}. */
    public <T extends Durable> T find(String name, Class<T> type) {
        Durable d = files.get(name);
        return d == null ? null : type.cast(d);
    }

    public boolean isEmpty() {
        return files.isEmpty();
    }

    public long fsyncLatencyNanos() {
        return fsyncLatencyNanos;
    }

    public void setFsyncLatencyNanos(long nanos) {
        this.fsyncLatencyNanos = nanos;
    }

    /** Power loss: every file loses its unsynced writes. */
    public void powerLoss() {
        powerLosses++;
        for (Durable d : files.values()) {
            d.loseUnsynced();
        }
    }

    /** The disk is lost or replaced: nothing survives. */
    public void wipe() {
        wipes++;
        for (Durable d : files.values()) {
            d.loseEverything();
        }
        files.clear();
    }

    public long powerLosses() {
        return powerLosses;
    }

    public long wipes() {
        return wipes;
    }
}
