package dev.faultline.zookeeper.ensemble;

import it.unimi.dsi.fastutil.longs.Long2ObjectAVLTreeMap;

/**
 * Fast Leader Election for one server (docs/model.md#fast-leader-election,
 * {@code FastLeaderElection.lookForLeader}). Reacts to notifications and to its two timers; returns
 * a decision when the election is over. Sending is left to the {@link Host}, so the rules here stay
 * free of I/O.
 */
final class FastLeaderElection {
    /** What the election needs from its server. */
    interface Host {
        long sid();

        int ensembleSize();

        /** The server's own initial vote: (sid, lastLoggedZxid, currentEpoch). */
        Vote selfVote();

        /** Sends the current notification to every other voting peer. */
        void broadcast(Notification n);

        void sendTo(long sid, Notification n);

        /** (Re)arms an election timer; tags carry the round so stale timers are ignored. */
        void setTimer(Object tag, long delayNanos);

        void cancelTimer(Object tag);
    }

    /** Election timers. */
    record Timer(long round, Kind kind) {
        enum Kind {
            NOTIFICATION_TIMEOUT, FINALIZE
        }
    }

    private final Host host;
    private final ZkConfig config;
    private long logicalclock;
    private long round;
    private Vote proposal;
    private boolean finalizing;
    private long notTimeoutNanos;
    private final Long2ObjectAVLTreeMap<Notification> recvset = new Long2ObjectAVLTreeMap<>();
    private final Long2ObjectAVLTreeMap<Notification> outofelection = new Long2ObjectAVLTreeMap<>();

    FastLeaderElection(Host host, ZkConfig config) {
        this.host = host;
        this.config = config;
    }

    long logicalclock() {
        return logicalclock;
    }

    long notificationTimeoutNanos() {
        return notTimeoutNanos;
    }

    Vote proposal() {
        return proposal;
    }

    /** Enters LOOKING: a new round with a vote for myself. */
    void start() {
        logicalclock++;
        round++;
        recvset.clear();
        outofelection.clear();
        finalizing = false;
        proposal = host.selfVote();
        notTimeoutNanos = config.minNotificationIntervalNanos();
        sendNotifications();
        host.setTimer(new Timer(round, Timer.Kind.NOTIFICATION_TIMEOUT), notTimeoutNanos);
    }

    /** Stops reacting (the server left LOOKING). */
    void stop() {
        host.cancelTimer(new Timer(round, Timer.Kind.NOTIFICATION_TIMEOUT));
        host.cancelTimer(new Timer(round, Timer.Kind.FINALIZE));
        round++;
    }

    private Notification myNotification() {
        return new Notification(proposal, logicalclock, ServerRole.LOOKING, host.sid());
    }

    private void sendNotifications() {
        Notification n = myNotification();
        recvset.put(host.sid(), n);
        host.broadcast(n);
    }

    /** A timer of this election fired; returns the decided vote or {@code null}. */
    Vote onTimer(Timer timer) {
        if (timer.round() != round) {
            return null;
        }
        if (timer.kind() == Timer.Kind.FINALIZE) {
            // No better notification within finalizeWait: decide.
            finalizing = false;
            return proposal;
        }
        // No notification within notTimeout: re-send and back off (doubling, capped).
        sendNotifications();
        notTimeoutNanos = Math.min(notTimeoutNanos * 2, config.maxNotificationIntervalNanos());
        host.setTimer(new Timer(round, Timer.Kind.NOTIFICATION_TIMEOUT), notTimeoutNanos);
        return null;
    }

    /** A notification arrived while this server is LOOKING; returns the decided vote or {@code null}. */
    Vote onNotification(Notification n) {
        if (finalizing) {
            if (!n.vote().beats(proposal)) {
                // Drained during finalizeWait: discarded, and the wait starts over.
                host.setTimer(new Timer(round, Timer.Kind.FINALIZE), config.finalizeWaitNanos());
                return null;
            }
            finalizing = false;
            host.cancelTimer(new Timer(round, Timer.Kind.FINALIZE));
        }
        host.setTimer(new Timer(round, Timer.Kind.NOTIFICATION_TIMEOUT), notTimeoutNanos);
        if (n.state() == ServerRole.LOOKING) {
            return onLookingNotification(n);
        }
        return onDecidedNotification(n);
    }

    private Vote onLookingNotification(Notification n) {
        if (n.electionEpoch() > logicalclock) {
            logicalclock = n.electionEpoch();
            recvset.clear();
            Vote self = host.selfVote();
            proposal = n.vote().beats(self) ? n.vote() : self;
            sendNotifications();
        } else if (n.electionEpoch() < logicalclock) {
            // The sender is behind: tell it where we are.
            host.sendTo(n.sid(), myNotification());
            return null;
        } else if (n.vote().beats(proposal)) {
            proposal = n.vote();
            sendNotifications();
        }
        recvset.put(n.sid(), n);
        if (countMatching(recvset, proposal, true) >= quorum()) {
            finalizing = true;
            host.cancelTimer(new Timer(round, Timer.Kind.NOTIFICATION_TIMEOUT));
            host.setTimer(new Timer(round, Timer.Kind.FINALIZE), config.finalizeWaitNanos());
        }
        return null;
    }

    private Vote onDecidedNotification(Notification n) {
        // A server that is FOLLOWING or LEADING tells us who leads (this is how a restarted server joins).
        if (n.electionEpoch() == logicalclock) {
            recvset.put(n.sid(), n);
            if (countMatching(recvset, n.vote(), false) >= quorum() && checkLeader(recvset, n.vote().leader(), n.electionEpoch())) {
                return n.vote();
            }
        }
        outofelection.put(n.sid(), n);
        if (countMatching(outofelection, n.vote(), false) >= quorum()
                && checkLeader(outofelection, n.vote().leader(), n.electionEpoch())) {
            logicalclock = n.electionEpoch();
            return n.vote();
        }
        return null;
    }

    private boolean checkLeader(Long2ObjectAVLTreeMap<Notification> votes, long leader, long electionEpoch) {
        if (leader != host.sid()) {
            Notification l = votes.get(leader);
            return l != null && l.state() == ServerRole.LEADING;
        }
        return logicalclock == electionEpoch;
    }

    private static int countMatching(Long2ObjectAVLTreeMap<Notification> votes, Vote vote, boolean exact) {
        int count = 0;
        for (Notification n : votes.values()) {
            Vote v = n.vote();
            // Votes of decided servers are compared by leader and epoch only (Vote.equals).
            boolean same = exact && n.state() == ServerRole.LOOKING ? v.equals(vote)
                    : v.leader() == vote.leader() && v.peerEpoch() == vote.peerEpoch();
            if (same) {
                count++;
            }
        }
        return count;
    }

    private int quorum() {
        return host.ensembleSize() / 2 + 1;
    }
}
