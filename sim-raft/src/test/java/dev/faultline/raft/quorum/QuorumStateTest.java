package dev.faultline.raft.quorum;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeContext;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.storage.DurableValue;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** QuorumState's transition table, its loud failures, persistence before acting, and restart rules. */
class QuorumStateTest {
    private static final int SELF = 0;
    private static final int[] VOTERS = {0, 1, 2};

    /** A node that only hands out its context. */
    private static final class Holder implements Node {
        final NodeContext ctx;

        Holder(NodeContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void onMessage(NodeId from, Message message) {
        }
    }

    private final List<Holder> holders = new ArrayList<>();
    private final DurableValue<ElectionState> store = new DurableValue<>(ElectionState.INITIAL);

    private QuorumState quorum(ElectionState persisted, int logLastEpoch) {
        Simulation sim = new Simulation(1);
        NodeId id = sim.addNode("n", ctx -> {
            Holder h = new Holder(ctx);
            holders.add(h);
            return h;
        });
        sim.start(id);
        store.set(persisted);
        store.sync();
        QuorumState q = new QuorumState(holders.get(holders.size() - 1).ctx, store, SELF, VOTERS);
        q.initialize(logLastEpoch);
        return q;
    }

    @Test
    void aFreshVoterIsUnattachedAndAWinningCandidacyPersistsEachStepBeforeReturning() {
        QuorumState q = quorum(ElectionState.INITIAL, 0);
        assertThat(q.state()).isEqualTo(new UnattachedState(0, ElectionState.NONE));
        q.transitionToProspective();
        assertThat(q.persisted()).isEqualTo(ElectionState.INITIAL);
        CandidateState c = q.transitionToCandidate();
        assertThat(q.persisted()).isEqualTo(new ElectionState(1, SELF, ElectionState.NONE));
        assertThatThrownBy(() -> q.transitionToLeader(0, 0, 0)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot transition to Leader(epoch=1) from Candidate(epoch=1");
        c.record(1, true);
        q.transitionToLeader(0, 0, 0);
        assertThat(q.persisted()).isEqualTo(new ElectionState(1, SELF, SELF));
        assertThatThrownBy(() -> q.transitionToFollower(1, 2)).isInstanceOf(IllegalStateException.class)
                .hasMessageContaining("Cannot transition to Follower(epoch=1, leaderId=2) from Leader(epoch=1");
        q.transitionToResigned();
        assertThatThrownBy(q::transitionToResigned).isInstanceOf(IllegalStateException.class);
        q.transitionToFollower(2, 1);
        assertThat(q.persisted()).isEqualTo(new ElectionState(2, ElectionState.NONE, 1));
    }

    @Test
    void oneVotePerEpochAndNeverBackwards() {
        QuorumState q = quorum(ElectionState.INITIAL, 0);
        q.transitionToUnattached(3);
        q.transitionToUnattachedVoted(3, 2);
        assertThat(q.persisted()).isEqualTo(new ElectionState(3, 2, ElectionState.NONE));
        assertThatThrownBy(() -> q.transitionToUnattachedVoted(3, 1)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> q.transitionToUnattached(3)).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> q.transitionToUnattached(2)).isInstanceOf(IllegalStateException.class);
        // Learning the leader keeps the vote of the epoch.
        q.transitionToFollower(3, 2);
        assertThat(q.persisted()).isEqualTo(new ElectionState(3, 2, 2));
    }

    @Test
    void restartRulesFollowThePersistedState() {
        assertThat(quorum(new ElectionState(5, SELF, SELF), 5).state()).isInstanceOf(ResignedState.class);
        assertThat(quorum(new ElectionState(5, SELF, ElectionState.NONE), 5).state()).isInstanceOf(CandidateState.class);
        assertThat(quorum(new ElectionState(5, 2, 2), 5).state()).isInstanceOf(FollowerState.class);
        assertThat(quorum(new ElectionState(5, 2, ElectionState.NONE), 4).state()).isEqualTo(new UnattachedState(5, 2));
        // The log is ahead of the persisted epoch: Unattached at the log's epoch, written down.
        QuorumState behind = quorum(new ElectionState(5, 2, 2), 7);
        assertThat(behind.state()).isEqualTo(new UnattachedState(7, ElectionState.NONE));
        assertThat(behind.persisted().epoch()).isEqualTo(7);
    }

    @Test
    void observersNeverCampaign() {
        Simulation sim = new Simulation(1);
        NodeId id = sim.addNode("o", ctx -> {
            Holder h = new Holder(ctx);
            holders.add(h);
            return h;
        });
        sim.start(id);
        QuorumState q = new QuorumState(holders.get(0).ctx, store, 7, VOTERS);
        q.initialize(0);
        assertThat(q.isVoter()).isFalse();
        assertThatThrownBy(q::transitionToProspective).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(q::transitionToCandidate).isInstanceOf(IllegalStateException.class);
        assertThatThrownBy(() -> q.transitionToUnattachedVoted(0, 1)).isInstanceOf(IllegalStateException.class);
    }
}
