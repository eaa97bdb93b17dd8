package dev.faultline.scenarios.spec;

import com.fasterxml.jackson.annotation.JsonProperty;
import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.scenarios.spec.Formats.As;
import dev.faultline.scenarios.spec.Formats.Format;

/**
 * What must hold for a run to pass, as written in a scenario's {@code expect}
 * (docs/scenarios.md#expectations); none written means {@code no-violations}. Each expectation is
 * one record below.
 */
public sealed interface Expectation {
    /** The YAML spelling. */
    String key();

    /** {@code no-violations}: no invariant fails. */
    record NoViolations() implements Expectation {
        @Override
        public String key() {
            return "no-violations";
        }
    }

    /** {@code no-data-loss}: no acknowledged {@code acks=all} write is lost, not even an EXPECTED loss. */
    record NoDataLoss() implements Expectation {
        @Override
        public String key() {
            return "no-data-loss";
        }
    }

    /**
     * {@code expect-data-loss}: acknowledged writes are lost, and every loss is EXPECTED (an
     * exemption of DP-S1 applies: an unclean election, or every replica lost power). For scenarios
     * that demonstrate a configuration hazard, such as JEPSEN-2013.
     */
    record ExpectDataLoss() implements Expectation {
        @Override
        public String key() {
            return "expect-data-loss";
        }
    }

    /** {@code controller-elected-within: D}: after each fault, an active controller exists within D. */
    record ControllerElectedWithin(long nanos) implements Expectation {
        @Override
        public String key() {
            return "controller-elected-within";
        }
    }

    /** {@code all-partitions-led-within: D}: after each fault, every partition with a live replica has a live leader within D. */
    record AllPartitionsLedWithin(long nanos) implements Expectation {
        @Override
        public String key() {
            return "all-partitions-led-within";
        }
    }

    /**
     * {@code topic-created-within: {topic: T, within: D}}: the topic, created during the run
     * ({@code create-at}), is usable within D of its creation request: every partition has a leader
     * that applied its leadership.
     */
    record TopicCreatedWithin(String topic, @JsonProperty("within") @As(Format.DURATION) long nanos) implements Expectation {
        @Override
        public String key() {
            return "topic-created-within";
        }
    }

    /**
     * {@code failovers-complete}: every failover that began during the run reached every phase that
     * applies to it before the run ended (detect, elect, ready for a controller, propagate, and client
     * when producers write to the partitions the failed broker led). A run whose failovers never
     * finished measured nothing and must not pass silently.
     */
    record FailoversComplete() implements Expectation {
        @Override
        public String key() {
            return "failovers-complete";
        }
    }

    /**
     * {@code produce-acknowledged}: every producer of the workload had at least one record
     * acknowledged (with {@code acks=0}: sent) during the run. A producer that never got an
     * acknowledgement measured nothing.
     */
    record ProduceAcknowledged() implements Expectation {
        @Override
        public String key() {
            return "produce-acknowledged";
        }
    }

    /**
     * {@code expect-violation: NAME}: the run must stop on a violation of NAME classified BUG
     * (planted-bug scenarios). {@code expect-violation: {invariant: NAME, class: hazard}} (or
     * {@code expected}): the run must show a violation of NAME of that class, which a run records
     * and goes on after (hazard scenarios; docs/invariants.md#classification).
     */
    record ExpectViolation(String invariant, ViolationClass violationClass) implements Expectation {
        /** {@code expect-violation: NAME}: a BUG. */
        public ExpectViolation(String invariant) {
            this(invariant, ViolationClass.BUG);
        }

        @Override
        public String key() {
            return "expect-violation";
        }
    }
}
