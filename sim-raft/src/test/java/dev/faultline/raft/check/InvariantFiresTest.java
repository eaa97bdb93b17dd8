package dev.faultline.raft.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.check.Violation;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.storage.DurableValue;
import dev.faultline.raft.harness.RaftCluster;
import dev.faultline.raft.quorum.ElectionState;
import dev.faultline.raft.quorum.LogEntry;
import dev.faultline.raft.quorum.MetadataLogFile;
import dev.faultline.raft.quorum.RaftNode;
import java.util.ArrayList;
import java.util.List;
import dev.faultline.raft.quorum.QuorumConfig;
import dev.faultline.raft.quorum.PlantedBugs;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The invariants that no planted bug reaches, shown to fire on a real violation produced by a
 * corrupted or lost disk (or a slow one, a slow clock), and to stay quiet on the same run with the
 * harmless variant of the fault ({@code corrupt = false}).
 */
class InvariantFiresTest {
    private static final long MS = Time.MILLISECOND;
    private static final long S = Time.SECOND;

    /** A 3-voter cluster with a committed leader and some records. */
    private static final class Context {
        final RaftCluster cluster;
        final NodeId leader;
        final NodeId follower;
        final NodeId other;

        Context(long seed) {
            cluster = RaftCluster.builder().voters(3).seed(seed).client(2 * MS, 3 * MS).build().start();
            leader = cluster.awaitCommittedLeader(10 * S);
            cluster.runFor(2 * S);
            List<NodeId> followers = new ArrayList<>(cluster.voters());
            followers.remove(leader);
            NodeId voted = null;
            for (NodeId f : followers) {
                if (quorumState(f).get().votedId() == leader.index()) {
                    voted = f;
                }
            }
            follower = voted != null ? voted : followers.get(0);
            followers.remove(follower);
            other = followers.get(0);
        }

        @SuppressWarnings("unchecked")
        DurableValue<ElectionState> quorumState(NodeId id) {
            return cluster.sim().storage(id).find(RaftNode.QUORUM_STATE_FILE, DurableValue.class);
        }

        @SuppressWarnings("unchecked")
        MetadataLogFile log(NodeId id) {
            return cluster.sim().storage(id).find(RaftNode.LOG_FILE, MetadataLogFile.class);
        }

        /** The disk now says this (as if restored from a backup or corrupted). */
        void overwriteQuorumState(NodeId id, ElectionState state) {
            quorumState(id).set(state);
            quorumState(id).sync();
        }

        Violation runAndGetViolation(long nanos) {
            cluster.runFor(nanos);
            return cluster.sim().violation();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void singleLeaderFiresWhenADiskRecordsAnotherLeaderForTheEpoch(boolean corrupt) {
        Context c = new Context(1);
        c.cluster.crash(c.follower);
        ElectionState s = c.quorumState(c.follower).get();
        c.overwriteQuorumState(c.follower, new ElectionState(s.epoch(), s.votedId(), (corrupt ? c.other : c.leader).index()));
        Violation v = c.runAndGetViolation(100 * MS);
        if (corrupt) {
            assertThat(v.invariant()).isEqualTo(RaftInvariants.SINGLE_LEADER);
            assertThat(v.message()).contains("epoch " + s.epoch() + " has leaders");
        } else {
            assertThat(v).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void monotonicEpochFiresOnAnOlderQuorumStateButNotOnAWipedDisk(boolean corrupt) {
        Context c = new Context(2);
        c.cluster.crash(c.follower);
        if (corrupt) {
            ElectionState s = c.quorumState(c.follower).get();
            c.overwriteQuorumState(c.follower, new ElectionState(s.epoch() - 1, ElectionState.NONE, ElectionState.NONE));
        } else {
            c.cluster.sim().wipeDisk(c.follower);
        }
        c.cluster.runFor(10 * MS);
        c.cluster.restart(c.follower);
        Violation v = c.runAndGetViolation(1 * S);
        if (corrupt) {
            assertThat(v.invariant()).isEqualTo(RaftInvariants.MONOTONIC_EPOCH);
        } else {
            assertThat(v).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void oneVotePerEpochFiresWhenAPersistedVoteChanges(boolean corrupt) {
        Context c = new Context(3);
        ElectionState s = c.quorumState(c.follower).get();
        assertThat(s.votedId()).as("the follower voted for the leader").isEqualTo(c.leader.index());
        c.cluster.crash(c.follower);
        c.overwriteQuorumState(c.follower, new ElectionState(s.epoch(), (corrupt ? c.other : c.leader).index(), s.leaderId()));
        Violation v = c.runAndGetViolation(100 * MS);
        if (corrupt) {
            assertThat(v.invariant()).isEqualTo(RaftInvariants.ONE_VOTE_PER_EPOCH);
        } else {
            assertThat(v).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void majorityReachedHighWatermarkFiresWhenAMajorityLosesItsDisks(boolean corrupt) {
        Context c = new Context(4);
        c.cluster.crash(c.follower);
        c.cluster.crash(c.other);
        if (corrupt) {
            c.cluster.sim().wipeDisk(c.follower);
            c.cluster.sim().wipeDisk(c.other);
        }
        Violation v = c.runAndGetViolation(100 * MS);
        if (corrupt) {
            assertThat(v.invariant()).isEqualTo(RaftInvariants.MAJORITY_REACHED_HIGH_WATERMARK);
        } else {
            assertThat(v).isNull();
        }
    }

    /**
     * KR-S5 counts synced entries only: followers that acknowledge fetched records before flushing
     * them (test switch ackBeforeFsync) let the leader's high watermark pass what a majority has on
     * disk. It fires without any power loss; the same run with flushing followers passes.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void majorityReachedHighWatermarkFiresWhenFollowersAcknowledgeBeforeTheirFsync(boolean ackBeforeFsync) {
        RaftCluster cluster = RaftCluster.builder().voters(3).seed(11).client(2 * MS, 3 * MS)
                .config(QuorumConfig.defaults().withBugs(PlantedBugs.NONE.withAckBeforeFsync(ackBeforeFsync))).build().start();
        cluster.runFor(5 * S);
        Violation v = cluster.sim().violation();
        if (ackBeforeFsync) {
            assertThat(v).as("violation").isNotNull();
            assertThat(v.invariant()).isEqualTo(RaftInvariants.MAJORITY_REACHED_HIGH_WATERMARK);
            assertThat(v.message()).contains("on disk (synced)");
        } else {
            assertThat(v).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void logMatchingFiresWhenALogHoldsADifferentRecordUnderTheSameOffsetAndEpoch(boolean corrupt) {
        Context c = new Context(5);
        c.cluster.crash(c.follower);
        MetadataLogFile log = c.log(c.follower);
        long offset = log.endOffset() - 10;
        LogEntry original = log.get(offset);
        long previousChain = log.get(offset - 1).chainHash();
        log.truncate(offset);
        long value = corrupt ? original.value() + 1 : original.value();
        log.append(new LogEntry(original.epoch(), original.control(), value,
                LogEntry.chain(previousChain, original.epoch(), original.control(), value), null, original.sizeBytes(),
                original.batchStart()));
        log.sync();
        c.cluster.restart(c.follower);
        Violation v = c.runAndGetViolation(2 * S);
        if (corrupt) {
            // The restarted follower appends the leader's next entries after the altered one: their
            // chain differs from the leader's entries at the same offsets and epoch (KR-S6), before
            // any high watermark it learns is judged against the committed records (KR-S8).
            assertThat(v.invariant()).isEqualTo(RaftInvariants.LOG_MATCHING);
            assertThat(v.nodes()).containsExactly(c.follower.name());
        } else {
            assertThat(v).isNull();
        }
    }

    /**
     * KR-S7: the leader is down and both followers' disks lose the tail of their logs (the last 10
     * entries, committed ones among them) while they are down too; they restart and elect one of
     * themselves, which becomes leader without records already committed. Nothing else fires first:
     * no leader holds a high watermark while the disks are short, and the quorum state is intact.
     * The twin rewrites nothing and the same restart elects a complete leader.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void leaderCompletenessFiresWhenTheVotersThatElectTheNextLeaderLostTheTailOfTheirLogs(boolean corrupt) {
        Context c = new Context(8);
        c.cluster.crash(c.leader);
        c.cluster.crash(c.follower);
        c.cluster.crash(c.other);
        long committed = c.cluster.history().committedLength();
        for (NodeId n : List.of(c.follower, c.other)) {
            MetadataLogFile log = c.log(n);
            if (corrupt) {
                assertThat(log.endOffset() - 10).as("the cut reaches committed records").isLessThan(committed);
                log.truncate(log.endOffset() - 10);
                log.sync();
            }
        }
        c.cluster.restart(c.follower);
        c.cluster.restart(c.other);
        Violation v = c.runAndGetViolation(5 * S);
        if (corrupt) {
            assertThat(v).as("violation").isNotNull();
            assertThat(v.invariant()).as(v.toString()).isEqualTo(RaftInvariants.LEADER_COMPLETENESS);
            assertThat(v.message()).contains("without the committed records up to offset " + (committed - 1));
        } else {
            assertThat(v).isNull();
            assertThat(c.cluster.hasCommittedLeader()).isTrue();
        }
    }

    /**
     * KR-S8: an idle quorum (no client, so the leader appends nothing after its LeaderChange). A
     * follower's disk alters the last record it holds, which is committed; after a restart it fetches
     * at its log end, gets no records (nothing to append, so no log-matching comparison) and learns
     * the high watermark that covers the altered record. The twin rewrites the same record unchanged.
     */
    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void consistentCommittedDataFiresWhenAFollowerLearnsAHighWatermarkOverAnAlteredRecord(boolean corrupt) {
        RaftCluster cluster = RaftCluster.builder().voters(3).seed(9).build().start();
        NodeId leader = cluster.awaitCommittedLeader(10 * S);
        cluster.runFor(2 * S);
        NodeId follower = cluster.voters().stream().filter(n -> !n.equals(leader)).findFirst().orElseThrow();
        cluster.crash(follower);
        MetadataLogFile log = cluster.sim().storage(follower).find(RaftNode.LOG_FILE, MetadataLogFile.class);
        long last = log.endOffset() - 1;
        assertThat(last).as("the follower's last record is committed").isLessThan(cluster.history().committedLength());
        assertThat(cluster.raft(leader).log().endOffset()).as("the leader holds nothing more").isEqualTo(log.endOffset());
        LogEntry original = log.get(last);
        long previousChain = last == log.startOffset() ? log.startChain() : log.get(last - 1).chainHash();
        long value = corrupt ? original.value() + 1 : original.value();
        log.truncate(last);
        log.append(new LogEntry(original.epoch(), original.control(), value,
                LogEntry.chain(previousChain, original.epoch(), original.control(), value),
                original.payload(), original.sizeBytes(), original.batchStart()));
        log.sync();
        cluster.restart(follower);
        cluster.runFor(3 * S);
        Violation v = cluster.sim().violation();
        if (corrupt) {
            assertThat(v).as("violation").isNotNull();
            assertThat(v.invariant()).as(v.toString()).isEqualTo(RaftInvariants.CONSISTENT_COMMITTED_DATA);
            assertThat(v.nodes()).containsExactly(follower.name());
        } else {
            assertThat(v).isNull();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void leaderElectedFiresWhenElectionTimersNeverRunOut(boolean slowClocks) {
        Context c = new Context(6);
        if (slowClocks) {
            // The survivors' clocks run a thousand times slow: their fetch timeouts take 2000 s.
            c.cluster.sim().setClock(c.follower, 0, -999_000);
            c.cluster.sim().setClock(c.other, 0, -999_000);
        }
        c.cluster.crash(c.leader);
        Violation v = c.runAndGetViolation(30 * S);
        if (slowClocks) {
            assertThat(v.invariant()).isEqualTo(RaftInvariants.LEADER_ELECTED);
        } else {
            assertThat(v).isNull();
            assertThat(c.cluster.hasCommittedLeader()).isTrue();
        }
    }

    @ParameterizedTest
    @ValueSource(booleans = {true, false})
    void commitLatencyFiresWhenFollowerDisksStall(boolean slowDisks) {
        Context c = new Context(7);
        if (slowDisks) {
            c.cluster.sim().storage(c.follower).setFsyncLatencyNanos(2 * S);
            c.cluster.sim().storage(c.other).setFsyncLatencyNanos(2 * S);
        }
        Violation v = c.runAndGetViolation(3 * S);
        if (slowDisks) {
            assertThat(v.invariant()).isEqualTo(RaftInvariants.COMMIT_LATENCY);
        } else {
            assertThat(v).isNull();
        }
    }
}
