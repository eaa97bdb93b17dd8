package dev.faultline.core.check;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Reports found inside the model wait, in order and stamped with the time, until their invariant reports them. */
class ViolationReportsTest {
    private long now;

    @Test
    void theInvariantOfAnIdReportsTheFirstHeldViolationOfThatIdWithItsNode() {
        ViolationReports reports = new ViolationReports(() -> now);
        NodeId node = new Simulation(1).addNode("broker-3", ctx -> (Node) (from, message) -> { });
        now = 10;
        reports.report("KZ-S1", "first");
        now = 20;
        reports.report("KZ-S4", "other id", node);
        reports.report("KZ-S4", "second of that id");
        assertThat(reports.first("KZ-S4")).isEqualTo(new ViolationReport("KZ-S4", "other id", node, 20));

        List<String> failed = new ArrayList<>();
        CheckContext context = new CheckContext() {
            @Override
            public long now() {
                return now;
            }

            @Override
            public long eventIndex() {
                return 0;
            }

            @Override
            public void fail(String invariant, String message, NodeId... nodes) {
                failed.add(invariant + ": " + message + " " + List.of(nodes));
            }
        };
        Invariant kzS4 = reports.invariant("KZ-S4");
        kzS4.check(context);
        assertThat(failed).containsExactly("KZ-S4: other id [" + node + "]");
        kzS4.check(context);
        assertThat(failed).hasSize(2).last().isEqualTo("KZ-S4: second of that id []");
        kzS4.check(context);
        assertThat(failed).as("nothing more held for KZ-S4").hasSize(2);

        assertThat(reports.takeAll("KZ-S1")).isEqualTo(new ViolationReport("KZ-S1", "first", null, 10));
        assertThat(reports.isEmpty()).isTrue();
    }
}
