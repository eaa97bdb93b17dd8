package dev.faultline.core.check.classify;

import java.util.Locale;

/**
 * What a violation means for the user (docs/invariants.md#classification), decided by the
 * {@link Classifier}'s rules:
 * <ul>
 * <li>{@link #BUG}: the model broke a guarantee that Kafka and ZooKeeper keep under these faults;</li>
 * <li>{@link #HAZARD}: real Kafka of the modelled versions behaves this way under these faults (the
 * rule names the KIP or JIRA issue);</li>
 * <li>{@link #EXPECTED}: the configuration permits it (an unclean election, acknowledging before the
 * disk has the write).</li>
 * </ul>
 * A BUG stops the run; a HAZARD or EXPECTED case is recorded and the run goes on.
 */
public enum ViolationClass {
    BUG, HAZARD, EXPECTED;

    /** The spelling on command lines and in scenario files: {@code bug}, {@code hazard}, {@code expected}. */
    public String yamlName() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** The class spelled {@code bug}, {@code hazard} or {@code expected} (any case), or {@code null}. */
    public static ViolationClass parse(String s) {
        for (ViolationClass c : values()) {
            if (c.name().equalsIgnoreCase(s)) {
                return c;
            }
        }
        return null;
    }

    /**
     * Whether a case of this class fails under {@code failOn} ({@code fuzz --fail-on}): BUG fails under
     * every threshold, HAZARD under {@code hazard} and {@code expected}, EXPECTED only under {@code expected}.
     */
    public boolean failsUnder(ViolationClass failOn) {
        return ordinal() <= failOn.ordinal();
    }
}
