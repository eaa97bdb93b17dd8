package dev.faultline.core.storage;

/**
 * A small file holding one value (a quorum-state file, an epoch file, a checkpoint). {@link #set}
 * writes to the page cache; {@link #sync()} makes the last value durable; a power loss brings back
 * the last synced value.
 *
 * @param <T> the value type (immutable)
 */
public final class DurableValue<T> implements Durable {
    private T current;
    private T synced;

    public DurableValue(T initial) {
        this.current = initial;
        this.synced = initial;
    }

    public T get() {
        return current;
    }

    public void set(T value) {
        this.current = value;
    }

    /** The value a power loss would leave. */
    public T synced() {
        return synced;
    }

    @Override
    public void sync() {
        synced = current;
    }

    @Override
    public void loseUnsynced() {
        current = synced;
    }
}
