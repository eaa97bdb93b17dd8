package dev.faultline.scenarios.spec;

/**
 * Writes a scenario back as YAML that {@link ScenarioLoader} reads to an equal scenario: the
 * resolved scenario of a run directory, and the minimal failing scenarios the fuzzer finds. Jackson
 * YAML writes the records as they are bound ({@link ScenarioYaml}), keys in the records' order.
 */
public final class ScenarioWriter {
    private ScenarioWriter() {
    }

    public static String write(Scenario s) {
        return ScenarioYaml.write(s);
    }
}
