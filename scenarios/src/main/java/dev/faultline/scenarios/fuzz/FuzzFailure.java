package dev.faultline.scenarios.fuzz;

import dev.faultline.core.check.classify.Classifier;
import dev.faultline.core.check.classify.ViolationClass;
import dev.faultline.scenarios.run.ScenarioResult;
import dev.faultline.scenarios.spec.Scenario;
import java.util.ArrayList;
import java.util.List;

/**
 * A failure found by fuzzing, or a HAZARD or EXPECTED case (docs/invariants.md#classification),
 * which the campaign counts and deduplicates apart from the failures.
 *
 * @param seed the generator seed that produced the scenario
 * @param signature what it is: the invariant id or the failed expectation of a BUG, or
 *     {@code hazard-RULE-ID} / {@code expected-RULE-ID} for a case a classification rule covers
 * @param original the generated scenario
 * @param result its run
 */
public record FuzzFailure(long seed, String signature, Scenario original, ScenarioResult result) {

    /** The class of this finding. */
    public ViolationClass violationClass() {
        return classOf(signature);
    }

    /** The class a signature stands for: {@code hazard-...} HAZARD, {@code expected-...} EXPECTED, anything else BUG. */
    public static ViolationClass classOf(String signature) {
        for (ViolationClass c : List.of(ViolationClass.HAZARD, ViolationClass.EXPECTED)) {
            if (signature.startsWith(c.yamlName() + "-")) {
                return c;
            }
        }
        return ViolationClass.BUG;
    }

    /** The KIP, JIRA issue or configuration behind a HAZARD or EXPECTED signature; empty for a BUG. */
    public static String referenceOf(String signature) {
        for (Classifier.Rule r : Classifier.rules()) {
            if (signature.startsWith(r.violationClass().yamlName() + "-" + r.name() + "-")) {
                return r.reference();
            }
        }
        return "";
    }

    /**
     * What a run's failure is: the violated invariant (a violation stops a run only when no rule
     * excuses it, or when it was told to stop on excused cases too, then with its class as prefix),
     * else the first failed expectation; {@code null} when it passed.
     */
    public static String signatureOf(ScenarioResult r) {
        if (r.violation() != null) {
            if (r.classification() != null && r.classification().violationClass() != ViolationClass.BUG) {
                return signature(r.classification().violationClass(), r.classification().rule(), r.violation().invariant());
            }
            return r.violation().invariant();
        }
        for (ScenarioResult.Verdict v : r.expectations()) {
            if (!v.held()) {
                return v.expectation().replaceAll("[^A-Za-z0-9.-]+", "-");
            }
        }
        return null;
    }

    /** The HAZARD and EXPECTED cases the run recorded and went on after, one signature each, in the order found. */
    public static List<String> excusedSignatures(ScenarioResult r) {
        List<String> out = new ArrayList<>();
        for (ScenarioResult.Classified c : r.excused()) {
            String s = signature(c.classification().violationClass(), c.classification().rule(), c.violation().invariant());
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    /** Every signature of a run: its failure's, if any, then its excused cases'. */
    public static List<String> signaturesOf(ScenarioResult r) {
        List<String> out = new ArrayList<>();
        String f = signatureOf(r);
        if (f != null) {
            out.add(f);
        }
        for (String s : excusedSignatures(r)) {
            if (!out.contains(s)) {
                out.add(s);
            }
        }
        return out;
    }

    private static String signature(ViolationClass c, String rule, String invariant) {
        return c.yamlName() + "-" + rule + "-" + invariant;
    }
}
