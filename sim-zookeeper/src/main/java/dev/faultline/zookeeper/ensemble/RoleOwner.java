package dev.faultline.zookeeper.ensemble;

/**
 * The only owner of a server's role. Transitions:
 *
 * <pre>
 *   LOOKING   -> FOLLOWING  (FLE decided another server)
 *   LOOKING   -> LEADING    (FLE decided this server)
 *   FOLLOWING -> LOOKING    (leader lost, sync failed, epoch rejected)
 *   LEADING   -> LOOKING    (quorum lost, discovery or sync timed out)
 * </pre>
 *
 * Anything else (for example FOLLOWING to LEADING without an election) is a bug and throws.
 */
public final class RoleOwner {
    private ServerRole role = ServerRole.LOOKING;
    private final long sid;

    public RoleOwner(long sid) {
        this.sid = sid;
    }

    public ServerRole role() {
        return role;
    }

    public void transitionToFollowing(long leaderSid) {
        require(role == ServerRole.LOOKING && leaderSid != sid, "FOLLOWING leader " + leaderSid);
        role = ServerRole.FOLLOWING;
    }

    public void transitionToLeading() {
        require(role == ServerRole.LOOKING, "LEADING");
        role = ServerRole.LEADING;
    }

    public void transitionToLooking() {
        require(role != ServerRole.LOOKING, "LOOKING");
        role = ServerRole.LOOKING;
    }

    private void require(boolean legal, String target) {
        if (!legal) {
            throw new IllegalStateException("server " + sid + ": cannot transition to " + target + " from " + role);
        }
    }
}
