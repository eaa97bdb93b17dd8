package dev.faultline.zookeeper.ensemble;

/**
 * ZooKeeper transaction ids: high 32 bits the epoch, low 32 bits the counter within it
 * (docs/model.md#server-state-and-zxids).
 */
public final class Zxid {
    private Zxid() {
    }

    public static long make(long epoch, long counter) {
        return (epoch << 32) | (counter & 0xffffffffL);
    }

    public static long epoch(long zxid) {
        return zxid >>> 32;
    }

    public static long counter(long zxid) {
        return zxid & 0xffffffffL;
    }

    public static String format(long zxid) {
        return "0x" + Long.toHexString(zxid);
    }
}
