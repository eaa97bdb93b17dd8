package dev.faultline.core.kafka;

import dev.faultline.core.control.Errors;
import it.unimi.dsi.fastutil.ints.Int2ObjectOpenHashMap;
import it.unimi.dsi.fastutil.ints.IntArrayList;
import it.unimi.dsi.fastutil.longs.LongArrayList;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

/**
 * The omniscient ground-truth history of client operations
 * (docs/architecture.md#ground-truth-and-checkers): every produced record with its acks setting and
 * outcome, and every record a consumer was given. Clients append to it; the data-plane invariants
 * read it; no node ever reads it.
 */
public final class KafkaHistory {
    /** How a produce attempt ended for a record. */
    public enum Outcome { PENDING, ACKED, FAILED, UNACKNOWLEDGED }

    /**
     * One operation, in history order.
     *
     * @param timeNanos virtual time
     * @param client the client node name
     * @param kind {@code send}, {@code ack}, {@code fail}, {@code consume}, {@code truncation-detected}
     * @param partition the global partition
     * @param recordId the record ({@code -1} when not about one record)
     * @param offset the offset acked or consumed ({@code -1} otherwise)
     * @param leaderEpoch the epoch of the ack or of the consumed record
     * @param acks the producer's acks (0, 1, -1)
     * @param error the error of a failure
     */
    public record Operation(long timeNanos, String client, String kind, int partition, long recordId, long offset, int leaderEpoch,
                            int acks, Errors error) {
    }

    /** Acknowledged acks=all records of one partition, in ack order. */
    static final class Acked {
        final LongArrayList offsets = new LongArrayList();
        final LongArrayList ids = new LongArrayList();
        /** When the producer received each ack. */
        final LongArrayList times = new LongArrayList();
        /** When the leader sent each ack (the receipt time where the send was not seen). */
        final LongArrayList sentTimes = new LongArrayList();
        /** The leader epoch each ack carried (the epoch of the leader that acknowledged it). */
        final IntArrayList epochs = new IntArrayList();
    }

    private final List<Operation> operations = new ArrayList<>();
    private final Int2ObjectOpenHashMap<Acked> ackedAll = new Int2ObjectOpenHashMap<>();
    private long sent;
    private long acked;
    private long failed;
    private long consumed;
    private boolean keepOperations = true;
    private DataPlaneChecker checker;
    private final java.util.Map<String, Long> lastConsumed = new java.util.TreeMap<>();

    /** Clients whose writes are probes (the failover canary): judged like any write, left out of the counts and the operation list. */
    private final java.util.Set<String> probes = new java.util.TreeSet<>();

    /** Marks a client as a probe (see {@link #probes}). */
    void probeClient(String client) {
        probes.add(client);
    }

    void setChecker(DataPlaneChecker checker) {
        this.checker = checker;
    }

    /** Stops keeping the operation list (long benchmark runs); counters and acked records stay. */
    public void keepOperations(boolean keep) {
        this.keepOperations = keep;
    }

    void add(Operation op) {
        if (keepOperations) {
            operations.add(op);
        }
    }

    public void sent(long timeNanos, String client, int partition, long recordId, int acks) {
        if (probes.contains(client)) {
            return;
        }
        sent++;
        add(new Operation(timeNanos, client, "send", partition, recordId, -1, -1, acks, Errors.NONE));
    }

    public void acked(long timeNanos, String client, int partition, long recordId, long offset, int leaderEpoch, int acks) {
        if (!probes.contains(client)) {
            acked++;
            add(new Operation(timeNanos, client, "ack", partition, recordId, offset, leaderEpoch, acks, Errors.NONE));
        }
        if (acks == -1) {
            Acked a = ackedAll.get(partition);
            if (a == null) {
                a = new Acked();
                ackedAll.put(partition, a);
            }
            long sentAt = checker != null ? checker.ackReceived(partition, recordId, timeNanos) : timeNanos;
            a.offsets.add(offset);
            a.ids.add(recordId);
            a.times.add(timeNanos);
            a.sentTimes.add(sentAt);
            a.epochs.add(leaderEpoch);
        }
    }

    public void failed(long timeNanos, String client, int partition, long recordId, int acks, Errors error) {
        if (probes.contains(client)) {
            return;
        }
        failed++;
        add(new Operation(timeNanos, client, "fail", partition, recordId, -1, -1, acks, error));
    }

    public void consumed(long timeNanos, String client, int partition, long recordId, long offset, int leaderEpoch) {
        consumed(timeNanos, client, partition, recordId, offset, leaderEpoch, -1);
    }

    /** A consumer was given a record by broker {@code servingBroker}. */
    public void consumed(long timeNanos, String client, int partition, long recordId, long offset, int leaderEpoch, int servingBroker) {
        consumed++;
        add(new Operation(timeNanos, client, "consume", partition, recordId, offset, leaderEpoch, 0, Errors.NONE));
        String key = client + "/" + partition;
        Long previous = lastConsumed.put(key, recordId);
        if (checker != null && previous != null && offset > 0 && servingBroker >= 0) {
            checker.consumedAfter(client, partition, offset, previous, servingBroker);
        }
    }

    public void truncationDetected(long timeNanos, String client, int partition, long offset) {
        add(new Operation(timeNanos, client, "truncation-detected", partition, -1, offset, -1, 0, Errors.NONE));
        lastConsumed.remove(client + "/" + partition);
    }

    /** Every operation kept, in order. */
    public List<Operation> operations() {
        return Collections.unmodifiableList(operations);
    }

    Acked ackedAll(int partition) {
        return ackedAll.get(partition);
    }

    /** Partitions with acks=all acknowledgements, ascending. */
    int[] partitionsWithAckedAll() {
        int[] keys = ackedAll.keySet().toIntArray();
        java.util.Arrays.sort(keys);
        return keys;
    }

    /** Number of acks=all acknowledgements of a partition. */
    public int ackedAllCount(int partition) {
        Acked a = ackedAll.get(partition);
        return a == null ? 0 : a.ids.size();
    }

    public long sentCount() {
        return sent;
    }

    public long ackedCount() {
        return acked;
    }

    public long failedCount() {
        return failed;
    }

    public long consumedCount() {
        return consumed;
    }
}
