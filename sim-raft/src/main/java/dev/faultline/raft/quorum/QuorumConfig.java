package dev.faultline.raft.quorum;

import dev.faultline.core.kernel.Time;

/**
 * Settings of one Raft quorum, with Kafka's names and defaults (docs/model.md#kraft-settings,
 * {@code QuorumConfig}).
 *
 * @param electionTimeoutNanos {@code controller.quorum.election.timeout.ms} (1000)
 * @param fetchTimeoutNanos {@code controller.quorum.fetch.timeout.ms} (2000)
 * @param electionBackoffMaxNanos {@code controller.quorum.election.backoff.max.ms} (1000)
 * @param requestTimeoutNanos {@code controller.quorum.request.timeout.ms} (2000)
 * @param retryBackoffNanos {@code controller.quorum.retry.backoff.ms} (20)
 * @param appendLingerNanos {@code controller.quorum.append.linger.ms} (25)
 * @param maxFetchWaitNanos {@code KafkaRaftClient.MAX_FETCH_WAIT_MS} (500): fetch long-poll
 * @param electionBackoffBaseNanos {@code KafkaRaftClient.RETRY_BACKOFF_BASE_MS} (100)
 * @param preVote KIP-996 pre-vote (Kafka 4.0); off reproduces pre-4.0 behaviour ({@code raft.noPreVote})
 * @param checkQuorum KAFKA-15489 (3.7); the leader resigns after {@code 1.5 × fetch timeout}
 *     without fetches from a majority
 * @param timerPolicy Kafka's timers, or the Raft paper's for election experiments
 * @param bugs planted-bug switches
 */
public record QuorumConfig(long electionTimeoutNanos, long fetchTimeoutNanos, long electionBackoffMaxNanos,
                           long requestTimeoutNanos, long retryBackoffNanos, long appendLingerNanos,
                           long maxFetchWaitNanos, long electionBackoffBaseNanos, boolean preVote,
                           boolean checkQuorum, TimerPolicy timerPolicy, PlantedBugs bugs) {

    /** {@code LeaderState.CHECK_QUORUM_TIMEOUT_FACTOR}. */
    public static final double CHECK_QUORUM_TIMEOUT_FACTOR = 1.5;

    /** Kafka 4.0 defaults: pre-vote and check-quorum on. */
    public static QuorumConfig defaults() {
        long election = Time.millis(1000);
        long fetch = Time.millis(2000);
        return new QuorumConfig(election, fetch, Time.millis(1000), Time.millis(2000), Time.millis(20),
                Time.millis(25), Time.millis(500), Time.millis(100), true, true,
                new TimerPolicy.Kraft(election, fetch), PlantedBugs.NONE);
    }

    /**
     * The Raft paper's timers: randomized election timeout in {@code [min, max]}, heartbeats every
     * {@code heartbeat}, no pre-vote, no check-quorum (neither is in the paper).
     */
    public static QuorumConfig classic(long minNanos, long maxNanos, long heartbeatNanos) {
        QuorumConfig d = defaults();
        return new QuorumConfig(d.electionTimeoutNanos, d.fetchTimeoutNanos, d.electionBackoffMaxNanos,
                d.requestTimeoutNanos, d.retryBackoffNanos, d.appendLingerNanos, d.maxFetchWaitNanos,
                d.electionBackoffBaseNanos, false, false, new TimerPolicy.Classic(minNanos, maxNanos, heartbeatNanos),
                PlantedBugs.NONE);
    }

    /** {@code 1.5 × fetch timeout}. */
    public long checkQuorumTimeoutNanos() {
        return (long) (fetchTimeoutNanos * CHECK_QUORUM_TIMEOUT_FACTOR);
    }

    /** BeginQuorumEpoch resend period: {@code fetch timeout / 2}. */
    public long beginQuorumEpochResendNanos() {
        return fetchTimeoutNanos / 2;
    }

    /** Whether timeouts go through Prospective (pre-vote on and not switched off by the planted bug). */
    public boolean usesPreVote() {
        return preVote && !bugs.noPreVote();
    }

    /** Whether the leader enforces check-quorum. */
    public boolean usesCheckQuorum() {
        return checkQuorum && !bugs.noCheckQuorum();
    }

    public boolean isClassic() {
        return timerPolicy instanceof TimerPolicy.Classic;
    }

    public QuorumConfig withBugs(PlantedBugs newBugs) {
        return new QuorumConfig(electionTimeoutNanos, fetchTimeoutNanos, electionBackoffMaxNanos, requestTimeoutNanos,
                retryBackoffNanos, appendLingerNanos, maxFetchWaitNanos, electionBackoffBaseNanos, preVote, checkQuorum,
                timerPolicy, newBugs);
    }

    public QuorumConfig withCheckQuorum(boolean on) {
        return new QuorumConfig(electionTimeoutNanos, fetchTimeoutNanos, electionBackoffMaxNanos, requestTimeoutNanos,
                retryBackoffNanos, appendLingerNanos, maxFetchWaitNanos, electionBackoffBaseNanos, preVote, on,
                timerPolicy, bugs);
    }
}
