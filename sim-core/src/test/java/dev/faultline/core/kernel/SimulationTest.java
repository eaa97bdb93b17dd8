package dev.faultline.core.kernel;

import static org.assertj.core.api.Assertions.assertThat;

import dev.faultline.core.net.LatencyModel;
import dev.faultline.core.net.LinkConfig;
import dev.faultline.core.storage.DurableLog;
import dev.faultline.core.storage.DurableValue;
import dev.faultline.core.trace.RunResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class SimulationTest {

    /** A message carrying a number. */
    record Num(int value) implements Message {
    }

    /** Records what it receives (time and value); answers pings when asked to. */
    static class Recorder implements Node {
        final NodeContext ctx;
        final List<String> seen = new ArrayList<>();
        final List<Long> times = new ArrayList<>();
        long workPerMessage;

        Recorder(NodeContext ctx) {
            this.ctx = ctx;
        }

        @Override
        public void onMessage(NodeId from, Message message) {
            seen.add(from + ":" + message);
            times.add(ctx.now());
            ctx.work(workPerMessage);
        }

        @Override
        public void onTimer(Object tag) {
            seen.add("timer:" + tag);
            times.add(ctx.now());
        }
    }

    private static final long MS = Time.MILLISECOND;

    private Simulation sim(long seed) {
        Simulation sim = new Simulation(seed);
        sim.network().setDefaultConfig(new LinkConfig(LatencyModel.constant(1 * MS), 0));
        return sim;
    }

    @Test
    void timersFireInTimeOrderAndTiesInInsertionOrder() {
        Simulation sim = sim(1);
        List<Recorder> holder = new ArrayList<>();
        NodeId a = sim.addNode("a", ctx -> {
            Recorder r = new Recorder(ctx) {
                @Override
                public void onStart() {
                    ctx.setTimer("late", 5 * MS);
                    ctx.setTimer("tie-1", 2 * MS);
                    ctx.setTimer("tie-2", 2 * MS);
                    ctx.setTimer("early", 1 * MS);
                }
            };
            holder.add(r);
            return r;
        });
        sim.startAll();
        sim.runFor(10 * MS);
        assertThat(holder.get(0).seen).containsExactly("timer:early", "timer:tie-1", "timer:tie-2", "timer:late");
        assertThat(sim.isUp(a)).isTrue();
    }

    @Test
    void settingATagAgainReplacesItAndCancelSkipsIt() {
        Simulation sim = sim(1);
        List<Recorder> holder = new ArrayList<>();
        sim.addNode("a", ctx -> {
            Recorder r = new Recorder(ctx) {
                @Override
                public void onStart() {
                    ctx.setTimer("t", 1 * MS);
                    ctx.setTimer("t", 3 * MS);
                    ctx.setTimer("gone", 2 * MS);
                    ctx.cancelTimer("gone");
                }
            };
            holder.add(r);
            return r;
        });
        sim.startAll();
        RunResult r = sim.runFor(10 * MS);
        assertThat(holder.get(0).seen).containsExactly("timer:t");
        assertThat(holder.get(0).times).containsExactly(3 * MS);
        assertThat(r.stopReason()).isEqualTo(RunResult.StopReason.QUIESCENT);
    }

    @Test
    void workKeepsANodeBusyAndDelaysItsSendsAndLaterEvents() {
        Simulation sim = sim(1);
        List<Recorder> rs = new ArrayList<>();
        NodeId a = sim.addNode("a", ctx -> {
            Recorder r = new Recorder(ctx);
            rs.add(r);
            return r;
        });
        NodeId b = sim.addNode("b", ctx -> {
            Recorder r = new Recorder(ctx) {
                @Override
                public void onMessage(NodeId from, Message message) {
                    super.onMessage(from, message);
                    ctx.work(10 * MS);
                    ctx.send(from, new Num(((Num) message).value() * 10));
                }
            };
            rs.add(r);
            return r;
        });
        sim.startAll();
        // Two messages arrive at b at t=1ms; the second waits for the first's 10 ms of work.
        sim.schedule(0, () -> {
            sim.process(a, Recorder.class).ctx.send(b, new Num(1));
            sim.process(a, Recorder.class).ctx.send(b, new Num(2));
        });
        sim.runFor(100 * MS);
        Recorder rb = rs.get(1);
        assertThat(rb.times).containsExactly(1 * MS, 11 * MS);
        Recorder ra = rs.get(0);
        // Replies leave when b's work ends (11 ms, 21 ms) and take 1 ms.
        assertThat(ra.seen).containsExactly("b:Num[value=10]", "b:Num[value=20]");
        assertThat(ra.times).containsExactly(12 * MS, 22 * MS);
    }

    @Test
    void slowFactorMultipliesWork() {
        Simulation sim = sim(1);
        List<Recorder> rs = new ArrayList<>();
        NodeId a = sim.addNode("a", ctx -> {
            Recorder r = new Recorder(ctx);
            r.workPerMessage = 10 * MS;
            rs.add(r);
            return r;
        });
        NodeId b = sim.addNode("b", Recorder::new);
        sim.startAll();
        sim.setSlowFactor(a, 4.0);
        sim.schedule(0, () -> {
            sim.process(b, Recorder.class).ctx.send(a, new Num(1));
            sim.process(b, Recorder.class).ctx.send(a, new Num(2));
        });
        sim.runFor(200 * MS);
        assertThat(rs.get(0).times).containsExactly(1 * MS, 41 * MS);
    }

    @Test
    void pauseHoldsTimersAndMessagesThenDeliversInOrder() {
        Simulation sim = sim(1);
        List<Recorder> rs = new ArrayList<>();
        NodeId a = sim.addNode("a", ctx -> {
            Recorder r = new Recorder(ctx) {
                @Override
                public void onStart() {
                    ctx.setTimer("t", 3500 * Time.MICROSECOND);
                }
            };
            rs.add(r);
            return r;
        });
        NodeId b = sim.addNode("b", Recorder::new);
        sim.startAll();
        sim.schedule(1 * MS, () -> sim.pause(a));
        sim.schedule(2 * MS, () -> sim.process(b, Recorder.class).ctx.send(a, new Num(1)));
        sim.schedule(4 * MS, () -> sim.process(b, Recorder.class).ctx.send(a, new Num(2)));
        sim.schedule(20 * MS, () -> sim.resume(a));
        sim.runFor(50 * MS);
        Recorder ra = rs.get(0);
        assertThat(ra.seen).containsExactly("b:Num[value=1]", "timer:t", "b:Num[value=2]");
        assertThat(ra.times).containsOnly(20 * MS);
    }

    @Test
    void crashLosesProcessStateAndPendingWorkButKeepsStorage() {
        Simulation sim = sim(1);
        NodeId a = sim.addNode("a", ctx -> new Node() {
            final DurableValue<Integer> counter = ctx.storage().open("counter", DurableValue.class, () -> new DurableValue<>(0));

            @Override
            public void onStart() {
                counter.set(counter.get() + 1);
                ctx.setTimer("never", 50 * MS);
            }

            @Override
            public void onMessage(NodeId from, Message message) {
            }

            @Override
            public void onTimer(Object tag) {
                throw new AssertionError("timer of a crashed incarnation fired");
            }
        });
        sim.startAll();
        sim.schedule(10 * MS, () -> sim.crash(a));
        sim.schedule(20 * MS, () -> sim.start(a));
        sim.schedule(30 * MS, () -> sim.crash(a));
        sim.runFor(100 * MS);
        @SuppressWarnings("unchecked")
        DurableValue<Integer> counter = sim.storage(a).find("counter", DurableValue.class);
        // Not synced, but a crash keeps the page cache.
        assertThat(counter.get()).isEqualTo(2);
        assertThat(counter.synced()).isEqualTo(0);
        assertThat(sim.isUp(a)).isFalse();
    }

    @Test
    void powerLossLosesUnsyncedWritesAndWipeLosesEverything() {
        Simulation sim = sim(1);
        NodeId a = sim.addNode("a", ctx -> new Node() {
            @Override
            public void onStart() {
                @SuppressWarnings("unchecked")
                DurableLog<String> log = ctx.storage().open("log", DurableLog.class, DurableLog::new);
                if (log.isEmpty()) {
                    log.append("x");
                    log.append("y");
                    ctx.fsync(log);
                    log.append("z");
                }
            }

            @Override
            public void onMessage(NodeId from, Message message) {
            }
        });
        sim.startAll();
        @SuppressWarnings("unchecked")
        DurableLog<String> log = sim.storage(a).find("log", DurableLog.class);
        assertThat(log.entries()).containsExactly("x", "y", "z");
        // A process crash keeps the page cache...
        sim.crash(a);
        assertThat(log.entries()).containsExactly("x", "y", "z");
        sim.start(a);
        assertThat(log.entries()).containsExactly("x", "y", "z");
        // ...a power loss does not.
        sim.powerLoss(a);
        assertThat(log.entries()).containsExactly("x", "y");
        sim.wipeDisk(a);
        assertThat(sim.storage(a).find("log", DurableLog.class)).isNull();
        // fsync costs the storage's latency as work.
        assertThat(sim.busyUntil(a)).isGreaterThanOrEqualTo(0);
    }

    @Test
    void fsyncDelaysTheMessagesItsHandlerSends() {
        Simulation sim = sim(1);
        sim.setDefaultFsyncLatency(5 * MS);
        List<Recorder> rs = new ArrayList<>();
        NodeId b = sim.addNode("b", ctx -> {
            Recorder r = new Recorder(ctx);
            rs.add(r);
            return r;
        });
        sim.addNode("a", ctx -> new Node() {
            @Override
            public void onStart() {
                DurableValue<String> v = ctx.storage().open("state", DurableValue.class, () -> new DurableValue<>("s"));
                ctx.send(b, new Num(7));
                ctx.fsync(v);
            }

            @Override
            public void onMessage(NodeId from, Message message) {
            }
        });
        sim.startAll();
        sim.runFor(50 * MS);
        assertThat(rs.get(0).times).containsExactly(6 * MS);
    }

    @Test
    void clockOffsetAndDriftAreReadByTheNodeOnly() {
        Simulation sim = sim(1);
        List<Recorder> rs = new ArrayList<>();
        NodeId a = sim.addNode("a", ctx -> {
            Recorder r = new Recorder(ctx) {
                @Override
                public void onStart() {
                    ctx.setTimer("t", 1000 * MS);
                }
            };
            rs.add(r);
            return r;
        });
        sim.setClock(a, 5 * Time.SECOND, 1000); // +5 s, running 0.1% fast
        sim.startAll();
        sim.runFor(2 * Time.SECOND);
        // The node's 1000 ms elapse in 999.000999 ms of true time; its clock then reads 5 s + 1000 ms.
        long fired = rs.get(0).times.get(0);
        assertThat(fired).isBetween(5 * Time.SECOND + 1000 * MS - 1, 5 * Time.SECOND + 1000 * MS + 1);
        long now = sim.now();
        assertThat(sim.localTime(a)).isEqualTo(5 * Time.SECOND + now + now / 1000);
    }

    @Test
    void runsStopAtTimeBudgetOrQuiescence() {
        Simulation sim = sim(1);
        sim.addNode("ticker", ctx -> new Node() {
            @Override
            public void onStart() {
                ctx.setTimer("tick", MS);
            }

            @Override
            public void onMessage(NodeId from, Message message) {
            }

            @Override
            public void onTimer(Object tag) {
                ctx.setTimer("tick", MS);
            }
        });
        sim.startAll();
        RunResult byTime = sim.run(10 * MS, Long.MAX_VALUE);
        assertThat(byTime.stopReason()).isEqualTo(RunResult.StopReason.TIME_LIMIT);
        assertThat(byTime.endTimeNanos()).isEqualTo(10 * MS);
        RunResult byEvents = sim.run(Long.MAX_VALUE, byTime.events() + 5);
        assertThat(byEvents.stopReason()).isEqualTo(RunResult.StopReason.EVENT_LIMIT);
        assertThat(byEvents.events()).isEqualTo(byTime.events() + 5);
    }

    @Test
    void aCrashClosesTheProcessConnectionsSoItsPeersLearnAtOnceButAPowerLossClosesNothing() {
        Simulation sim = sim(1);
        List<Recorder> rs = new ArrayList<>();
        NodeId a = sim.addNode("a", ctx -> {
            Recorder r = new Recorder(ctx);
            rs.add(r);
            return r;
        });
        NodeId b = sim.addNode("b", Recorder::new);
        NodeId c = sim.addNode("c", Recorder::new);
        NodeId d = sim.addNode("d", Recorder::new);
        sim.startAll();
        // a talks to b and c, never to d.
        sim.schedule(0, () -> {
            sim.process(a, Recorder.class).ctx.send(b, new Num(1));
            sim.process(a, Recorder.class).ctx.send(c, new Num(2));
        });
        sim.schedule(5 * MS, () -> sim.crash(b));
        sim.schedule(5 * MS, () -> sim.powerLoss(c));
        sim.schedule(5 * MS, () -> sim.crash(d));
        sim.runFor(50 * MS);
        assertThat(rs.get(0).seen).containsExactly("b:ConnectionReset[peer=b]");
        assertThat(rs.get(0).times).containsExactly(6 * MS);
    }

    @Test
    void messageToACrashedProcessIsAnsweredWithAResetUnlessThePowerIsOff() {
        Simulation sim = sim(1);
        List<Recorder> rs = new ArrayList<>();
        NodeId a = sim.addNode("a", ctx -> {
            Recorder r = new Recorder(ctx);
            rs.add(r);
            return r;
        });
        NodeId b = sim.addNode("b", Recorder::new);
        NodeId c = sim.addNode("c", Recorder::new);
        sim.startAll();
        sim.crash(b);
        sim.powerLoss(c);
        sim.schedule(0, () -> {
            sim.process(a, Recorder.class).ctx.send(b, new Num(1));
            sim.process(a, Recorder.class).ctx.send(c, new Num(2));
        });
        sim.runFor(50 * MS);
        assertThat(rs.get(0).seen).containsExactly("b:ConnectionReset[peer=b]");
        assertThat(rs.get(0).times).containsExactly(2 * MS);
    }
}
