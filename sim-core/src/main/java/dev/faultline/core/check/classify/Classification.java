package dev.faultline.core.check.classify;

import java.util.Objects;

/**
 * A violation's class and the rule that gave it.
 *
 * @param violationClass BUG, HAZARD or EXPECTED
 * @param rule the {@link Classifier.Rule}'s name, or {@code no-rule} for a BUG no rule covers
 * @param reference the KIP, JIRA issue or configuration property that makes it a hazard or expected; empty for a BUG
 */
public record Classification(ViolationClass violationClass, String rule, String reference) {
    public Classification {
        Objects.requireNonNull(violationClass);
        Objects.requireNonNull(rule);
        Objects.requireNonNull(reference);
    }

    /** {@code HAZARD (zk-unclean-shutdown-leader, KIP-966)}, or {@code BUG (no rule applies)}. */
    public String label() {
        return violationClass + " (" + (reference.isEmpty() ? "no classification rule applies" : rule + ", " + reference) + ")";
    }
}
