package dev.faultline.zookeeper.ensemble;

/**
 * An FLE vote: the proposed leader, its last zxid and its epoch.
 *
 * @param leader proposed leader's sid
 * @param zxid proposed leader's last logged zxid
 * @param peerEpoch proposed leader's {@code currentEpoch}
 */
public record Vote(long leader, long zxid, long peerEpoch) {

    /**
     * FLE's {@code totalOrderPredicate}: whether this vote beats {@code other}, comparing
     * (peerEpoch, zxid, sid) lexicographically.
     */
    public boolean beats(Vote other) {
        if (peerEpoch != other.peerEpoch) {
            return peerEpoch > other.peerEpoch;
        }
        if (zxid != other.zxid) {
            return zxid > other.zxid;
        }
        return leader > other.leader;
    }

    @Override
    public String toString() {
        return "(leader " + leader + ", zxid " + Zxid.format(zxid) + ", epoch " + peerEpoch + ")";
    }
}
