package dev.faultline.zookeeper.ensemble;

/** Result codes ({@code KeeperException.Code}) that the model produces. */
public enum Code {
    OK, NONODE, NODEEXISTS, BADVERSION, NOTEMPTY, NOCHILDRENFOREPHEMERALS, RUNTIMEINCONSISTENCY,
    CONNECTIONLOSS, SESSIONEXPIRED, SESSIONMOVED
}
