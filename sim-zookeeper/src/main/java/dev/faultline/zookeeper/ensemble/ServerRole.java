package dev.faultline.zookeeper.ensemble;

/** A ZooKeeper server's quorum role ({@code QuorumPeer.ServerState}; observers are not modelled). */
public enum ServerRole {
    LOOKING, FOLLOWING, LEADING
}
