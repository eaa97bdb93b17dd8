package dev.faultline.zookeeper.ensemble;

/**
 * A timer of one leader or follower incarnation; the generation makes the timers of a role the
 * server has left harmless.
 */
record RoleTimer(long generation, Kind kind) {
    enum Kind {
        /** Leader: discovery, epoch ack or NEWLEADER ack wait ({@code initLimit*tickTime}) elapsed. */
        LEADER_PHASE_TIMEOUT,
        /** Leader: the {@code tickTime/2} loop (pings; quorum check every full tick). */
        LEADER_HALF_TICK,
        /** Leader: the session expirer's next bucket. */
        SESSION_EXPIRY,
        /** Follower: nothing from the leader within the socket read timeout. */
        FOLLOWER_READ_TIMEOUT,
        /** Follower: send the next connection probe (see {@code FollowerRole}). */
        FOLLOWER_CONNECTION_PROBE,
        /** Follower: the leader refused the connection; connect again. */
        FOLLOWER_RECONNECT,
        /** Leader or follower: fsync what was logged since the last flush (group commit). */
        FLUSH
    }
}
