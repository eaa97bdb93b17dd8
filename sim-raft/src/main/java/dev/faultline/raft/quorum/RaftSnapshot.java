package dev.faultline.raft.quorum;

import dev.faultline.core.trace.ContentHash;
import dev.faultline.core.trace.ContentHashed;

/**
 * A frozen KIP-630 snapshot of the state machine: every committed record below {@code endOffset}
 * folded into one image. Its id is {@code (endOffset, epoch)}, the epoch of the last record it
 * covers; {@code chainHash} is the log's chain hash at that record (what the log would continue
 * from). Immutable, so nodes holding an equal snapshot (same id and chain) may share one object.
 *
 * @param endOffset the offset the log continues at (the first offset not covered)
 * @param epoch the epoch of the record at {@code endOffset - 1}
 * @param chainHash the chain hash of the record at {@code endOffset - 1}
 * @param sizeBytes the snapshot file's size (what FetchSnapshot transfers)
 * @param recordCount how many records the snapshot holds (what loading it replays)
 * @param image the state machine's image ({@code null} when the state machine keeps none)
 * @param createdNanos when it was written, in the writer's local time (for {@code metadata.max.retention.ms})
 */
public record RaftSnapshot(long endOffset, int epoch, long chainHash, long sizeBytes, long recordCount, Object image,
                           long createdNanos) implements ContentHashed {
    /**
     * For the fingerprint: the snapshot's id, chain, size and creation time. The image is not
     * walked: it is folded from the records the chain hash covers, so equal chains mean equal images.
     */
    @Override
    public long contentHash() {
        long h = ContentHash.step(endOffset, epoch);
        h = ContentHash.step(h, chainHash);
        h = ContentHash.step(h, sizeBytes);
        h = ContentHash.step(h, recordCount);
        return ContentHash.step(h, createdNanos);
    }

    /** The same snapshot as written by another node at another time. */
    public RaftSnapshot at(long nanos) {
        return new RaftSnapshot(endOffset, epoch, chainHash, sizeBytes, recordCount, image, nanos);
    }

    /** Whether two snapshots hold the same records (same id and chain). */
    public boolean sameContent(RaftSnapshot other) {
        return other != null && endOffset == other.endOffset && epoch == other.epoch && chainHash == other.chainHash;
    }

    @Override
    public String toString() {
        return "Snapshot(" + endOffset + ", " + epoch + ")";
    }
}
