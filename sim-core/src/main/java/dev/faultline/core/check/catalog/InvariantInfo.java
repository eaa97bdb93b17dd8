package dev.faultline.core.check.catalog;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * One entry of the {@link InvariantCatalog}: what an invariant id stands for, where its checker lives,
 * what it excuses, and which test shows that it fires.
 *
 * @param id the id a checker reports, for example {@code DP-S1}
 * @param title a short name
 * @param kind safety (nothing bad ever happens) or bounded liveness (something good happens in time)
 * @param module the Maven module whose checker reports it
 * @param meaning what it means, in one paragraph
 * @param exemptions the cases it excuses, each with what the checker does with them
 * @param proofs the tests or library scenarios that make it fire; empty when none exists yet
 */
public record InvariantInfo(String id, String title, Kind kind, String module, String meaning, List<Exemption> exemptions,
                            List<Proof> proofs) {

    /** Safety or bounded liveness. */
    public enum Kind {
        /** Checked after every event: a bad state must never be reached. */
        SAFETY,
        /** A timer armed by a condition: a good state must be reached within a bound while the condition holds. */
        LIVENESS
    }

    /** What the checker does in a case an exemption covers. */
    public enum ExemptionClass {
        /**
         * The case is recorded and classified EXPECTED by a rule of the
         * {@link dev.faultline.core.check.classify.Classifier} (the configuration permits it); the run goes on.
         */
        EXPECTED,
        /**
         * The case is recorded and classified HAZARD by a rule of the
         * {@link dev.faultline.core.check.classify.Classifier} (real Kafka behaves this way; the rule names the KIP or JIRA issue);
         * the run goes on.
         */
        HAZARD,
        /** The check is not applied in that case: nothing is recorded. */
        NOT_CHECKED
    }

    /** One exemption: the case it covers, and what the checker does then. */
    public record Exemption(ExemptionClass exemptionClass, String when) {
        public Exemption {
            Objects.requireNonNull(exemptionClass);
            Objects.requireNonNull(when);
        }
    }

    /** How a test makes the invariant fire. */
    public enum ProofKind {
        /** A planted-bug switch (one fix reverted, or a test switch that breaks one rule) in a real run; the same schedule passes with it off. */
        PLANTED_BUG("planted bug"),
        /** A real run in which the test makes one node misbehave (a test-only fault, a corrupted disk, a skewed clock). */
        MISBEHAVING_NODE("misbehaving node"),
        /** A library scenario that expects the violation ({@code expect-violation:}). */
        SCENARIO("library scenario"),
        /** Hand-made history records given to the checker: the check is exercised, but no node misbehaves. */
        FORGED_RECORD("forged record");

        private final String label;

        ProofKind(String label) {
            this.label = label;
        }

        /** A few words for listings. */
        public String label() {
            return label;
        }
    }

    /**
     * A test method or a library scenario that makes the invariant fire.
     *
     * @param kind how it makes it fire
     * @param module the Maven module that holds it
     * @param location {@code fully.qualified.TestClass#method} for a test, a path from the repository root for a scenario
     * @param note a caveat, or empty
     */
    public record Proof(ProofKind kind, String module, String location, String note) {
        public Proof {
            Objects.requireNonNull(kind);
            Objects.requireNonNull(module);
            Objects.requireNonNull(location);
            Objects.requireNonNull(note);
        }

        /** True for a test method, false for a library scenario. */
        public boolean isTest() {
            return kind != ProofKind.SCENARIO;
        }

        /** The test class's fully qualified name (tests only). */
        public String testClass() {
            return location.substring(0, location.indexOf('#'));
        }

        /** The test method's name (tests only). */
        public String testMethod() {
            return location.substring(location.indexOf('#') + 1);
        }

        /** {@code SimpleClass#method} for a test, the path for a scenario. */
        public String shortName() {
            if (!isTest()) {
                return location;
            }
            String cls = testClass();
            return cls.substring(cls.lastIndexOf('.') + 1) + "#" + testMethod();
        }
    }

    public InvariantInfo {
        Objects.requireNonNull(id);
        Objects.requireNonNull(title);
        Objects.requireNonNull(kind);
        Objects.requireNonNull(module);
        Objects.requireNonNull(meaning);
        exemptions = List.copyOf(exemptions);
        proofs = List.copyOf(proofs);
    }

    /** A safety invariant without exemptions or proofs yet (add them with {@link #exempt} and {@link #provenBy}). */
    public static InvariantInfo safety(String id, String title, String module, String meaning) {
        return new InvariantInfo(id, title, Kind.SAFETY, module, meaning, List.of(), List.of());
    }

    /** A bounded-liveness check without exemptions or proofs yet. */
    public static InvariantInfo liveness(String id, String title, String module, String meaning) {
        return new InvariantInfo(id, title, Kind.LIVENESS, module, meaning, List.of(), List.of());
    }

    /** This entry with one more exemption. */
    public InvariantInfo exempt(ExemptionClass exemptionClass, String when) {
        List<Exemption> more = new ArrayList<>(exemptions);
        more.add(new Exemption(exemptionClass, when));
        return new InvariantInfo(id, title, kind, module, meaning, more, proofs);
    }

    /** This entry with one more proof by a test method ({@code fully.qualified.Class#method} in {@code module}). */
    public InvariantInfo provenBy(ProofKind proofKind, String testModule, String classAndMethod) {
        return provenBy(proofKind, testModule, classAndMethod, "");
    }

    /** As above, with a caveat. */
    public InvariantInfo provenBy(ProofKind proofKind, String testModule, String classAndMethod, String note) {
        if (proofKind == ProofKind.SCENARIO || classAndMethod.indexOf('#') < 0) {
            throw new IllegalArgumentException("a test proof is Class#method: " + classAndMethod);
        }
        return withProof(new Proof(proofKind, testModule, classAndMethod, note));
    }

    /** This entry with one more proof by a library scenario that expects the violation. */
    public InvariantInfo provenByScenario(String path) {
        return withProof(new Proof(ProofKind.SCENARIO, "scenarios", path, ""));
    }

    private InvariantInfo withProof(Proof proof) {
        List<Proof> more = new ArrayList<>(proofs);
        more.add(proof);
        return new InvariantInfo(id, title, kind, module, meaning, exemptions, more);
    }

    /** The one-paragraph meaning on one line (the source wraps it). */
    public String meaningLine() {
        return meaning.strip().replaceAll("\\s+", " ");
    }
}
