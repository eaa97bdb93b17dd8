package dev.faultline.scenarios.run;

import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.core.check.Violation;
import dev.faultline.core.check.classify.Classification;
import dev.faultline.core.control.TopicCreation;
import dev.faultline.core.kafka.DataLoss;
import dev.faultline.core.kafka.KafkaRunResult;
import dev.faultline.core.kernel.Time;
import dev.faultline.core.trace.RunResult;
import dev.faultline.scenarios.spec.Expectation;
import dev.faultline.scenarios.spec.Scenario;
import java.util.ArrayList;
import java.util.List;

/**
 * Judges a finished run against its scenario's expectations. The timed expectations
 * ({@code controller-elected-within}, {@code all-partitions-led-within}) were checked while the run
 * went on; their failures arrive as sentences prefixed with the expectation's key.
 */
final class Judge {
    private final Scenario scenario;
    private final List<TopicCreation> topicCreations;
    private final List<String> expectationFailures;
    private final long maxEvents;

    Judge(Scenario scenario, List<TopicCreation> topicCreations, List<String> expectationFailures, long maxEvents) {
        this.scenario = scenario;
        this.topicCreations = topicCreations;
        this.expectationFailures = expectationFailures;
        this.maxEvents = maxEvents;
    }

    /**
     * The verdict of each expectation (none written: {@code no-violations}), then a failed verdict
     * for a run its event budget stopped early and for a violation no expectation allowed.
     *
     * @param incomplete what the run did not measure ({@link RunCompleteness#incomplete})
     */
    List<ScenarioResult.Verdict> judge(RunResult run, KafkaRunResult k, List<String> incomplete, Classification classification,
                                       List<ScenarioResult.Classified> excused) {
        List<ScenarioResult.Verdict> verdicts = new ArrayList<>();
        Violation v = run.violation();
        List<Expectation> expectations = scenario.expectations().isEmpty() ? List.of(new Expectation.NoViolations()) : scenario.expectations();
        boolean violationExpected = expectations.stream().anyMatch(x -> x instanceof Expectation.ExpectViolation);
        for (Expectation x : expectations) {
            if (x instanceof Expectation.NoViolations) {
                verdicts.add(new ScenarioResult.Verdict(x.key(), v == null, v == null ? "" : "[" + classification.label() + "] " + v.headline()));
            } else if (x instanceof Expectation.NoDataLoss) {
                List<DataLoss> losses = k.losses();
                verdicts.add(new ScenarioResult.Verdict(x.key(), losses.isEmpty(), losses.isEmpty() ? ""
                        : losses.size() + " acknowledged write(s) lost, first " + losses.get(0)));
            } else if (x instanceof Expectation.ExpectDataLoss) {
                List<DataLoss> losses = k.losses();
                long bugs = losses.stream().filter(l -> l.classification() == ViolationClass.BUG).count();
                long hazards = losses.stream().filter(l -> l.classification() == ViolationClass.HAZARD).count();
                boolean held = !losses.isEmpty() && bugs == 0 && hazards == 0;
                verdicts.add(new ScenarioResult.Verdict(x.key(), held, losses.isEmpty() ? "no acknowledged write was lost"
                        : losses.size() + " acknowledged write(s) lost, " + bugs + " classified BUG, " + hazards + " HAZARD; first " + losses.get(0)));
            } else if (x instanceof Expectation.ExpectViolation e) {
                verdicts.add(expectViolation(e, v, classification, excused));
            } else if (x instanceof Expectation.ControllerElectedWithin w) {
                List<String> mine = failuresOf("controller-elected-within");
                verdicts.add(new ScenarioResult.Verdict(x.key() + ": " + Time.format(w.nanos()), mine.isEmpty(), String.join("; ", mine)));
            } else if (x instanceof Expectation.TopicCreatedWithin w) {
                TopicCreation t = null;
                for (TopicCreation c : topicCreations) {
                    if (c.topic().equals(w.topic())) {
                        t = c;
                    }
                }
                boolean held = t != null && t.ready() && t.readyNanos() <= w.nanos();
                String detail = t == null ? "never requested" : !t.ready() ? "not usable by the end of the run (" + t + ")"
                        : "usable " + Time.format(t.readyNanos()) + " after the request";
                verdicts.add(new ScenarioResult.Verdict(x.key() + ": " + w.topic() + " within " + Time.format(w.nanos()), held, detail));
            } else if (x instanceof Expectation.AllPartitionsLedWithin w) {
                List<String> mine = failuresOf("all-partitions-led-within");
                verdicts.add(new ScenarioResult.Verdict(x.key() + ": " + Time.format(w.nanos()), mine.isEmpty(), String.join("; ", mine)));
            } else if (x instanceof Expectation.FailoversComplete) {
                List<String> mine = new ArrayList<>();
                for (String s : incomplete) {
                    if (!s.startsWith("producer")) {
                        mine.add(s);
                    }
                }
                boolean none = k.control().failovers().isEmpty();
                String detail = !mine.isEmpty() ? String.join("; ", mine) : none ? "no failover began (no fault took down a broker or the active controller)" : "";
                verdicts.add(new ScenarioResult.Verdict(x.key(), mine.isEmpty() && !none, detail));
            } else if (x instanceof Expectation.ProduceAcknowledged) {
                List<String> mine = new ArrayList<>();
                for (String s : incomplete) {
                    if (s.startsWith("producer")) {
                        mine.add(s);
                    }
                }
                boolean none = scenario.workload().stream().noneMatch(w -> w instanceof Scenario.Producer);
                verdicts.add(new ScenarioResult.Verdict(x.key(), mine.isEmpty() && !none, none ? "the workload has no producer" : String.join("; ", mine)));
            }
        }
        if (run.stopReason() == RunResult.StopReason.EVENT_LIMIT) {
            // Nothing above judged the rest of the run: say so, and do not let it pass.
            verdicts.add(new ScenarioResult.Verdict("run reached its duration", false, "stopped by its event budget of " + maxEvents
                    + " events at t=" + Time.format(run.endTimeNanos()) + ", before the end of the run at " + Time.format(scenario.durationNanos())
                    + "; the verdicts above judge only the part that ran (a shorter duration or a lighter workload fits the budget)"));
        }
        if (v != null && !violationExpected && expectations.stream().noneMatch(x -> x instanceof Expectation.NoViolations)) {
            // A violation always fails a run unless the scenario expects exactly that violation.
            verdicts.add(new ScenarioResult.Verdict("no-violations (implied)", false, "[" + classification.label() + "] " + v.headline()));
        }
        return verdicts;
    }

    /**
     * {@code expect-violation}: a BUG must be the violation that stopped the run; a HAZARD or
     * EXPECTED case may also be one the run recorded and went on after.
     */
    private static ScenarioResult.Verdict expectViolation(Expectation.ExpectViolation e, Violation v, Classification classification,
                                                          List<ScenarioResult.Classified> excused) {
        String name = e.key() + ": " + e.invariant() + (e.violationClass() == ViolationClass.BUG ? "" : " (" + e.violationClass().yamlName() + ")");
        if (v != null && v.invariant().equals(e.invariant()) && classification.violationClass() == e.violationClass()) {
            return new ScenarioResult.Verdict(name, true, "[" + classification.label() + "] " + v.headline());
        }
        if (e.violationClass() != ViolationClass.BUG) {
            for (ScenarioResult.Classified c : excused) {
                if (c.violation().invariant().equals(e.invariant()) && c.classification().violationClass() == e.violationClass()) {
                    return new ScenarioResult.Verdict(name, true, c.toString());
                }
            }
        }
        String seen = v == null ? "no invariant stopped the run" : "the run stopped on [" + classification.label() + "] " + v.headline();
        for (ScenarioResult.Classified c : excused) {
            seen += "; recorded " + c;
        }
        return new ScenarioResult.Verdict(name, false, seen);
    }

    private List<String> failuresOf(String key) {
        List<String> out = new ArrayList<>();
        for (String f : expectationFailures) {
            if (f.startsWith(key + ":")) {
                out.add(f.substring(key.length() + 2));
            }
        }
        return out;
    }
}
