package dev.faultline.zookeeper.client;

import dev.faultline.zookeeper.ensemble.Code;
import dev.faultline.zookeeper.ensemble.DataTree;
import dev.faultline.zookeeper.ensemble.Stat;
import java.util.List;

/**
 * The outcome of one client operation, as the callback sees it.
 *
 * @param zxid the zxid the server reported (0 for local failures such as CONNECTIONLOSS)
 * @param children the children (getChildren) or the created path (create, as a one-element list)
 * @param results per-op results of a write or multi
 */
public record Result(Code code, long zxid, String data, Stat stat, List<String> children, List<DataTree.OpResult> results) {
    static Result failure(Code code) {
        return new Result(code, 0, null, null, null, null);
    }

    public boolean ok() {
        return code == Code.OK;
    }

    /** The created path of a successful create. */
    public String createdPath() {
        return children == null || children.isEmpty() ? null : children.get(0);
    }
}
