package dev.faultline.core.check;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.faultline.core.check.catalog.InvariantCatalog;
import dev.faultline.core.check.catalog.InvariantInfo;
import dev.faultline.core.kernel.Message;
import dev.faultline.core.kernel.Node;
import dev.faultline.core.kernel.NodeId;
import dev.faultline.core.kernel.Simulation;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import org.junit.jupiter.api.Test;

class InvariantTest {
    /** A counter node that may exceed its limit. */
    static final class Counter implements Node {
        final dev.faultline.core.kernel.NodeContext ctx;
        int value;

        Counter(dev.faultline.core.kernel.NodeContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void onStart() {
            ctx.setTimer("inc", Time.MILLISECOND);
        }

        @Override
        public void onMessage(NodeId from, Message message) {
        }

        @Override
        public void onTimer(Object tag) {
            value++;
            ctx.setTimer("inc", Time.MILLISECOND);
        }
    }

    @Test
    void aViolationStopsTheRunWithItsNameTimeEventNodesAndRecentEvents() {
        Simulation sim = new Simulation(0x5EED);
        sim.useCatalog(InvariantCatalog.standard().with(InvariantInfo.safety("AtMostFive", "A counter stays at most five", "sim-core",
                "This test's own check.")));
        NodeId c = sim.addNode("counter-1", Counter::new);
        sim.addInvariant(new Invariant() {
            @Override
            public String name() {
                return "AtMostFive";
            }

            @Override
            public void check(CheckContext ctx) {
                Counter counter = sim.process(c, Counter.class);
                if (counter != null && counter.value > 5) {
                    ctx.fail(name(), "counter reached " + counter.value, c);
                }
            }
        });
        sim.startAll();
        RunResult r = sim.runFor(Time.SECOND);
        assertThat(r.stopReason()).isEqualTo(RunResult.StopReason.VIOLATION);
        Violation v = r.violation();
        assertThat(v.invariant()).isEqualTo("AtMostFive");
        assertThat(v.message()).isEqualTo("counter reached 6");
        assertThat(v.timeNanos()).isEqualTo(6 * Time.MILLISECOND);
        assertThat(v.nodes()).containsExactly("counter-1");
        assertThat(v.seed()).isEqualTo(0x5EED);
        assertThat(v.eventIndex()).isEqualTo(r.events());
        assertThat(v.recentEvents()).isNotEmpty().last().asString().contains("counter-1 timer inc");
        assertThat(v.headline()).isEqualTo("AtMostFive: counter reached 6 (at t=6ms, event " + v.eventIndex() + ", seed 24301, nodes counter-1)");
        // The run stays stopped.
        assertThat(sim.runFor(Time.SECOND).events()).isEqualTo(r.events());
    }

    @Test
    void aHoldingInvariantDoesNotStopTheRun() {
        Simulation sim = new Simulation(1);
        NodeId c = sim.addNode("counter-1", Counter::new);
        sim.addInvariant(new Invariant() {
            @Override
            public String name() {
                return "NonNegative";
            }

            @Override
            public void check(CheckContext ctx) {
                Counter counter = sim.process(c, Counter.class);
                if (counter != null && counter.value < 0) {
                    ctx.fail(name(), "negative", c);
                }
            }
        });
        sim.startAll();
        RunResult r = sim.runFor(100 * Time.MILLISECOND);
        assertThat(r.ok()).isTrue();
        assertThat(r.stopReason()).isEqualTo(RunResult.StopReason.TIME_LIMIT);
    }

    @Test
    void aViolationWithAnIdOutsideTheCatalogueIsAnError() {
        Simulation sim = new Simulation(0x5EED);
        NodeId c = sim.addNode("counter-1", Counter::new);
        sim.addInvariant(Invariant.of("AtMostFive", ctx -> {
            Counter counter = sim.process(c, Counter.class);
            if (counter != null && counter.value > 5) {
                ctx.fail("AtMostFive", "counter reached " + counter.value, c);
            }
        }));
        sim.startAll();
        assertThatThrownBy(() -> sim.runFor(Time.SECOND)).isInstanceOf(IllegalStateException.class)
                .hasMessage("a checker reported 'AtMostFive', which is not in the invariant catalogue "
                        + "(dev.faultline.core.check.catalog.InvariantCatalog): counter reached 6");
    }

    @Test
    void aCataloguedIdIsAccepted() {
        Simulation sim = new Simulation(0x5EED);
        sim.addInvariant(Invariant.of("KR-S1", ctx -> ctx.fail("KR-S1", "reported")));
        sim.addNode("counter-1", Counter::new);
        sim.startAll();
        assertThat(sim.runFor(Time.SECOND).violation().invariant()).isEqualTo("KR-S1");
    }
}
