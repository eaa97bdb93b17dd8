package dev.faultline.scenarios.spec;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

/** {@code expect-violation:} names an id of the invariant catalogue; anything else is refused where it is written. */
class ExpectViolationSpecTest {
    private static final String HEAD = "name: x\nduration: 30s\ncluster: {mode: zookeeper, brokers: 3}\nexpect:\n";

    private static List<Problem> problems(String yaml) {
        try {
            ScenarioLoader.parse("bad.yaml", yaml);
        } catch (ScenarioException e) {
            return e.problems();
        }
        throw new AssertionError("expected the scenario to be rejected:\n" + yaml);
    }

    @Test
    void aCataloguedIdIsAccepted() throws Exception {
        Scenario s = ScenarioLoader.parse("ok.yaml", HEAD + "  - expect-violation: KZ-S2\n");
        assertThat(s.expectations()).containsExactly(new Expectation.ExpectViolation("KZ-S2"));
        assertThat(ScenarioLoader.parse("written.yaml", ScenarioWriter.write(s))).isEqualTo(s);
    }

    @Test
    void anUnknownIdIsRefusedAtItsValueWithASuggestion() {
        assertThat(problems(HEAD + "  - expect-violation: KZ-S22\n")).singleElement().satisfies(p -> {
            assertThat(p.toString()).startsWith("bad.yaml:5:23: ");
            assertThat(p.message()).isEqualTo("unknown invariant 'KZ-S22' (did you mean 'KZ-S2'?); 'faultline invariants' lists the "
                    + dev.faultline.core.check.catalog.InvariantCatalog.standard().ids().size() + " ids");
        });
        assertThat(problems(HEAD + "  - expect-violation: dp-s1\n")).singleElement().extracting(Problem::message).asString()
                .startsWith("unknown invariant 'dp-s1' (did you mean 'DP-S1'?)");
    }

    @Test
    void aNameFarFromEveryIdGetsNoSuggestion() {
        assertThat(problems(HEAD + "  - expect-violation: SingleLeader\n")).singleElement().extracting(Problem::message).asString()
                .startsWith("unknown invariant 'SingleLeader';");
    }

    @Test
    void everyLibraryExpectationIsCatalogued() throws Exception {
        // The library's planted-bug scenarios load (their ids are catalogued): a stale id would be refused here.
        for (String f : List.of("pb-rep-1-kip101-scenario-1.yaml", "pb-kr-1-no-check-quorum.yaml", "pb-zkc-1-no-epoch-zk-version-check.yaml")) {
            Scenario s = ScenarioLoader.load(java.nio.file.Path.of("library", f));
            assertThat(s.expectations()).anySatisfy(e -> assertThat(e).isInstanceOf(Expectation.ExpectViolation.class));
        }
    }
}
