package dev.faultline.core.check.catalog;

import static dev.faultline.core.check.catalog.InvariantInfo.ExemptionClass.NOT_CHECKED;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.MISBEHAVING_NODE;
import static dev.faultline.core.check.catalog.InvariantInfo.ProofKind.PLANTED_BUG;

import java.util.List;

/** The invariants of the ZooKeeper ensemble (ZAB, sessions, client views); checked in sim-zookeeper. */
final class ZooKeeperEntries {
    private static final String MODULE = "sim-zookeeper";
    private static final String FIRES = "dev.faultline.zookeeper.check.InvariantsFireTest#";
    private static final String RUNS = "dev.faultline.zookeeper.check.ZabChecksInRunsTest#";
    private static final String SYNC = "dev.faultline.zookeeper.ensemble.SyncDiffWithoutTruncTest#";

    private ZooKeeperEntries() {
    }

    static List<InvariantInfo> entries() {
        return List.of(
                InvariantInfo.safety("ZK-S1", "One established leader per epoch", MODULE, """
                        For each epoch at most one server ever becomes the established leader, that is, gets a quorum of \
                        acknowledgements of its NEWLEADER for that epoch.""")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "zkS1FiresWhenTheNextLeaderReusesTheAcceptedEpoch"),
                InvariantInfo.safety("ZK-S2", "Epochs never go back on a server", MODULE, """
                        A server's acceptedEpoch and currentEpoch never decrease, across restarts and power loss, and currentEpoch \
                        never exceeds acceptedEpoch. A server that forgets an epoch can help elect a leader of an epoch it \
                        already promised to leave behind.""")
                        .exempt(NOT_CHECKED, "a server whose disk was wiped starts over")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "zkS2FiresWhenAnAcceptedEpochWrittenWithoutFsyncIsLostToAPowerLoss")
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "zkS2FiresWhenAServersAcceptedEpochGoesBack"),
                InvariantInfo.safety("ZK-S3", "Servers agree on the committed history", MODULE, """
                        There is one global sequence of committed transactions, ordered by zxid, and the sequence every serving \
                        server has applied is a prefix of it: two servers never apply different transactions at the same zxid. \
                        A server that is loading may replay an uncommitted tail of its log until sync trims or confirms it, so \
                        only serving servers are judged.""")
                        .provenBy(PLANTED_BUG, MODULE, SYNC + "withTheBugTheOldLeaderKeepsItsUncommittedTxnAndZkS3Fires")
                        .provenByScenario("scenarios/library/pb-zk-1-sync-diff-without-trunc.yaml"),
                InvariantInfo.safety("ZK-S4", "Commits need a durable quorum, in order", MODULE, """
                        A leader marks a zxid committed only after a quorum, itself included, has that transaction synced to its \
                        transaction log (so it survives a power loss), and only after every lower zxid of its epoch is \
                        committed.""")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "zkS4FiresWhenTheLeaderCommitsWithoutAQuorum")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "zkS4FiresWhenTheLeaderCountsAnAckThatIsNotOnDisk",
                                "the in-order branch fires in no run: each follower's ACKs travel in order on one connection and "
                                + "the leader's own ACK covers every proposal its fsync flushed, so no behaviour of the model lets "
                                + "a later proposal reach its quorum first"),
                InvariantInfo.safety("ZK-S5", "Sync never removes a committed transaction", MODULE, """
                        When a leader tells a learner to truncate (TRUNC), nothing above the truncation point in the learner's log \
                        is already committed. Proposals the leader re-sends right after the TRUNC may commit meanwhile; the \
                        learner gets them back in the same stream.""")
                        .provenBy(PLANTED_BUG, MODULE, SYNC + "withTruncOffByOneTheTruncRemovesACommittedTxnAndZkS5Fires"),
                InvariantInfo.safety("ZK-S6", "Ephemeral nodes belong to open sessions", MODULE, """
                        In every server's applied state, the owner session of each ephemeral znode is open; once the close of a \
                        session is applied, that session owns no znode. Kafka's broker registrations and controller election \
                        are ephemeral znodes, so a leftover one misleads the controller.""")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "zkS6FiresWhenASessionsCloseLeavesItsEphemerals"),
                InvariantInfo.safety("ZK-S7", "No premature session expiry", MODULE, """
                        The leader proposes to close a session only if no touch of it reached the leader during the last \
                        negotiated session timeout (rounded up to a tick), counted from the later of the last touch and the \
                        leader's activation.""")
                        .provenBy(PLANTED_BUG, MODULE, RUNS + "zkS7FiresWhenTheLeaderExpiresASessionBeforeItsTimeout"),
                InvariantInfo.safety("ZK-S8", "Clients never see time go back", MODULE, """
                        A client never observes a zxid lower than one it has already observed, whether in read results, watch \
                        events or across reconnects to another server.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "zkS8FiresWhenAClientSeesAZxidGoBack"),
                InvariantInfo.safety("ZK-S9", "Watches fire once, before later results", MODULE, """
                        A watch fires at most once and only if it is set, and its event reaches the client before any response \
                        that reflects a zxid at or after the change that triggered it.""")
                        .provenBy(MISBEHAVING_NODE, MODULE, FIRES + "zkS9FiresWhenAWatchEventTrailsAResponseAtItsZxidOrFiresUnset"));
    }
}
