package dev.faultline.zookeeper.client;

/**
 * The client handle's state ({@code ZooKeeper.States}) with its one owner of transitions:
 *
 * <pre>
 *   NOT_STARTED -> CONNECTING             start
 *   CONNECTING  -> CONNECTING             next host (connect timeout, refused, reset)
 *   CONNECTING  -> CONNECTED              ConnectResponse with a timeout
 *   CONNECTED   -> CONNECTING             read timeout, reset or close: Disconnected
 *   CONNECTING  -> EXPIRED                ConnectResponse with timeout 0 (terminal)
 *   any but EXPIRED -> CLOSED             close() (terminal)
 * </pre>
 */
public enum ClientState {
    NOT_STARTED, CONNECTING, CONNECTED, EXPIRED, CLOSED;

    /** Whether the handle can still be used. */
    public boolean isAlive() {
        return this != EXPIRED && this != CLOSED;
    }

    static ClientState transition(String client, ClientState from, ClientState to) {
        boolean legal;
        switch (to) {
            case CONNECTING:
                legal = from == NOT_STARTED || from == CONNECTING || from == CONNECTED;
                break;
            case CONNECTED:
            case EXPIRED:
                legal = from == CONNECTING;
                break;
            case CLOSED:
                legal = from != EXPIRED && from != CLOSED;
                break;
            default:
                legal = false;
        }
        if (!legal) {
            throw new IllegalStateException("ZooKeeper client " + client + ": cannot transition from " + from + " to " + to);
        }
        return to;
    }
}
