package dev.faultline.zookeeper.ensemble;

/**
 * A write operation, alone or inside a {@code multi}. A version of -1 means "any version".
 * Data is a string (the simulator never needs bytes); its length stands for the payload size.
 */
public sealed interface Op {
    String path();

    /** Bytes this op adds to a request or a transaction. */
    default int sizeBytes() {
        return 32 + path().length();
    }

    record Create(String path, String data, CreateMode mode) implements Op {
        @Override
        public int sizeBytes() {
            return 40 + path.length() + data.length();
        }
    }

    record Delete(String path, int version) implements Op {
    }

    record SetData(String path, String data, int version) implements Op {
        @Override
        public int sizeBytes() {
            return 40 + path.length() + data.length();
        }
    }

    /** {@code CheckOp}: fails the multi unless the znode exists with this version. */
    record Check(String path, int version) implements Op {
    }
}
