package dev.faultline.raft.quorum;

import dev.faultline.core.kernel.SimRandom;

/**
 * When a voter starts an election and how a leader keeps its followers. Two policies:
 * {@link Kraft} (Kafka's: fixed fetch timeout for followers, {@code [T, 2T)} election timeouts,
 * exponential backoff, BeginQuorumEpoch resends) and {@link Classic} (the Raft paper's: one
 * randomized election timeout in {@code [min, max]} for every non-leader, leader heartbeats every
 * {@code heartbeatIntervalNanos}).
 */
public sealed interface TimerPolicy {

    /** Election timeout for Unattached, Prospective, Candidate and Resigned voters. */
    long electionTimeoutNanos(SimRandom random);

    /** How long a Follower waits without hearing from its leader before it starts an election. */
    long followerTimeoutNanos(SimRandom random);

    /** Kafka's policy; its values live in {@link QuorumConfig}. */
    record Kraft(long electionTimeoutNanos, long fetchTimeoutNanos) implements TimerPolicy {
        @Override
        public long electionTimeoutNanos(SimRandom random) {
            // KafkaRaftClient: electionTimeoutMs + random(electionTimeoutMs), i.e. [T, 2T).
            return electionTimeoutNanos + random.nextLong(electionTimeoutNanos);
        }

        @Override
        public long followerTimeoutNanos(SimRandom random) {
            return fetchTimeoutNanos;
        }
    }

    /**
     * The Raft paper's policy (Ongaro and Ousterhout 2014, §5.2): every non-leader draws a fresh
     * timeout uniformly in {@code [minNanos, maxNanos]} each time it is reset; the leader sends a
     * heartbeat every {@code heartbeatIntervalNanos}; a failed candidacy retries after a fresh
     * timeout, with no backoff.
     */
    record Classic(long minNanos, long maxNanos, long heartbeatIntervalNanos) implements TimerPolicy {
        public Classic {
            if (minNanos <= 0 || maxNanos < minNanos || heartbeatIntervalNanos <= 0) {
                throw new IllegalArgumentException("need 0 < min <= max and a positive heartbeat interval");
            }
        }

        @Override
        public long electionTimeoutNanos(SimRandom random) {
            return random.nextLongBetween(minNanos, maxNanos);
        }

        @Override
        public long followerTimeoutNanos(SimRandom random) {
            return electionTimeoutNanos(random);
        }
    }
}
