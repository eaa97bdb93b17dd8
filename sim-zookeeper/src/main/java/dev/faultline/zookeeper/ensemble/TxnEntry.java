package dev.faultline.zookeeper.ensemble;

/**
 * A logged transaction: its zxid and the request header (the server the client talked to, the
 * session and the client's request id) so that server can answer once the transaction is applied.
 */
public record TxnEntry(long zxid, long originSid, long sessionId, long cxid, Txn txn) {
    public int sizeBytes() {
        return 40 + txn.sizeBytes();
    }

    @Override
    public String toString() {
        return Zxid.format(zxid) + ":" + txn;
    }
}
