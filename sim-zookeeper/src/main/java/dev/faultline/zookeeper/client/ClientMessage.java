package dev.faultline.zookeeper.client;

import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.DataTree;
import dev.faultline.zookeeper.ensemble.Op;
import dev.faultline.zookeeper.ensemble.Stat;
import dev.faultline.zookeeper.ensemble.WatchTrigger;
import java.util.List;

/** The client–server protocol ({@code ClientCnxn} ↔ {@code NIOServerCnxn}). */
public sealed interface ClientMessage {
    default int sizeBytes() {
        return 48;
    }

    /** Opens (sessionId 0) or re-attaches a session, carrying the client's {@code lastZxidSeen}. */
    record ConnectRequest(long sessionId, long lastZxidSeen, long timeoutNanos) implements ClientMessage {
    }

    /** The negotiated timeout, or 0 when the session has expired. */
    record ConnectResponse(long sessionId, long timeoutNanos) implements ClientMessage {
    }

    /** The server closes the connection (it left the quorum, or refused the client). */
    record ConnectionClosed(String reason) implements ClientMessage {
    }

    record Request(long xid, Operation operation) implements ClientMessage {
        @Override
        public int sizeBytes() {
            return 32 + operation.sizeBytes();
        }
    }

    /**
     * The reply to request {@code xid}; {@code zxid} is the server's last processed zxid when it
     * answered (the client's {@code lastZxidSeen} follows it).
     */
    record Response(long xid, long zxid, Code code, String data, Stat stat, List<String> children,
                    List<DataTree.OpResult> results) implements ClientMessage {
        public Response {
            children = children == null ? null : List.copyOf(children);
            results = results == null ? null : List.copyOf(results);
        }

        @Override
        public int sizeBytes() {
            int size = 64 + (data == null ? 0 : data.length());
            if (children != null) {
                for (String c : children) {
                    size += 4 + c.length();
                }
            }
            return size;
        }
    }

    record WatchEvent(String path, WatchTrigger.EventType type, long zxid) implements ClientMessage {
    }

    record Ping() implements ClientMessage {
    }

    record PingResponse() implements ClientMessage {
    }

    /** Re-registers the client's watches after a reconnect, relative to {@code relativeZxid}. */
    record SetWatches(long relativeZxid, List<String> dataWatches, List<String> existWatches,
                      List<String> childWatches) implements ClientMessage {
        public SetWatches {
            dataWatches = List.copyOf(dataWatches);
            existWatches = List.copyOf(existWatches);
            childWatches = List.copyOf(childWatches);
        }
    }

    /** The client closes its session. */
    record CloseSession(long xid) implements ClientMessage {
    }

    /** A client operation. */
    sealed interface Operation {
        default int sizeBytes() {
            return 32;
        }

        record GetData(String path, boolean watch) implements Operation {
        }

        record Exists(String path, boolean watch) implements Operation {
        }

        record GetChildren(String path, boolean watch) implements Operation {
        }

        /** A write: one op ({@code multi} false) or an atomic multi. */
        record Write(List<Op> ops, boolean multi) implements Operation {
            public Write {
                ops = List.copyOf(ops);
            }

            @Override
            public int sizeBytes() {
                int size = 16;
                for (Op op : ops) {
                    size += op.sizeBytes();
                }
                return size;
            }
        }
    }
}
