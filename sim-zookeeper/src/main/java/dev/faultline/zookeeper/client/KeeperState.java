package dev.faultline.zookeeper.client;

/** Connection-state events delivered to the default watcher ({@code Watcher.Event.KeeperState}). */
public enum KeeperState {
    SyncConnected, Disconnected, Expired, Closed
}
