package dev.faultline.zookeeper.ensemble;

import java.util.List;
import java.util.function.Predicate;

/**
 * The ZooKeeper servers' planted-bug switches (docs/model.md#planted-bugs), all off by default. The
 * first reverts a historical fix; the others are test switches that revert none: each breaks one
 * rule a real server keeps, so that a real run shows the invariant guarding that rule firing.
 *
 * @param syncDiffWithoutTrunc PB-ZK-1 {@code zab.syncDiffWithoutTrunc} (ZOOKEEPER-1154 reverted): the
 *        leader sends a DIFF where a TRUNC was needed. Caught by ZK-S3.
 * @param reuseAcceptedEpoch {@code zab.reuseAcceptedEpoch}: a new leader proposes the highest
 *        acceptedEpoch of its quorum as its epoch instead of one above it ({@code Leader.getEpochToPropose}
 *        without the increment), so two leaders can be established in one epoch. Caught by ZK-S1.
 * @param commitWithoutQuorum {@code zab.commitWithoutQuorum}: the leader commits a proposal on its
 *        first ACK, its own or a follower's, without waiting for a quorum. Caught by ZK-S4.
 * @param ackWithoutFsync {@code zab.ackWithoutFsync}: a follower acknowledges a proposal as soon as it
 *        has appended it to its log and leaves the fsync out (as {@code forceSync=no} would), so the
 *        leader counts ACKs of transactions a power loss would erase. Caught by ZK-S4.
 * @param truncOffByOne {@code zab.truncOffByOne}: a TRUNC goes one committed transaction too far
 *        (to the committed zxid before the one the learner should keep). Caught by ZK-S5.
 * @param closeSessionKeepsEphemerals {@code zab.closeSessionKeepsEphemerals}: applying a session's
 *        close leaves its ephemeral znodes in place. Caught by ZK-S6.
 * @param sessionExpiryRoundsDown {@code zab.sessionExpiryRoundsDown}: the leader's session tracker
 *        rounds a session's expiry time down to a tick instead of up ({@code ExpiryQueue.roundToNextInterval}),
 *        so a session can expire up to a tick before its timeout. Caught by ZK-S7.
 * @param acceptedEpochWithoutFsync {@code zab.acceptedEpochWithoutFsync}: a server writes a new
 *        acceptedEpoch without the fsync (ZooKeeper writes it atomically and synced), so a power loss
 *        takes it back, below the currentEpoch it synced later. Caught by ZK-S2.
 */
public record ZabBugs(boolean syncDiffWithoutTrunc, boolean reuseAcceptedEpoch, boolean commitWithoutQuorum, boolean ackWithoutFsync,
                      boolean truncOffByOne, boolean closeSessionKeepsEphemerals, boolean sessionExpiryRoundsDown,
                      boolean acceptedEpochWithoutFsync) {
    public static final String SYNC_DIFF_WITHOUT_TRUNC = "zab.syncDiffWithoutTrunc";
    public static final String REUSE_ACCEPTED_EPOCH = "zab.reuseAcceptedEpoch";
    public static final String COMMIT_WITHOUT_QUORUM = "zab.commitWithoutQuorum";
    public static final String ACK_WITHOUT_FSYNC = "zab.ackWithoutFsync";
    public static final String TRUNC_OFF_BY_ONE = "zab.truncOffByOne";
    public static final String CLOSE_SESSION_KEEPS_EPHEMERALS = "zab.closeSessionKeepsEphemerals";
    public static final String SESSION_EXPIRY_ROUNDS_DOWN = "zab.sessionExpiryRoundsDown";
    public static final String ACCEPTED_EPOCH_WITHOUT_FSYNC = "zab.acceptedEpochWithoutFsync";

    /** The switch names, as a scenario's {@code bugs:} names them. */
    public static final List<String> NAMES = List.of(SYNC_DIFF_WITHOUT_TRUNC, REUSE_ACCEPTED_EPOCH, COMMIT_WITHOUT_QUORUM,
            ACK_WITHOUT_FSYNC, TRUNC_OFF_BY_ONE, CLOSE_SESSION_KEEPS_EPHEMERALS, SESSION_EXPIRY_ROUNDS_DOWN, ACCEPTED_EPOCH_WITHOUT_FSYNC);

    /** Every switch off. */
    public static final ZabBugs NONE = of(name -> false);

    /** The switches {@code on} accepts, by name. */
    public static ZabBugs of(Predicate<String> on) {
        return new ZabBugs(on.test(SYNC_DIFF_WITHOUT_TRUNC), on.test(REUSE_ACCEPTED_EPOCH), on.test(COMMIT_WITHOUT_QUORUM),
                on.test(ACK_WITHOUT_FSYNC), on.test(TRUNC_OFF_BY_ONE), on.test(CLOSE_SESSION_KEEPS_EPHEMERALS),
                on.test(SESSION_EXPIRY_ROUNDS_DOWN), on.test(ACCEPTED_EPOCH_WITHOUT_FSYNC));
    }

    /** Exactly the named switches on. */
    public static ZabBugs only(String... names) {
        List<String> list = List.of(names);
        for (String n : list) {
            if (!NAMES.contains(n)) {
                throw new IllegalArgumentException("unknown ZooKeeper planted bug " + n);
            }
        }
        return of(list::contains);
    }
}
