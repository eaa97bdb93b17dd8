package dev.faultline.zookeeper.ensemble;

import java.util.List;

/** Quorum packets between a leader and its learners ({@code Leader.*} packet types). */
public sealed interface ZabMessage {
    default int sizeBytes() {
        return 48;
    }

    /** Learner → leader: FOLLOWERINFO with the learner's {@code acceptedEpoch}. */
    record FollowerInfo(long sid, long acceptedEpoch) implements ZabMessage {
    }

    /** Leader → learner: LEADERINFO with the proposed epoch. */
    record LeaderInfo(long newEpoch) implements ZabMessage {
    }

    /** Learner → leader: ACKEPOCH with the learner's {@code currentEpoch} and last logged zxid. */
    record AckEpoch(long currentEpoch, long lastLoggedZxid) implements ZabMessage {
    }

    /**
     * Leader → learner: the synchronization decision. For TRUNC+DIFF both the truncation point and
     * the proposals after it; for SNAP the whole committed history (standing in for a snapshot).
     */
    record Sync(SyncPlan.Kind kind, long truncateToZxid, List<TxnEntry> entries, int snapshotZnodes) implements ZabMessage {
        public Sync {
            entries = List.copyOf(entries);
        }

        @Override
        public int sizeBytes() {
            int size = 64;
            for (TxnEntry e : entries) {
                size += e.sizeBytes();
            }
            return size;
        }
    }

    record NewLeader(long newEpoch) implements ZabMessage {
    }

    /** Learner → leader: ACK of a proposal (or of NEWLEADER, with zxid {@code newEpoch << 32}). */
    record Ack(long zxid) implements ZabMessage {
    }

    record UpToDate() implements ZabMessage {
    }

    record Proposal(TxnEntry entry) implements ZabMessage {
        @Override
        public int sizeBytes() {
            return 32 + entry.sizeBytes();
        }
    }

    record Commit(long zxid) implements ZabMessage {
    }

    record Ping() implements ZabMessage {
    }

    /** Learner → leader: reply to a ping, carrying the sessions its clients touched since the last one. */
    record PingReply(List<Long> touchedSessions) implements ZabMessage {
        public PingReply {
            touchedSessions = List.copyOf(touchedSessions);
        }

        @Override
        public int sizeBytes() {
            return 48 + 12 * touchedSessions.size();
        }
    }

    /** Learner → leader: a client write forwarded for proposal. */
    record Request(long sessionId, long cxid, Txn txn) implements ZabMessage {
        @Override
        public int sizeBytes() {
            return 48 + txn.sizeBytes();
        }
    }

    /** Learner → leader: is this session still alive (a client reconnected to the learner)? */
    record Revalidate(long sessionId, long clientConnection) implements ZabMessage {
    }

    record RevalidateReply(long sessionId, long clientConnection, boolean valid) implements ZabMessage {
    }

    /** Either side closes the connection (a FIN: it arrives unless the link is cut). */
    record Close() implements ZabMessage {
    }
}
