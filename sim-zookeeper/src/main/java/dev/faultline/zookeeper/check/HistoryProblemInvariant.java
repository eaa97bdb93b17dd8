package dev.faultline.zookeeper.check;

import dev.faultline.core.check.CheckContext;
import dev.faultline.core.check.Invariant;
import dev.faultline.zookeeper.ensemble.ZkHistory;
import java.util.List;

/**
 * An invariant decided where the ground truth is recorded: ZK-S1 (one established leader per
 * epoch), ZK-S5 (sync never truncates a committed txn), ZK-S7 (no premature expiry), and the
 * commit-order half of ZK-S3. The history notes what it saw; this reports it.
 */
final class HistoryProblemInvariant implements Invariant {
    private final String id;
    private final ZkHistory history;

    HistoryProblemInvariant(String id, ZkHistory history) {
        this.id = id;
        this.history = history;
    }

    @Override
    public String name() {
        return id;
    }

    @Override
    public void check(CheckContext context) {
        List<String> problems = history.drainProblems(id);
        if (!problems.isEmpty()) {
            context.fail(id, problems.get(0));
        }
    }
}
