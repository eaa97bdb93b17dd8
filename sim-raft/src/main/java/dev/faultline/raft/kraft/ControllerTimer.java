package dev.faultline.raft.kraft;

/** Timer tags of the quorum controller (never equal to the Raft node's). */
enum ControllerTimer {
    /** {@code maybeFenceOneStaleBroker}: the earliest broker session deadline (3.9), or the periodic task's next run (4.0). */
    FENCE_CHECK,
    /** {@code metadata.max.idle.interval.ms}: append a NoOpRecord. */
    NOOP,
    /** The controller's event queue: the running event's CPU time has elapsed ({@link EventThread}). */
    EVENT_QUEUE
}
