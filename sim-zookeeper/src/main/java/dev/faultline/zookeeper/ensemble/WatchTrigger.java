package dev.faultline.zookeeper.ensemble;

/** A change that fires watches: the path, the event type and the zxid that caused it. */
public record WatchTrigger(String path, EventType type, long zxid) {
    /** Watch event types ({@code Watcher.Event.EventType}). */
    public enum EventType {
        NodeCreated, NodeDeleted, NodeDataChanged, NodeChildrenChanged
    }
}
