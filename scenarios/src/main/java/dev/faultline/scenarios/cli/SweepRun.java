package dev.faultline.scenarios.cli;

import dev.faultline.core.control.FailoverMeasurement;
import dev.faultline.core.control.TopicCreation;
import dev.faultline.core.kernel.Time;
import dev.faultline.scenarios.run.FailoverCompleteness;
import dev.faultline.scenarios.run.ScenarioResult;
import java.util.ArrayList;
import java.util.List;

/**
 * What {@code faultline compare} keeps of one run: everything its tables and report are built from,
 * and nothing that differs between machines (no wall time). Shards write these to
 * {@code runs.json}; {@code faultline merge} reads them back, so one machine and many give the same
 * report.
 *
 * @param index the run's place in the sweep (scenario, partitions, mode, seed order)
 * @param scenario the scenario's name
 * @param partitions the sweep's partition count for this run, or {@code null} when not sweeping
 * @param mode the comparison's column: the metadata mode, with the Kafka version when given ({@code kraft-4.0})
 * @param seed the seed
 * @param passed every expectation held
 * @param failure the first expectation that failed, or the violation, or empty
 * @param scenarioFile the resolved scenario it ran, relative to the output directory ({@code scenarios/NAME-SIZE-MODE.yaml})
 * @param failovers each failover, labelled by the fault that caused it
 * @param shutdowns each controlled shutdown
 * @param topics each topic created during the run
 * @param leaderElections partition leader elections decided
 * @param controllerChanges controllers activated
 * @param lostWrites acknowledged acks=all writes lost
 * @param recordsSent records the producers sent
 * @param recordsAcked of those, acknowledged
 * @param incomplete what the run did not measure (ScenarioResult.incomplete)
 * @param events simulation events
 * @param simulatedNanos virtual time simulated
 * @param fingerprint the trace fingerprint
 */
public record SweepRun(int index, String scenario, Integer partitions, String mode, long seed, boolean passed, String failure, String scenarioFile,
                       List<Failover> failovers, List<Shutdown> shutdowns, List<Topic> topics, long leaderElections, long controllerChanges,
                       long lostWrites, long recordsSent, long recordsAcked, List<String> incomplete, long events, long simulatedNanos,
                       String fingerprint) {

    public SweepRun {
        failovers = List.copyOf(failovers);
        shutdowns = List.copyOf(shutdowns);
        topics = List.copyOf(topics);
        incomplete = List.copyOf(incomplete);
    }

    /**
     * One failover: its phases as durations from the fault (-1: never reached), and which were
     * never reached although they apply.
     *
     * @param label the case it belongs to: what failed and when the fault was written to fire
     *     ({@code broker failure at 40s})
     * @param kind BROKER or CONTROLLER
     * @param target the failed node
     * @param faultAtNanos when it went down (virtual time)
     * @param affected partitions the failed broker led
     * @param missing the phases that apply but were never reached ({@code "client (4/6 ...)"}), or empty
     * @param cleanExit the broker exited after a controlled shutdown (nothing to detect)
     */
    public record Failover(String label, String kind, String target, long faultAtNanos, long detect, long elect, long ready, long propagate,
                           long client, int affected, String missing, boolean cleanExit) {
    }

    /** A controlled shutdown: the case label, the broker and the time until it exited (-1: never). */
    public record Shutdown(String label, String broker, long exitNanos) {
    }

    /** A topic created during the run: the case label and its two phases (-1: never). */
    public record Topic(String label, long created, long ready) {
    }

    /**
     * What compare keeps of a result; {@code clientMeasured}: the scenario's producers cover every
     * topic; {@code column}: the comparison's column the run belongs to ({@code kraft},
     * {@code kraft-4.0}).
     */
    static SweepRun of(int index, Integer partitions, String scenarioFile, dev.faultline.scenarios.spec.Scenario scenario, ScenarioResult r,
                       boolean clientMeasured, String column) {
        List<Failover> failovers = new ArrayList<>();
        java.util.Map<String, String> exits = new java.util.TreeMap<>();
        List<Shutdown> shutdowns = new ArrayList<>();
        for (ScenarioResult.Shutdown s : r.shutdowns()) {
            String label = "controlled shutdown " + writtenAt(r, s.requestedAtNanos());
            shutdowns.add(new Shutdown(label, s.broker(), s.exitNanos()));
            if (s.exitNanos() >= 0) {
                exits.put(s.broker() + "@" + (s.requestedAtNanos() + s.exitNanos()), label);
            }
        }
        for (FailoverMeasurement f : r.failovers()) {
            String exit = exits.get(f.target() + "@" + f.faultAtNanos());
            boolean clean = exit != null && f.kind() == FailoverMeasurement.Kind.BROKER;
            String label = clean ? "broker exit after " + exit
                    : (f.kind() == FailoverMeasurement.Kind.CONTROLLER ? "controller failure " : "broker failure ") + writtenAt(r, f.faultAtNanos());
            String missing = FailoverCompleteness.missing(f, clientMeasured, clean);
            failovers.add(new Failover(label, f.kind().name(), f.target(), f.faultAtNanos(), f.detectNanos(), f.electNanos(), f.readyNanos(),
                    f.propagateNanos(), f.clientNanos(), f.affectedPartitions(), missing == null ? "" : missing, clean));
        }
        List<Topic> topics = new ArrayList<>();
        for (TopicCreation t : r.topicCreations()) {
            long written = t.requestedAtNanos();
            for (dev.faultline.scenarios.spec.Scenario.Topic st : scenario.topics()) {
                if (st.name().equals(t.topic()) && st.createdAtRuntime()) {
                    written = st.createAtNanos();
                }
            }
            topics.add(new Topic("topic " + t.topic() + " created at " + Time.format(written), t.createdNanos(), t.readyNanos()));
        }
        String failure = "";
        if (!r.passed()) {
            for (ScenarioResult.Verdict v : r.expectations()) {
                if (!v.held()) {
                    failure = v.toString().trim();
                    break;
                }
            }
        }
        return new SweepRun(index, r.scenario(), partitions, column, r.seed(), r.passed(), failure, scenarioFile, failovers, shutdowns, topics,
                r.leaderElections(), r.controllerChanges(), r.losses().size(), r.recordsSent(), r.recordsAcked(), r.incomplete(), r.events(),
                r.simulatedNanos(), r.fingerprint());
    }

    /**
     * "at 40s": the time the fault that fired at {@code firedAt} was written to fire, so that the
     * same fault makes the same case in every run although adaptive timing moves it; the actual time
     * when no fault fired then.
     */
    private static String writtenAt(ScenarioResult r, long firedAt) {
        for (ScenarioResult.FaultTime t : r.faultTimes()) {
            if (t.firedAtNanos() == firedAt) {
                return "at " + Time.format(t.writtenAtNanos());
            }
        }
        return "at " + Time.format(firedAt);
    }
}
