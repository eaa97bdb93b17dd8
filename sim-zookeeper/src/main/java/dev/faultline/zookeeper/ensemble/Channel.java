package dev.faultline.zookeeper.ensemble;

/**
 * One TCP connection's sequencing. The kernel's network may drop a message (a partition, a lossy
 * link) and deliver later ones; TCP would instead stall and then reset the connection. Each packet
 * carries the connection id and a sequence number; a receiver that sees a gap treats the connection
 * as broken, which is what a real peer observes (a reset or a read timeout), never a silent hole.
 */
public final class Channel {
    private final long connectionId;
    private long nextSendSeq;
    private long nextReceiveSeq;

    public Channel(long connectionId) {
        this.connectionId = connectionId;
    }

    public long connectionId() {
        return connectionId;
    }

    /** The sequence number for the next outgoing packet. */
    public long nextSend() {
        return nextSendSeq++;
    }

    /** What a receiver does with a packet. */
    public enum Verdict {
        /** The next packet in order: process it. */
        IN_ORDER,
        /** A duplicate of one already received (TCP drops it): ignore it. */
        DUPLICATE,
        /** Another connection, or a packet is missing: the connection is broken. */
        BROKEN
    }

    /** Classifies an incoming packet and advances the expected sequence when it is in order. */
    public Verdict accept(long connection, long seq) {
        if (connection != connectionId) {
            return Verdict.BROKEN;
        }
        if (seq < nextReceiveSeq) {
            return Verdict.DUPLICATE;
        }
        if (seq != nextReceiveSeq) {
            return Verdict.BROKEN;
        }
        nextReceiveSeq++;
        return Verdict.IN_ORDER;
    }
}
