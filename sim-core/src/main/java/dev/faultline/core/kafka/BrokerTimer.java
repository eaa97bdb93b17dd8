package dev.faultline.core.kafka;

/** The broker's own timer tags; every other tag belongs to its control-plane agent. */
sealed interface BrokerTimer {
    /** {@code isr-expiration} (every {@code replica.lag.time.max.ms / 2}). */
    record IsrExpiration() implements BrokerTimer {
    }

    /** High-watermark checkpoint (every {@code replica.high.watermark.checkpoint.interval.ms}). */
    record HighWatermarkCheckpoint() implements BrokerTimer {
    }

    /** A follower's parked fetch reached {@code replica.fetch.wait.max.ms}. */
    record ParkedFetchTimeout(int followerId, long requestId) implements BrokerTimer {
    }

    /** The fetcher for {@code leaderId} backs off after an error ({@code replica.fetch.backoff.ms}). */
    record FetchBackoff(int leaderId) implements BrokerTimer {
    }

    /** No answer to a fetch within {@code replica.socket.timeout.ms}. */
    record FetchTimeout(int leaderId, long requestId) implements BrokerTimer {
    }

    /** No answer to an OffsetsForLeaderEpoch request within {@code replica.socket.timeout.ms}: ask again. */
    record EpochLookupTimeout(int partition, int leaderEpoch) implements BrokerTimer {
    }

    /** The operator's SIGTERM: begin a controlled shutdown inside the broker's own event handler. */
    record ControlledShutdown() implements BrokerTimer {
    }

    BrokerTimer ISR_EXPIRATION = new IsrExpiration();
    BrokerTimer HW_CHECKPOINT = new HighWatermarkCheckpoint();
    BrokerTimer CONTROLLED_SHUTDOWN = new ControlledShutdown();
}
