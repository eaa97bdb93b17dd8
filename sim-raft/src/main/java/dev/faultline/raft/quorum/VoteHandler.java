package dev.faultline.raft.quorum;

import dev.faultline.raft.quorum.RaftMessage.VoteRequest;
import dev.faultline.raft.quorum.RaftMessage.VoteResponse;

/**
 * Elections: timeouts, pre-votes (KIP-996), votes (KIP-595) and backoff
 * (docs/model.md#elections-pre-vote-and-check-quorum).
 */
final class VoteHandler {
    private final RaftNode node;

    VoteHandler(RaftNode node) {
        this.node = node;
    }

    /** A voter's timeout: Prospective with pre-vote, straight to Candidate without. */
    void startElection() {
        if (node.config.usesPreVote()) {
            node.becomeProspective();
        } else {
            node.becomeCandidate();
        }
    }

    /**
     * The election timer of a Prospective or Candidate. A Candidate whose election timed out backs
     * off and then stands again without pre-vote (Kafka 3.9, {@code pollCandidate}); with pre-vote
     * (Kafka 4.0) it goes back to Prospective at once, and backs off only after a majority rejected it.
     */
    void onElectionTimeout() {
        EpochState s = node.quorum.state();
        if (s instanceof CandidateState && !node.config.isClassic() && !node.config.usesPreVote()) {
            CandidateState c = (CandidateState) s;
            if (!c.isBackingOff()) {
                startBackoff(c);
            }
            return;
        }
        startElection();
    }

    private void startBackoff(CandidateState c) {
        c.startBackoff();
        node.ctx.cancelTimer(RaftTimer.ELECTION);
        long backoff = ElectionBackoff.binaryExponential(c.retries(), node.config.electionBackoffBaseNanos(),
                node.config.electionBackoffMaxNanos(), node.ctx.random());
        node.ctx.setTimer(RaftTimer.BACKOFF, backoff);
    }

    /** Sends (pre-)vote requests for the current Prospective or Candidate state; wins at once when alone. */
    void requestVotes() {
        EpochState s = node.quorum.state();
        boolean preVote = s instanceof ProspectiveState;
        VoteRequest request = new VoteRequest(s.epoch(), node.selfId, node.log.lastEpoch(), node.log.endOffset(), preVote);
        for (int voter : node.quorum.voters()) {
            if (voter != node.selfId) {
                node.ctx.send(node.peers[voter], request);
            }
        }
        maybeWin();
    }

    void handleRequest(int sender, VoteRequest request) {
        EpochState s = node.quorum.state();
        boolean granted = false;
        if (node.quorum.isVoter() && request.epoch() == s.epoch()) {
            boolean logOk = Long.compare(request.lastEpoch(), node.log.lastEpoch()) > 0
                    || (request.lastEpoch() == node.log.lastEpoch() && request.lastOffset() >= node.log.endOffset());
            granted = request.preVote() ? grantsPreVote(s, logOk) : grantsVote(s, request.candidateId(), logOk);
        }
        node.ctx.send(node.peers[sender], new VoteResponse(node.quorum.epoch(), node.quorum.leaderId(), granted,
                request.preVote()));
    }

    /** KIP-996: log check, and not a follower that has fetched from its leader; a leader never grants. */
    private static boolean grantsPreVote(EpochState s, boolean logOk) {
        if (s instanceof LeaderState) {
            return false;
        }
        if (s instanceof FollowerState && ((FollowerState) s).hasFetchedSuccessfully()) {
            return false;
        }
        return logOk;
    }

    /** KIP-595: only Unattached (or Prospective) nodes grant; one vote per epoch, persisted before replying. */
    private boolean grantsVote(EpochState s, int candidateId, boolean logOk) {
        int voted;
        if (s instanceof UnattachedState) {
            voted = ((UnattachedState) s).votedId();
        } else if (s instanceof ProspectiveState && !s.election().hasLeader()) {
            voted = ((ProspectiveState) s).votedId();
        } else {
            return false;
        }
        if (voted == candidateId) {
            return true;
        }
        if (voted != ElectionState.NONE || !logOk) {
            return false;
        }
        node.quorum.transitionToUnattachedVoted(s.epoch(), candidateId);
        node.probe.onTransition(node.selfId, s, node.quorum.state());
        // Granting a vote restarts the election timeout (a fresh UnattachedState in Kafka).
        node.armElectionTimer();
        return true;
    }

    void handleResponse(int sender, VoteResponse response) {
        EpochState s = node.quorum.state();
        if (response.epoch() != s.epoch()) {
            return;
        }
        if (response.preVote() && s instanceof ProspectiveState) {
            ProspectiveState p = (ProspectiveState) s;
            if (!response.granted() && response.leaderId() >= 0 && response.leaderId() != node.selfId
                    && response.leaderId() != p.election().leaderId()) {
                // KIP-996: a prospective that learns of the epoch's leader follows it, unless that is the
                // leader it just timed out on (else it would ping-pong between Follower and Prospective).
                node.becomeFollower(s.epoch(), response.leaderId());
                return;
            }
            p.record(sender, response.granted());
            maybeWin();
        } else if (!response.preVote() && s instanceof CandidateState) {
            CandidateState c = (CandidateState) s;
            c.record(sender, response.granted());
            if (!maybeWin() && !node.config.isClassic() && !c.isBackingOff()
                    && c.rejectedCount() > node.quorum.voters().length - node.quorum.majority()) {
                startBackoff(c);
            }
        }
    }

    /** Moves on when the current round has a majority; returns whether it did. */
    private boolean maybeWin() {
        EpochState s = node.quorum.state();
        int majority = node.quorum.majority();
        if (s instanceof ProspectiveState && ((ProspectiveState) s).grantedCount() >= majority) {
            node.becomeCandidate();
            return true;
        }
        if (s instanceof CandidateState && ((CandidateState) s).grantedCount() >= majority) {
            node.becomeLeader();
            return true;
        }
        return false;
    }
}
